/**
 * Files the server hands out or takes in: `/view` (output, input and temp folders only, no way
 * out of them: `..`, absolute names and symlinks leading elsewhere are refused), `/upload/image`
 * (into the input folder, never replacing a file unless asked), and the built editor at `/`.
 */
import { mkdir, realpath, rename, unlink, writeFile } from 'node:fs/promises';
import { extname, isAbsolute, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { FileAccessError, isInside } from '../security/paths.ts';
import { openRegularFile } from '../security/fileAccess.ts';
import { writeNewFile } from '../cli/outputFiles.ts';

export interface ServerFolders {
  output: string;
  input: string;
  temp: string;
}

export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const CONTENT_TYPES: Record<string, string> = {
  '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp', '.gif': 'image/gif',
  '.json': 'application/json', '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.css': 'text/css', '.svg': 'image/svg+xml', '.wasm': 'application/wasm', '.onnx': 'application/octet-stream',
  '.txt': 'text/plain; charset=utf-8', '.ico': 'image/x-icon', '.bin': 'application/octet-stream',
};

export function contentTypeOf(name: string): string {
  return CONTENT_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream';
}

/** A subfolder name from a client: relative, no `..`, no hidden or empty segments. */
export function checkSubfolder(subfolder: string): string {
  if (subfolder === '') return '';
  const parts = subfolder.split(/[\\/]/);
  if (isAbsolute(subfolder) || parts.some((p) => p === '' || p === '.' || p === '..' || p.startsWith('.') || p.includes('\0'))) {
    throw new HttpError(400, `subfolder "${subfolder.slice(0, 80)}" is not allowed: it must be a relative folder name without "..", hidden or empty parts`);
  }
  return parts.join('/');
}

/** A file name from a client: one plain name, not hidden. */
export function checkFileName(name: string): string {
  if (name === '' || /[\\/\0]/.test(name) || name.startsWith('.') || name.length > 255) {
    throw new HttpError(400, `file name "${name.slice(0, 80)}" is not allowed: a plain name without slashes, not starting with "."`);
  }
  return name;
}

/** The real path of a `/view` request, inside the folder of its type. */
export async function viewPath(folders: ServerFolders, type: string, subfolder: string, filename: string): Promise<string> {
  if (type !== 'output' && type !== 'input' && type !== 'temp') throw new HttpError(400, `type must be output, input or temp, got "${type.slice(0, 40)}"`);
  const root = folders[type];
  const full = resolve(root, checkSubfolder(subfolder), checkFileName(filename));
  let realRoot: string;
  let real: string;
  try {
    realRoot = await realpath(root);
    real = await realpath(full);
  } catch {
    throw new HttpError(404, `${type}/${subfolder ? `${subfolder}/` : ''}${filename}: no such file`);
  }
  if (!isInside(realRoot, real)) throw new HttpError(403, `${filename} leads out of the ${type} folder`);
  return real;
}

export async function readViewFile(folders: ServerFolders, type: string, subfolder: string, filename: string): Promise<Uint8Array> {
  const real = await viewPath(folders, type, subfolder, filename);
  try {
    return (await openRegularFile(real, 'image', filename))!;
  } catch (error) {
    if (error instanceof FileAccessError) throw new HttpError(error.reason === 'missing' ? 404 : 403, error.message);
    throw error;
  }
}

/** PNG, JPEG, WebP or GIF by their first bytes: LoadImage reads nothing else. */
export function isImageBytes(bytes: Uint8Array): boolean {
  const b = bytes;
  if (b.length < 12) return false;
  const png = b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
  const jpeg = b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
  const gif = b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46;
  const webp = b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46 && b[8] === 0x57 && b[9] === 0x45 && b[10] === 0x42 && b[11] === 0x50;
  return png || jpeg || gif || webp;
}

/** `/upload/image`: stores an image in the input folder; answers ComfyUI's `{ name, subfolder, type }`. */
export async function saveUpload(folders: ServerFolders, form: FormData): Promise<{ name: string; subfolder: string; type: 'input' }> {
  const file = form.get('image');
  if (!file || typeof file === 'string') throw new HttpError(400, 'the form needs an "image" file field');
  const type = String(form.get('type') ?? 'input');
  if (type !== 'input') throw new HttpError(400, `uploads go to the input folder; type "${type.slice(0, 40)}" is not accepted`);
  const subfolder = checkSubfolder(String(form.get('subfolder') ?? ''));
  const name = checkFileName((file as File).name || 'upload.png');
  const bytes = new Uint8Array(await (file as File).arrayBuffer());
  if (!isImageBytes(bytes)) throw new HttpError(400, `${name} is not a PNG, JPEG, WebP or GIF image`);
  const overwrite = ['true', '1'].includes(String(form.get('overwrite') ?? '').toLowerCase());
  const dir = join(folders.input, subfolder);
  let written: string;
  if (overwrite) {
    written = join(dir, name);
    const tmp = join(dir, `.upload-${randomBytes(6).toString('hex')}`);
    await mkdir(dir, { recursive: true });
    await writeFile(tmp, bytes, { flag: 'wx' });
    try {
      await rename(tmp, written);
    } catch (error) {
      await unlink(tmp).catch(() => {});
      throw error;
    }
  } else written = await writeNewFile(dir, name, bytes);
  return { name: written.slice(dir.length + 1), subfolder, type: 'input' };
}

/** A file of the built editor (`dist/`), or undefined when it is not there. */
export async function editorFile(editorDir: string, urlPath: string): Promise<{ bytes: Uint8Array; type: string } | undefined> {
  const rel = decodeURIComponent(urlPath).replace(/^\/+/, '') || 'index.html';
  if (rel.split('/').some((p) => p === '..' || p.startsWith('.'))) return undefined;
  const full = resolve(editorDir, rel);
  try {
    const realRoot = await realpath(editorDir);
    const real = await realpath(full);
    if (!isInside(realRoot, real)) return undefined;
    const bytes = (await openRegularFile(real, 'model', rel))!;
    return { bytes, type: contentTypeOf(real) };
  } catch {
    return undefined;
  }
}
