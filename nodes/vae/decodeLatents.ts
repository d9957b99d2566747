/**
 * Latent → image with a VAE's decoder, shared by `vae/decode` and the live zone previews (so a
 * preview decoded with a TAESD shows exactly what `vae/decode` would): divides by the scaling
 * factor, runs the decoder one batch item at a time, maps [-1, 1] to [0, 1].
 */
import type { Runtime } from '../../src/runtime/runtime.ts';
import type { VaeHandle } from '../../src/runtime/handles.ts';
import { affineFloat, batchItem, concatBatch } from '../../src/runtime/batch.ts';
import { pickIo } from '../../src/runtime/roles.ts';
import { castTensor } from '../../src/runtime/convert.ts';
import { checkAllocation, type Tensor } from '../../src/tensor/tensor.ts';

export interface DecodeLatentsOptions {
  /** The node the work is reported under (errors, session requests). */
  nodeId: string;
  signal?: AbortSignal;
  progress?: (value: number, max: number) => void;
  /** Decode only the first `items` batch items (a preview needs one). */
  items?: number;
}

export async function decodeLatents(
  runtime: Runtime,
  vae: VaeHandle,
  samples: Tensor<'float32'>,
  options: DecodeLatentsOptions,
): Promise<Tensor<'float32'>> {
  const { nodeId, signal } = options;
  const progress = options.progress ?? (() => {});
  if (!vae.decoder) throw new Error(`node "${nodeId}": this VAE has no decoder`);
  const session = await runtime.session(vae.decoder, { nodeId, progress });
  const label = `node "${nodeId}": ${session.label}`;
  const inName = pickIo(session.inputs, vae.io?.decoderInput, ['latent_sample', 'latent', 'z', 'latents'], 'input', label);
  const outName = pickIo(session.outputs, vae.io?.decoderOutput, ['sample', 'image', 'output'], 'output', label);
  if (samples.shape.length !== 4) {
    throw new Error(`node "${nodeId}": latent must be [B, C, H, W], got [${samples.shape.join(', ')}]`);
  }
  const batch = Math.min(samples.shape[0], options.items ?? Infinity);
  const inv = 1 / vae.scalingFactor;
  const images: Tensor<'float32'>[] = [];
  for (let b = 0; b < batch; b++) {
    progress(b, batch);
    const item = affineFloat(batchItem(samples, b), inv, 0);
    const out = await session.run({ [inName]: item }, { nodeId, outputs: [outName], ...(signal ? { signal } : {}) });
    const decoded = castTensor(out[outName], 'float32') as Tensor<'float32'>;
    // The whole batch of images, sized from the first one, before decoding the rest.
    if (b === 0) checkAllocation(decoded.shape, 'float32', `vae/decode (node "${nodeId}")`, batch);
    // [-1, 1] → [0, 1]: (v + 1) / 2 and v * 0.5 + 0.5 round the same (halving is exact).
    images.push(affineFloat(decoded, 0.5, 0.5, true));
  }
  progress(batch, batch);
  return concatBatch(images);
}
