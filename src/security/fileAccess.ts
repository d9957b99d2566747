/**
 * Guarded local file reads for Node hosts (the CLI, the Node runtime's folder packages): a path is
 * resolved (relative ones against a base folder), its symlinks followed with realpath, checked
 * against the policy's roots, then opened without following a final link and without blocking
 * (a FIFO cannot stall the run), and read only if fstat says it is a regular file within the size
 * cap of its kind.
 */
import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  FileAccessError,
  SIZE_LIMITS,
  allowedRootOf,
  describeFileType,
  isInside,
  kindOfPath,
  outsideMessage,
  tooLargeMessage,
  type FileKind,
  type PathPolicy,
} from './paths.ts';

export interface FileAccess {
  readonly policy: PathPolicy;
  /** Folder relative paths are resolved against. */
  readonly baseDir: string;
  /** The real path of `path` when it lies under an allowed root; refuses otherwise. */
  resolve(path: string): Promise<string>;
  /** Reads a regular file under an allowed root, within the size cap of `kind` (default: by extension). */
  read(path: string, kind?: FileKind): Promise<Uint8Array>;
}

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0);

/**
 * The real path of `path` if it lies under one of `roots` (after following every symlink).
 * A missing file under a root is "no such file"; a missing one elsewhere is refused as outside,
 * so a graph cannot probe which files exist.
 */
export async function realPathWithin(roots: PathPolicy, path: string, baseDir = process.cwd()): Promise<string> {
  const lexical = resolve(baseDir, path);
  let real: string;
  try {
    real = await realpath(lexical);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (allowedRootOf(roots, lexical) === undefined) throw new FileAccessError(outsideMessage(lexical), 'outside', lexical);
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new FileAccessError(`${lexical}: no such file`, 'missing', lexical);
    throw new FileAccessError(`${lexical} cannot be read (${code ?? 'error'})`, 'unreadable', lexical);
  }
  if (allowedRootOf(roots, real) === undefined) {
    const via = real !== lexical ? ` (it leads to ${real})` : '';
    throw new FileAccessError(`${outsideMessage(lexical)}${via}`, 'outside', lexical);
  }
  return real;
}

/** Real roots: each allowed folder with its own symlinks resolved (missing ones are kept as given). */
export async function realRoots(roots: readonly string[]): Promise<string[]> {
  return Promise.all(roots.map(async (r) => realpath(resolve(r)).catch(() => resolve(r))));
}

/**
 * Opens `realPath` and checks it is a regular file of at most the cap for `kind`; `read` then
 * decides whether to read it (false: only check, for files another library opens itself).
 * `shown` names the file in errors.
 */
export async function openRegularFile(realPath: string, kind: FileKind, shown = realPath, read = true): Promise<Uint8Array | undefined> {
  let handle;
  try {
    handle = await open(realPath, OPEN_FLAGS);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new FileAccessError(`${shown}: no such file`, 'missing', shown);
    if (code === 'ELOOP') throw new FileAccessError(`${shown} is a symbolic link that cannot be followed`, 'not-regular', shown);
    throw new FileAccessError(`${shown} cannot be opened (${code ?? 'error'})`, 'unreadable', shown);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new FileAccessError(`${shown} is ${describeFileType(stat)}, not a regular file`, 'not-regular', shown);
    if (stat.size > SIZE_LIMITS[kind]) throw new FileAccessError(tooLargeMessage(shown, stat.size, kind), 'too-large', shown);
    if (!read) return undefined;
    const bytes = new Uint8Array(stat.size);
    let offset = 0;
    while (offset < bytes.length) {
      const { bytesRead } = await handle.read(bytes, offset, bytes.length - offset, offset);
      if (bytesRead === 0) break; // the file shrank while being read
      offset += bytesRead;
    }
    return offset === bytes.length ? bytes : bytes.subarray(0, offset);
  } finally {
    await handle.close();
  }
}

export function fileAccess(policy: PathPolicy, baseDir = process.cwd()): FileAccess {
  // Roots compared against real paths must be real themselves (/tmp may be a link).
  let real: Promise<PathPolicy> | undefined;
  const roots = () => (real ??= realRoots(policy.roots).then((r) => ({ roots: [...new Set([...policy.roots, ...r])] })));
  return {
    policy,
    baseDir,
    async resolve(path) {
      return realPathWithin(await roots(), path, baseDir);
    },
    async read(path, kind) {
      const realPath = await realPathWithin(await roots(), path, baseDir);
      return (await openRegularFile(realPath, kind ?? kindOfPath(realPath), resolve(baseDir, path)))!;
    },
  };
}

/** The real path of `rel` inside the package folder `root` (already real), refusing links out of it. */
export async function realPathInPackage(root: string, full: string, shown: string): Promise<string> {
  const real = await realpath(full).catch((err: NodeJS.ErrnoException) => {
    throw err.code === 'ENOENT' || err.code === 'ENOTDIR' ? new FileAccessError(`${shown}: no such file`, 'missing', shown) : new FileAccessError(`${shown} cannot be read (${err.code ?? 'error'})`, 'unreadable', shown);
  });
  if (!isInside(root, real)) throw new FileAccessError(`${shown} leads out of its model package folder (to ${real})`, 'outside', shown);
  return real;
}
