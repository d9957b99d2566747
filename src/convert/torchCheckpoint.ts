/**
 * PyTorch zip checkpoints (`.pth` / `.pt` / `.ckpt`, what `torch.save` writes since 1.6): the zip
 * holds `<name>/data.pkl` (the pickled state dict, read by the restricted unpickler) and one file
 * per storage under `<name>/data/<key>`. Weights come out as float32 tensors.
 */
import { unzipSync } from 'fflate';
import { float16BitsToFloat32Array } from '../tensor/fp16.ts';
import { PickleError, unpickleStateDict, type PickleValue, type TensorRef } from './pickle.ts';
import { ConvertError, type StateDict, type WeightTensor } from './types.ts';

/** Largest checkpoint unpacked in memory; the models this reads are a few hundred MB at most. */
const MAX_UNPACKED_BYTES = 2 * 1024 ** 3;

const ELEMENT_BYTES: Record<string, number> = {
  HalfStorage: 2, BFloat16Storage: 2, FloatStorage: 4, DoubleStorage: 8,
  LongStorage: 8, IntStorage: 4, ShortStorage: 2, ByteStorage: 1, CharStorage: 1, BoolStorage: 1,
};

/** Where the weights sit in checkpoints that wrap them (ESRGAN trainers, Lightning, …). */
const WRAPPER_KEYS = ['params_ema', 'params', 'state_dict', 'model', 'module'];

export function isZipCheckpoint(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

function storageToFloat32(bytes: Uint8Array, type: string, file: string): Float32Array {
  const size = ELEMENT_BYTES[type];
  if (bytes.length % size !== 0) throw new ConvertError(`${file}: storage of ${bytes.length} bytes is not a whole number of ${type} elements`);
  const aligned = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  const n = bytes.length / size;
  const buf = aligned.buffer;
  const off = aligned.byteOffset;
  switch (type) {
    case 'FloatStorage': return new Float32Array(buf.slice(off, off + bytes.length));
    case 'HalfStorage': return float16BitsToFloat32Array(new Uint16Array(buf, off, n));
    case 'BFloat16Storage': {
      const bits = new Uint16Array(buf, off, n);
      const out = new Uint32Array(n);
      for (let i = 0; i < n; i++) out[i] = bits[i] << 16;
      return new Float32Array(out.buffer);
    }
    case 'DoubleStorage': return Float32Array.from(new Float64Array(buf, off, n));
    case 'LongStorage': return Float32Array.from(new BigInt64Array(buf, off, n), (v) => Number(v));
    case 'IntStorage': return Float32Array.from(new Int32Array(buf, off, n));
    case 'ShortStorage': return Float32Array.from(new Int16Array(buf, off, n));
    case 'CharStorage': return Float32Array.from(new Int8Array(buf, off, n));
    default: return Float32Array.from(bytes);
  }
}

function isContiguous(shape: number[], stride: number[]): boolean {
  if (shape.length !== stride.length) return false;
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && stride[i] !== expected) return false;
    expected *= shape[i];
  }
  return true;
}

function findStateDict(root: PickleValue, file: string): Map<PickleValue, PickleValue> {
  let dict = root;
  for (let depth = 0; depth < 3 && dict instanceof Map; depth++) {
    const hasTensor = [...dict.values()].some((v) => v !== null && typeof v === 'object' && 'kind' in v && v.kind === 'tensor');
    if (hasTensor) return dict;
    const wrapper = WRAPPER_KEYS.find((k) => dict instanceof Map && dict.get(k) instanceof Map);
    if (wrapper === undefined) break;
    dict = dict.get(wrapper)!;
  }
  throw new ConvertError(`${file}: no state dict of tensors found (looked at the top level and under ${WRAPPER_KEYS.join(', ')})`);
}

/** Reads a zip checkpoint into name → float32 tensor. Errors name the file and never run code from it. */
export function readTorchCheckpoint(bytes: Uint8Array, file = 'checkpoint'): StateDict {
  if (!isZipCheckpoint(bytes)) {
    throw new ConvertError(`${file} is not a PyTorch zip checkpoint (legacy pre-1.6 pickles are not read; re-save it with torch.save or as .safetensors)`);
  }
  let unpacked = 0;
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, {
      filter: (f) => {
        unpacked += f.originalSize;
        if (unpacked > MAX_UNPACKED_BYTES) throw new ConvertError(`${file} unpacks to over ${MAX_UNPACKED_BYTES / 1024 ** 3} GiB`);
        return true;
      },
    });
  } catch (err) {
    if (err instanceof ConvertError) throw err;
    throw new ConvertError(`${file} is a damaged or truncated zip (${err instanceof Error ? err.message : String(err)})`);
  }
  const pklName = Object.keys(entries).find((n) => /^[^/]+\/data\.pkl$/.test(n) || n === 'data.pkl');
  if (!pklName) throw new ConvertError(`${file} has no data.pkl: not a torch.save checkpoint`);
  const prefix = pklName.slice(0, pklName.length - 'data.pkl'.length);
  const order = entries[`${prefix}byteorder`];
  if (order && new TextDecoder().decode(order).trim() !== 'little') throw new ConvertError(`${file} was saved big-endian, which is not read`);

  let root: PickleValue;
  try {
    root = unpickleStateDict(entries[pklName]);
  } catch (err) {
    if (err instanceof PickleError) throw new ConvertError(`${file}: ${err.message}`);
    throw new ConvertError(`${file}: data.pkl is not a valid pickle`);
  }
  const dict = findStateDict(root, file);
  const storages = new Map<string, Float32Array>();
  const out: StateDict = new Map();
  for (const [key, value] of dict) {
    if (typeof key !== 'string' || value === null || typeof value !== 'object' || !('kind' in value) || value.kind !== 'tensor') continue;
    const ref = value as TensorRef;
    const storageFile = `${prefix}data/${ref.storage.key}`;
    let data = storages.get(storageFile);
    if (!data) {
      const raw = entries[storageFile];
      if (!raw) throw new ConvertError(`${file}: tensor "${key}" points at ${storageFile}, which is missing`);
      data = storageToFloat32(raw, ref.storage.storageType, file);
      storages.set(storageFile, data);
    }
    const count = ref.shape.reduce((a, b) => a * b, 1);
    if (!isContiguous(ref.shape, ref.stride)) throw new ConvertError(`${file}: tensor "${key}" is not contiguous (stride ${ref.stride.join(',')})`);
    if (ref.offset < 0 || ref.offset + count > data.length) {
      throw new ConvertError(`${file}: tensor "${key}" [${ref.shape.join(', ')}] runs past its storage of ${data.length} elements`);
    }
    const tensor: WeightTensor = { shape: ref.shape, data: data.subarray(ref.offset, ref.offset + count) };
    out.set(key, tensor);
  }
  if (out.size === 0) throw new ConvertError(`${file} holds no tensors`);
  return out;
}
