/**
 * Output files that never overwrite or truncate earlier results, even with several processes
 * writing into one folder at once.
 *
 * Each file is written in full to a temporary file in the same folder and fsynced, then hard-linked
 * to its final name. link() fails with EEXIST when the name exists, so it both claims the name
 * exclusively and publishes complete bytes in one atomic step: a reader (or a crash) never sees a
 * partial file, and a failed write (disk full) leaves only the earlier files. Where the file system
 * has no hard links, the name is first claimed with an exclusive create ('wx') and the finished
 * temporary file renamed over that claim.
 *
 * Numbered names follow ComfyUI's counter: `${prefix}_NNNNN.ext` with the next number after the
 * highest one already in the folder (gaps are not refilled, so numbers keep increasing).
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';

/** The file operations the writer needs, replaceable so tests can inject a failing write. */
export interface OutputFs {
  open: typeof open;
  link: typeof link;
  rename: typeof rename;
  unlink: typeof unlink;
  readdir: typeof readdir;
  mkdir: typeof mkdir;
}

export const nodeOutputFs: OutputFs = { open, link, rename, unlink, readdir, mkdir };

const COUNTER_DIGITS = 5;
/** How many taken names to step over before giving up (a folder cannot hold that many races). */
const MAX_ATTEMPTS = 100_000;

const errno = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

/** Highest N among `${prefix}_N…` files in the folder (any extension), 0 when there is none. */
export async function highestCounter(dir: string, prefix: string, fs: OutputFs = nodeOutputFs): Promise<number> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (error) {
    if (errno(error) === 'ENOENT') return 0;
    throw error;
  }
  let highest = 0;
  const head = `${prefix}_`;
  for (const name of names) {
    if (!name.startsWith(head)) continue;
    const digits = /^\d+/.exec(name.slice(head.length))?.[0];
    if (digits === undefined) continue;
    const rest = name.slice(head.length + digits.length);
    // `shot_00003.png`, `shot_00003_.png` (ComfyUI) and `shot_00003-2.png` count; `shot_2024x.png` does not.
    if (rest !== '' && !/^[._-]/.test(rest)) continue;
    const n = Number(digits);
    if (Number.isSafeInteger(n) && n > highest) highest = n;
  }
  return highest;
}

/** Writes `bytes` to a new, fsynced temporary file in `dir`; removes it again if writing fails. */
async function writeTemp(dir: string, forName: string, bytes: Uint8Array, fs: OutputFs): Promise<string> {
  // A leading dot and a `.tmp` end keep it out of counters and image listings while it exists.
  const tmp = join(dir, `.${forName}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(tmp, 'wx');
  try {
    let offset = 0;
    while (offset < bytes.length) {
      const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
      if (bytesWritten <= 0) throw new Error(`could not write ${forName}: no bytes written`);
      offset += bytesWritten;
    }
    await handle.sync();
    await handle.close();
  } catch (error) {
    await handle.close().catch(() => {});
    await fs.unlink(tmp).catch(() => {});
    throw error;
  }
  return tmp;
}

/**
 * Publishes the finished temporary file under the final name if that name is free.
 * Returns false when the name is taken (by an earlier file or a concurrent writer).
 */
async function publish(tmp: string, path: string, fs: OutputFs): Promise<boolean> {
  try {
    await fs.link(tmp, path);
    return true;
  } catch (error) {
    const code = errno(error);
    if (code === 'EEXIST') return false;
    // No hard links here (some network and FAT file systems): claim the name, then replace the claim.
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS' && code !== 'EXDEV') throw error;
  }
  let claim;
  try {
    claim = await fs.open(path, 'wx');
  } catch (error) {
    if (errno(error) === 'EEXIST') return false;
    throw error;
  }
  await claim.close();
  try {
    await fs.rename(tmp, path);
  } catch (error) {
    await fs.unlink(path).catch(() => {});
    throw error;
  }
  return true;
}

/**
 * Writes `bytes` under the first free name that `nameAt(attempt)` gives (attempt 0, 1, …) and
 * returns its path; never replaces an existing file and leaves no temporary file behind.
 */
async function writeExclusive(dir: string, nameAt: (attempt: number) => string, bytes: Uint8Array, fs: OutputFs): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const tmp = await writeTemp(dir, nameAt(0), bytes, fs);
  try {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const path = join(dir, nameAt(attempt));
      if (await publish(tmp, path, fs)) return path;
    }
    throw new Error(`no free file name for ${nameAt(0)} in ${dir} after ${MAX_ATTEMPTS} tries`);
  } finally {
    // After link() the temporary name is a second name of the published file; after rename() it is gone.
    await fs.unlink(tmp).catch(() => {});
  }
}

/** `${prefix}_NNNNN${extension}` with the next counter after the highest one in `dir`. */
export async function writeNumberedFile(dir: string, prefix: string, extension: string, bytes: Uint8Array, fs: OutputFs = nodeOutputFs): Promise<string> {
  const folder = resolve(dir);
  const first = (await highestCounter(folder, prefix, fs)) + 1;
  return writeExclusive(folder, (attempt) => `${prefix}_${String(first + attempt).padStart(COUNTER_DIGITS, '0')}${extension}`, bytes, fs);
}

/** `name`, or `stem-2.ext`, `stem-3.ext`, … when that exists already. */
export async function writeNewFile(dir: string, name: string, bytes: Uint8Array, fs: OutputFs = nodeOutputFs): Promise<string> {
  const ext = extname(name);
  const stem = basename(name, ext);
  return writeExclusive(resolve(dir), (attempt) => (attempt === 0 ? name : `${stem}-${attempt + 1}${ext}`), bytes, fs);
}
