/**
 * Model files people keep (PyTorch checkpoints, safetensors) → ONNX: read the weights, recognise
 * the architecture from keys and shapes, build the graph with `src/onnx`. Nothing here runs code
 * from the file.
 */
import { isSafetensors, readSafetensors } from './safetensors.ts';
import { isZipCheckpoint, readTorchCheckpoint } from './torchCheckpoint.ts';
import { buildTaesdOnnx, detectTaesd, type TaesdInfo } from './taesd.ts';
import { buildEsrganOnnx, detectEsrgan, type EsrganInfo } from './esrgan.ts';
import { ConvertError, type StateDict } from './types.ts';

export { ConvertError, type StateDict, type WeightTensor } from './types.ts';
export { readSafetensors } from './safetensors.ts';
export { readTorchCheckpoint } from './torchCheckpoint.ts';
export type { EsrganInfo } from './esrgan.ts';
export type { TaesdInfo } from './taesd.ts';

export const KNOWN_ARCHITECTURES = ['rrdbnet (ESRGAN, Real-ESRGAN)', 'srvggnet-compact', 'taesd-encoder', 'taesd-decoder'] as const;

export type DetectedArchitecture = TaesdInfo | EsrganInfo;

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
  const esrgan = detectEsrgan(sd);
  if (esrgan) return esrgan.info;
  const firstKeys = [...sd.keys()].slice(0, 6).map((k) => `${k} [${sd.get(k)!.shape.join(', ')}]`);
  throw new ConvertError(`${file}: unknown architecture (known: ${KNOWN_ARCHITECTURES.join(', ')}); its first keys are ${firstKeys.join(', ')}`);
}

export function convertCheckpoint(bytes: Uint8Array, file: string, options: { imageRange?: 'unit' | 'signed' } = {}): ConvertedModel {
  const sd = readWeights(bytes, file);
  const info = detectArchitecture(sd, file);
  let parameters = 0;
  for (const t of sd.values()) parameters += t.data.length;
  const onnx = info.architecture === 'taesd-encoder' || info.architecture === 'taesd-decoder'
    ? buildTaesdOnnx(sd, info, file, options)
    : buildEsrganOnnx(detectEsrgan(sd)!, file);
  return { info, onnx, parameters };
}

/** File names the converters read (the bytes decide the reader; the name only routes them here). */
export const CHECKPOINT_EXTENSIONS = /\.(pth|pt|ckpt|bin|safetensors)$/i;
