/**
 * Zone previews of a resident latent (the WebGPU path): each is a copy to the host, so they are
 * throttled — at most one per interval — and show the same picture as the host latent's.
 */
import { createZonePreview, latentStatePreview } from '../../src/worker/preview.ts';
import { createNodeBackend } from '../../src/runtime/backends/node.ts';
import { residentStats, type TensorDevice } from '../../src/tensor/resident.ts';
import { Tensor } from '../../src/tensor/tensor.ts';

const device = createNodeBackend({ resident: true }).device as TensorDevice;

function latent(): Tensor<'float32'> {
  return new Tensor('float32', [1, 4, 8, 8], Float32Array.from({ length: 256 }, (_, i) => Math.sin(i / 7)));
}

const info = (samples: unknown, iteration: number) => ({ zone: 'z', iteration, count: 20, state: { latent: { samples } }, types: { latent: 'LATENT' } });

describe('zone previews of resident latents', () => {
  it('download at most once per interval and match the host preview', async () => {
    const host = latent();
    const [resident] = await device.run('divide', [host], [1]);
    const hook = createZonePreview(() => undefined, 256, 60_000);
    const before = { ...residentStats };
    const first = hook(info(resident, 1));
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toEqual(latentStatePreview(info(host, 1)));
    // Within the interval: no preview, no copy.
    expect(hook(info(resident, 2))).toBeUndefined();
    expect(residentStats.downloads - before.downloads).toBe(1);
    expect(residentStats.previewDownloads - before.previewDownloads).toBe(1);
    // Host latents are previewed every time, as before.
    expect(hook(info(host, 3))).toEqual(latentStatePreview(info(host, 3)));
  });
});
