/**
 * What `model/load-upscaler` accepts as its source, all ending as one ONNX model file:
 * an `.onnx` file, an ESRGAN-family checkpoint (`.pth`, `.safetensors`), a TF.js layers model
 * (`…/model.json` with its shards), or a built-in model shipped with LatentLoom
 * (`builtin:esrgan-slim-x2`, UpscalerJS's pretrained weights from the npm package), or a file
 * dropped on the editor (`dropped:<file name>`, bytes the editor handed its worker; see
 * `registerDroppedFiles` in src/worker/modelManager.ts).
 */
import type { Runtime } from '../../src/runtime/runtime.ts';
import { packageFileRef, type ModelFileRef } from '../../src/runtime/handles.ts';
import { DROPPED_FOLDER, DROPPED_SOURCE_PREFIX } from '../../src/runtime/droppedFiles.ts';
import { convertedModelRef, isCheckpointFile, isTfjsModelFile, tfjsModelRef } from './convertedModel.ts';

export interface BuiltinUpscaler {
  /** npm package and folder inside it that holds `model.json`. */
  npm: string;
  folder: string;
  scale: number;
  /** UpscalerJS's RDN models work on [0, 255] values. */
  valueRange: [number, number];
  description: string;
}

const UPSCALERJS_RDN = [
  { name: 'esrgan-slim', title: 'slim', params: '0.23' },
  { name: 'esrgan-medium', title: 'medium', params: '0.70' },
];

export const BUILTIN_UPSCALERS: Record<string, BuiltinUpscaler> = Object.fromEntries(
  UPSCALERJS_RDN.flatMap(({ name, title, params }) =>
    [2, 3, 4, 8].map((scale) => [
      `${name}-x${scale}`,
      { npm: `@upscalerjs/${name}`, folder: `models/x${scale}`, scale, valueRange: [0, 255], description: `UpscalerJS ESRGAN ${title} (RDN), ×${scale}, ~${params} M parameters` },
    ]),
  ),
);

/** Splits `…/dir/name.onnx` into the package folder (or base URL) and the file name. */
export function splitModelSource(source: string): { base: string; file: string } {
  const trimmed = source.trim();
  if (!trimmed) throw new Error('no upscaler model given (the `source` param is empty)');
  const isUrl = /^https?:\/\//i.test(trimmed);
  const cut = trimmed.lastIndexOf('/');
  const file = trimmed.slice(cut + 1);
  if (!file) throw new Error(`"${trimmed}" names a folder; give the path of the .onnx file`);
  let base = cut < 0 ? '.' : trimmed.slice(0, cut) || '/';
  if (isUrl) base += '/';
  else if (!base.startsWith('/') && !base.startsWith('.') && !base.startsWith('file:')) base = `./${base}`;
  return { base, file };
}

/** The id under which the app serves a built-in upscaler's files (`/models/<id>/`, see src/build/upscalerAssets.ts). */
export function builtinUpscalerPackageId(name: string): string {
  return `upscaler-${name}`;
}

/**
 * Where a built-in model's files are: in Node, the folder inside the installed npm package; in
 * the browser, the app's own built-in package that the build copies them into.
 */
async function builtinFolder(name: string, where: string): Promise<{ base: string; model: BuiltinUpscaler }> {
  const model = BUILTIN_UPSCALERS[name];
  if (!model) throw new Error(`${where}: unknown built-in upscaler "${name}" (known: ${Object.keys(BUILTIN_UPSCALERS).join(', ')})`);
  if (typeof process === 'undefined' || !process.versions?.node) return { base: `builtin:${builtinUpscalerPackageId(name)}`, model };
  const { createRequire } = await import('node:module');
  const { dirname, join } = await import('node:path');
  const { readFileSync } = await import('node:fs');
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve(model.npm);
  } catch {
    throw new Error(`${where}: the npm package ${model.npm} that holds "${name}" is not installed (npm install ${model.npm})`);
  }
  // The package's entry lies somewhere below its root: the first folder up whose package.json
  // carries the package's name.
  const nameAt = (dir: string) => {
    try {
      return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name;
    } catch {
      return undefined;
    }
  };
  let dir = dirname(entry);
  while (nameAt(dir) !== model.npm && dirname(dir) !== dir) dir = dirname(dir);
  return { base: join(dir, model.folder), model };
}

export async function upscalerModelRef(runtime: Runtime, source: string, nodeId: string): Promise<ModelFileRef> {
  const where = `model/load-upscaler (node "${nodeId}")`;
  const trimmed = source.trim();
  if (trimmed.startsWith('builtin:')) {
    const { base, model } = await builtinFolder(trimmed.slice('builtin:'.length), where);
    const pkg = await runtime.openPackage({ source: base }, `${nodeId}.source`);
    return tfjsModelRef(packageFileRef(pkg, 'model.json'), (shard) => packageFileRef(pkg, shard), model.valueRange);
  }
  let base: string;
  let file: string;
  if (trimmed.startsWith(DROPPED_SOURCE_PREFIX)) {
    file = trimmed.slice(DROPPED_SOURCE_PREFIX.length);
    if (!file || /[/\\]/.test(file)) throw new Error(`${where}: "${trimmed}" names no dropped file`);
    base = `folder:${DROPPED_FOLDER}`;
  } else {
    ({ base, file } = splitModelSource(trimmed));
  }
  let pkg;
  try {
    pkg = await runtime.openPackage({ source: base }, `${nodeId}.source`);
  } catch (error) {
    if (base !== `folder:${DROPPED_FOLDER}`) throw error;
    throw new Error(`${where}: ${file} was dropped on the editor before it was reloaded (or is not in the editor at all): drop the file on this node again`);
  }
  if (base === `folder:${DROPPED_FOLDER}` && !(await pkg.source.exists(file))) {
    throw new Error(`${where}: ${file} is not among the files dropped on the editor in this session: drop it on this node again`);
  }
  const ref = packageFileRef(pkg, file);
  if (isCheckpointFile(file)) return convertedModelRef(ref, ['rrdbnet', 'srvggnet-compact'], where, 'unit');
  if (isTfjsModelFile(file)) return tfjsModelRef(ref, (shard) => packageFileRef(pkg, shard), [0, 1]);
  return ref;
}
