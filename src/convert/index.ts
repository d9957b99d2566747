/**
 * Model files people keep (PyTorch checkpoints, safetensors) → ONNX: read the weights, recognise
 * the architecture from keys and shapes, build the graph with `src/onnx`. Nothing here runs code
 * from the file.
 */
import { isSafetensors, readSafetensors } from './safetensors.ts';
import { isZipCheckpoint, readTorchCheckpoint } from './torchCheckpoint.ts';
import { buildTaesdOnnx, detectTaesd, type TaesdInfo } from './taesd.ts';
import { ConvertError, type StateDict } from './types.ts';

export { ConvertError, type StateDict, type WeightTensor } from './types.ts';
export { readSafetensors } from './safetensors.ts';
export { readTorchCheckpoint } from './torchCheckpoint.ts';

export const KNOWN_ARCHITECTURES = ['taesd-encoder', 'taesd-decoder'] as const;

export type DetectedArchitecture = TaesdInfo;

export interface ConvertedModel {
  info: DetectedArchitecture;
  onnx: Uint8Array;
  /** Parameters in the checkpoint. */
  parameters: number;
}

/** Reads a checkpoint's weights, choosing the reader from the bytes (not the file name). */
export function readWeights(bytes: Uint8Array, file: string): StateDict {
  if (isZipCheckpoint(bytes)) return readTorchCheckpoint(bytes, file);
  if (isSafetensors(bytes)) return readSafetensors(bytes, file);
  throw new ConvertError(`${file} is neither a PyTorch zip checkpoint nor a safetensors file`);
}

export function detectArchitecture(sd: StateDict, file: string): DetectedArchitecture {
  const taesd = detectTaesd(sd);
  if (taesd) return taesd;
  const firstKeys = [...sd.keys()].slice(0, 6).map((k) => `${k} [${sd.get(k)!.shape.join(', ')}]`);
  throw new ConvertError(`${file}: unknown architecture (known: ${KNOWN_ARCHITECTURES.join(', ')}); its first keys are ${firstKeys.join(', ')}`);
}

export function convertCheckpoint(bytes: Uint8Array, file: string, options: { imageRange?: 'unit' | 'signed' } = {}): ConvertedModel {
  const sd = readWeights(bytes, file);
  const info = detectArchitecture(sd, file);
  let parameters = 0;
  for (const t of sd.values()) parameters += t.data.length;
  return { info, onnx: buildTaesdOnnx(sd, info, file, options), parameters };
}

/** File names the converters read (the bytes decide the reader; the name only routes them here). */
export const CHECKPOINT_EXTENSIONS = /\.(pth|pt|ckpt|bin|safetensors)$/i;
