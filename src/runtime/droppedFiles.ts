/**
 * Model files dropped on the editor: the browser gives bytes, not paths, so the editor hands them
 * to its worker, which keeps them as the picked folder `folder:dropped`; a node names one as
 * `dropped:<file name>`. Pure helpers shared by the editor (which drops are model files) and the
 * worker (which file of a drop the node loads).
 */

/** A source naming a file dropped on the editor: `dropped:<file name>`. */
export const DROPPED_SOURCE_PREFIX = 'dropped:';
/** The worker registers dropped files as this picked folder (`folder:<name>`). */
export const DROPPED_FOLDER = 'dropped';

const TFJS_MODEL = /(^|\/)model\.json$/i;
const TFJS_SHARD = /^group\d+-shard\d+of\d+(\.bin)?$/i;
const MODEL_FILE = /\.(onnx|pth|pt|ckpt|bin|safetensors)$/i;

/** True for a file name that is (part of) a model: ONNX, a checkpoint, a TF.js model.json or shard. */
export function isModelFileName(name: string): boolean {
  return MODEL_FILE.test(name) || TFJS_MODEL.test(name) || TFJS_SHARD.test(name);
}

/**
 * The file of a drop that a node loads: a TF.js `model.json` (its shards come along), else the
 * first ONNX or checkpoint file that is not a TF.js shard; undefined when there is none.
 */
export function droppedModelMain(names: readonly string[]): string | undefined {
  return names.find((n) => TFJS_MODEL.test(n)) ?? names.find((n) => MODEL_FILE.test(n) && !TFJS_SHARD.test(n));
}

/**
 * Whether dropped files are a model rather than a graph: any model file by name, or a lone
 * `model.json` (a graph file is never called that by the editor; the worker checks it is TF.js).
 */
export function isModelDrop(names: readonly string[]): boolean {
  return names.length > 0 && names.some((n) => MODEL_FILE.test(n) || TFJS_SHARD.test(n) || (TFJS_MODEL.test(n) && names.length > 1)) && droppedModelMain(names) !== undefined;
}
