/**
 * The path policy (src/security/paths.ts) and the guarded reads built on it
 * (src/security/fileAccess.ts), on real files in a temp folder.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SIZE_LIMITS, allowedRootOf, formatBytes, isInside, kindOfPath, pathPolicy, FileAccessError } from '../../src/security/paths.ts';
import { fileAccess, openRegularFile } from '../../src/security/fileAccess.ts';
import { folderSource } from '../../src/runtime/node/folderSource.ts';

describe('path policy (pure)', () => {
  it('isInside: the root and paths below it, not siblings sharing a prefix or parents', () => {
    expect(isInside('/a/b', '/a/b')).toBe(true);
    expect(isInside('/a/b', '/a/b/c/d.png')).toBe(true);
    expect(isInside('/a/b', '/a/bc/d.png')).toBe(false);
    expect(isInside('/a/b', '/a')).toBe(false);
    expect(isInside('/a/b', '/a/b/../c')).toBe(false);
    expect(isInside('/', '/etc/passwd')).toBe(true);
  });

  it('allowedRootOf picks the root holding a path; pathPolicy resolves and dedupes roots', () => {
    const policy = pathPolicy(['/g', '/out/', '/g', '']);
    expect(policy.roots).toEqual(['/g', '/out']);
    expect(allowedRootOf(policy, '/out/x.png')).toBe('/out');
    expect(allowedRootOf(policy, '/etc/passwd')).toBeUndefined();
  });

  it('kindOfPath: images, JSON and text by extension; anything else is a model file', () => {
    expect(kindOfPath('/x/Photo.JPG')).toBe('image');
    expect(kindOfPath('model_index.json')).toBe('json');
    expect(kindOfPath('tokenizer/merges.txt')).toBe('text');
    expect(kindOfPath('tokenizer_2/tokenizer.json')).toBe('text');
    expect(kindOfPath('unet/model.onnx_data')).toBe('model');
    expect(kindOfPath('dir.json/weights')).toBe('model');
    expect(SIZE_LIMITS.image).toBe(256 * 1024 * 1024);
    expect(SIZE_LIMITS.json).toBe(16 * 1024 * 1024);
    expect(SIZE_LIMITS.model).toBeGreaterThan(SIZE_LIMITS.image);
  });

  it('formatBytes', () => {
    expect(formatBytes(12)).toBe('12 bytes');
    expect(formatBytes(16 * 1024 * 1024)).toBe('16 MiB');
    expect(formatBytes(1.5 * 1024 ** 3)).toBe('1.5 GiB');
  });
});

describe('guarded reads (real files)', () => {
  let dir: string;
  let root: string;
  let outside: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'll-sec-'));
    root = join(dir, 'root');
    outside = join(dir, 'outside');
    mkdirSync(join(root, 'pkg'), { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(root, 'ok.png'), 'png bytes');
    writeFileSync(join(outside, 'secret.json'), '{"secret": true}');
    symlinkSync(join(outside, 'secret.json'), join(root, 'link.json'));
    symlinkSync(join(root, 'ok.png'), join(root, 'inner-link.png'));
    symlinkSync(join(outside, 'secret.json'), join(root, 'pkg', 'model_index.json'));
    execFileSync('mkfifo', [join(root, 'pipe.json')]);
    writeFileSync(join(root, 'big.json'), '');
    truncateSync(join(root, 'big.json'), SIZE_LIMITS.json + 1);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const refusal = async (p: Promise<unknown>) => {
    const err = await p.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(FileAccessError);
    return err as FileAccessError;
  };

  it('reads files under a root, relative ones against the base folder, links that stay inside', async () => {
    const access = fileAccess(pathPolicy([root]), root);
    expect(new TextDecoder().decode(await access.read('ok.png'))).toBe('png bytes');
    expect(new TextDecoder().decode(await access.read(join(root, 'inner-link.png')))).toBe('png bytes');
  });

  it('refuses paths outside, ../ escapes and links out, without saying whether they exist', async () => {
    const access = fileAccess(pathPolicy([root]), root);
    expect((await refusal(access.read(join(outside, 'secret.json')))).message).toBe(`${join(outside, 'secret.json')} is outside the allowed folders (allow it with --allow-path)`);
    expect((await refusal(access.read('../outside/secret.json'))).reason).toBe('outside');
    expect((await refusal(access.read('../outside/nothing-here.json'))).reason).toBe('outside');
    expect((await refusal(access.read('missing.png'))).reason).toBe('missing');
    const link = await refusal(access.read('link.json'));
    expect(link.message).toContain(`(it leads to ${join(outside, 'secret.json')})`);
    expect(link.message).not.toContain('secret": true');
  });

  it('refuses FIFOs, devices, folders and files over the cap of their kind', async () => {
    const access = fileAccess(pathPolicy([root, '/dev']), root);
    expect((await refusal(access.read('pipe.json'))).message).toBe(`${join(root, 'pipe.json')} is a pipe (FIFO), not a regular file`);
    expect((await refusal(access.read('/dev/zero'))).message).toBe('/dev/zero is a device, not a regular file');
    expect((await refusal(access.read('pkg'))).message).toBe(`${join(root, 'pkg')} is a folder, not a regular file`);
    expect((await refusal(access.read('big.json'))).reason).toBe('too-large');
    // The same file read as a model is within that cap.
    expect((await openRegularFile(join(root, 'big.json'), 'model', 'big', false))).toBeUndefined();
  });

  it('a folder package never follows a link out of its folder, and refuses a folder outside the roots', async () => {
    const pkg = folderSource(join(root, 'pkg'), undefined, fileAccess(pathPolicy([root, outside]), root));
    await expect(pkg.readFile('model_index.json')).rejects.toThrow(/model_index\.json leads out of its model package folder/);
    await expect(pkg.localPath!('model_index.json')).rejects.toThrow(/leads out of its model package folder/);
    const far = folderSource(outside, undefined, fileAccess(pathPolicy([root]), root));
    await expect(far.exists('secret.json')).rejects.toThrow(`${outside} is outside the allowed folders`);
  });
});
