/**
 * A model file given as a checkpoint (`.pth`, `.safetensors`, …) instead of ONNX: read when first
 * opened, converted with `src/convert`, and kept per content hash so loading the same weights
 * again (another node, a rerun, a renamed copy) does not convert twice.
 */
import { convertCheckpoint, CHECKPOINT_EXTENSIONS, ConvertError } from '../../src/convert/index.ts';
import type { ModelFileRef } from '../../src/runtime/handles.ts';
import type { ModelFile } from '../../src/runtime/types.ts';

const converted = new Map<string, Promise<Uint8Array>>();

export const isCheckpointFile = (location: string) => CHECKPOINT_EXTENSIONS.test(location.trim());

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as BufferSource);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Wraps `ref` (a checkpoint) as an ONNX model file; `expect` names the architecture the socket needs. */
export function convertedModelRef(ref: ModelFileRef, expect: 'taesd-encoder' | 'taesd-decoder', where: string): ModelFileRef {
  return {
    key: `${ref.key}#converted-${expect}`,
    label: ref.label,
    async resolve(): Promise<ModelFile> {
      const source = await ref.resolve();
      const bytes = await source.read();
      const hash = await sha256(bytes);
      let onnx = converted.get(`${hash}:${expect}`);
      if (!onnx) {
        onnx = (async () => {
          const model = convertCheckpoint(bytes, ref.label, { imageRange: 'signed' });
          if (model.info.architecture !== expect) {
            throw new ConvertError(`${where}: ${ref.label} is a ${model.info.architecture}, not a ${expect}`);
          }
          return model.onnx;
        })();
        converted.set(`${hash}:${expect}`, onnx);
        onnx.catch(() => converted.delete(`${hash}:${expect}`));
      }
      const model = await onnx;
      return { key: `converted:${hash}:${expect}`, label: ref.label, where: source.where, read: async () => model, exists: async () => true, size: async () => model.length };
    },
  };
}
