/**
 * A model file given as a checkpoint (`.pth`, `.safetensors`, …) or a TF.js layers model
 * (`model.json` + shards) instead of ONNX: read when first opened, converted with `src/convert`,
 * and kept per content hash so loading the same weights again (another node, a rerun, a renamed
 * copy) does not convert twice: in memory for this process, and in the converted-model store
 * (src/runtime/convertedStore.ts) across runs.
 */
import { convertCheckpoint, CHECKPOINT_EXTENSIONS, ConvertError } from '../../src/convert/index.ts';
import { buildTfjsOnnx, parseTfjsModelJson } from '../../src/convert/tfjs.ts';
import type { ModelFileRef } from '../../src/runtime/handles.ts';
import type { ModelFile } from '../../src/runtime/types.ts';
import { convertedStore } from '../../src/runtime/convertedStore.ts';

const converted = new Map<string, Promise<Uint8Array>>();

export const isCheckpointFile = (location: string) => CHECKPOINT_EXTENSIONS.test(location.trim());
export const isTfjsModelFile = (location: string) => /(^|\/)model\.json$/i.test(location.trim());

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as BufferSource);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Converts once per (content hash, purpose); a failed conversion is forgotten so a fixed file is retried. */
function once(key: string, convert: () => Uint8Array | Promise<Uint8Array>): Promise<Uint8Array> {
  let onnx = converted.get(key);
  if (!onnx) {
    onnx = (async () => {
      const store = await convertedStore().catch(() => undefined);
      const kept = await store?.get(key).catch(() => undefined);
      if (kept) return kept;
      const made = await convert();
      await store?.put(key, made).catch(() => undefined);
      return made;
    })();
    converted.set(key, onnx);
    onnx.catch(() => converted.delete(key));
  }
  return onnx;
}

function onnxFile(key: string, label: string, where: string | undefined, model: Uint8Array): ModelFile {
  return { key, label, ...(where !== undefined ? { where } : {}), read: async () => model, exists: async () => true, size: async () => model.length };
}

/**
 * Wraps `ref` (a checkpoint) as an ONNX model file; `expect` names the architectures the socket
 * takes, `imageRange` the value range of its images.
 */
export function convertedModelRef(
  ref: ModelFileRef,
  expect: string | readonly string[],
  where: string,
  imageRange: 'unit' | 'signed' = 'signed',
): ModelFileRef {
  const accepted = typeof expect === 'string' ? [expect] : expect;
  const purpose = `${accepted.join('|')}:${imageRange}`;
  return {
    key: `${ref.key}#converted-${purpose}`,
    label: ref.label,
    async resolve(): Promise<ModelFile> {
      const source = await ref.resolve();
      const bytes = await source.read();
      const hash = await sha256(bytes);
      const model = await once(`${hash}:${purpose}`, () => {
        const result = convertCheckpoint(bytes, ref.label, { imageRange });
        if (!accepted.includes(result.info.architecture)) {
          throw new ConvertError(`${where}: ${ref.label} is a ${result.info.architecture}, not a ${accepted.join(' or ')}`);
        }
        return result.onnx;
      });
      return onnxFile(`converted:${hash}:${purpose}`, ref.label, source.where, model);
    },
  };
}

/**
 * A TF.js layers model as an ONNX file: `modelJson` is the `model.json` ref, `shard(name)` gives
 * the ref of a weight file next to it. `valueRange` is the range the TF.js model works in.
 */
export function tfjsModelRef(modelJson: ModelFileRef, shard: (name: string) => ModelFileRef, valueRange: [number, number]): ModelFileRef {
  const purpose = `tfjs:${valueRange.join(',')}`;
  return {
    key: `${modelJson.key}#converted-${purpose}`,
    label: modelJson.label,
    async resolve(): Promise<ModelFile> {
      const source = await modelJson.resolve();
      const jsonBytes = await source.read();
      const model = parseTfjsModelJson(new TextDecoder().decode(jsonBytes), modelJson.label);
      const shards = new Map<string, Uint8Array>();
      for (const name of model.weightsManifest.flatMap((g) => g.paths)) {
        shards.set(name, await (await shard(name).resolve()).read());
      }
      const parts = [jsonBytes, ...shards.values()];
      const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        all.set(p, at);
        at += p.length;
      }
      const hash = await sha256(all);
      const onnx = await once(`${hash}:${purpose}`, () => buildTfjsOnnx(model, shards, modelJson.label, valueRange).onnx);
      return onnxFile(`converted:${hash}:${purpose}`, modelJson.label, source.where, onnx);
    },
  };
}
