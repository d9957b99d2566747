/**
 * What a graph may make LatentLoom read, the part without file paths: size caps by file kind and
 * the refusal error and messages. Free of node:path, so browser code (the engine worker's image
 * decoding) can import it; paths.ts re-exports it with the path checks.
 */
export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

/** What a file is read as; each kind has its own size cap, checked before any byte is read. */
export type FileKind = 'image' | 'json' | 'text' | 'model';

export const SIZE_LIMITS: Readonly<Record<FileKind, number>> = {
  image: 256 * MiB,
  json: 16 * MiB,
  /** Tokenizer vocabularies (tokenizer.json, vocab.json), merges and other text files. */
  text: 64 * MiB,
  /** ONNX models, external weights, checkpoints: large (SDXL's UNet is ~10 GB) but bounded. */
  model: 64 * GiB,
};

const KIND_BY_EXTENSION: Readonly<Record<string, FileKind>> = {
  '.png': 'image',
  '.jpg': 'image',
  '.jpeg': 'image',
  '.webp': 'image',
  '.gif': 'image',
  '.bmp': 'image',
  '.json': 'json',
  '.txt': 'text',
  '.model': 'text',
};

/** The kind a file is read as when the caller does not say: by extension, else a model file. */
export function kindOfPath(path: string): FileKind {
  const dot = path.lastIndexOf('.');
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const ext = dot > slash ? path.slice(dot).toLowerCase() : '';
  // Tokenizer vocabularies are JSON but can outgrow the config cap (large multilingual vocabularies).
  if (/^(tokenizer|vocab)\.json$/i.test(path.slice(slash + 1))) return 'text';
  return KIND_BY_EXTENSION[ext] ?? 'model';
}

/** Why a file was refused; `message` never holds any of the file's contents. */
export class FileAccessError extends Error {
  constructor(
    message: string,
    readonly reason: 'outside' | 'missing' | 'not-regular' | 'too-large' | 'unreadable',
    readonly path: string,
  ) {
    super(message);
    this.name = 'FileAccessError';
  }
}

export function outsideMessage(path: string): string {
  return `${path} is outside the allowed folders (allow it with --allow-path)`;
}

export function tooLargeMessage(path: string, size: number, kind: FileKind): string {
  return `${path} is too large to read as ${kind === 'image' ? 'an image' : kind === 'model' ? 'a model file' : `a ${kind} file`} (${formatBytes(size)}; the limit is ${formatBytes(SIZE_LIMITS[kind])})`;
}

export function formatBytes(bytes: number): string {
  if (bytes >= GiB) return `${(bytes / GiB).toFixed(bytes % GiB === 0 ? 0 : 1)} GiB`;
  if (bytes >= MiB) return `${(bytes / MiB).toFixed(bytes % MiB === 0 ? 0 : 1)} MiB`;
  return `${bytes} bytes`;
}

/** A short name for what a non-regular file is, for refusals. */
export function describeFileType(stat: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a pipe (FIFO)';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}
