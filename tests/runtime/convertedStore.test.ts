/**
 * Converted models persist between runs: the first `latentloom run` of a graph with a built-in
 * TF.js upscaler writes the ONNX into `$LATENTLOOM_CACHE/converted/`, the next process reads it
 * back instead of converting (the file is not rewritten), and the picture is the same.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runCliProcess } from '../cli/hostileHarness.ts';
import { convertedFileName } from '../../src/runtime/convertedStore.ts';
import { nodeConvertedStore } from '../../src/runtime/node/convertedFiles.ts';

describe('converted-model store', () => {
  it('names files by key with only safe characters, and writes them whole', async () => {
    expect(convertedFileName('ab12:tfjs:0,255')).toBe('ab12_tfjs_0_255.onnx');
    expect(convertedFileName('../../etc/passwd')).toBe('_.._etc_passwd.onnx');
    const root = mkdtempSync(join(tmpdir(), 'latentloom-converted-'));
    const store = nodeConvertedStore(root);
    expect(await store.get('k:x')).toBeUndefined();
    await store.put('k:x', Uint8Array.from([1, 2, 3]));
    expect(Array.from((await store.get('k:x'))!)).toEqual([1, 2, 3]);
    expect(readdirSync(root)).toEqual(['k_x.onnx']);
  });

  it('a second process reads the converted upscaler instead of converting it again', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'latentloom-cache-'));
    const env = { ...process.env, LATENTLOOM_CACHE: cache };
    const run = async (out: string) => {
      const r = await runCliProcess(['run', join(ROOT, 'graphs/photo-upscale.json'), '--out', join(cache, out)], { env, timeoutMs: 60_000 });
      expect(r.code, r.stderr).toBe(0);
      return readFileSync(join(cache, out, 'photo-x4_00001.png'));
    };
    const first = await run('a');
    const files = readdirSync(join(cache, 'converted'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^[0-9a-f]{64}_tfjs_0_255\.onnx$/);
    const stamp = statSync(join(cache, 'converted', files[0])).mtimeMs;
    const second = await run('b');
    expect(statSync(join(cache, 'converted', files[0])).mtimeMs).toBe(stamp);
    expect(second.equals(first)).toBe(true);
  }, 120_000);
});
