/**
 * onnxruntime-node sessions of tiny models run on one intra-op thread (node.ts, ONE_THREAD_BELOW_BYTES):
 * which models count as tiny, and that one thread gives the same bits as two.
 */
import { join } from 'node:path';
import { createNodeBackend, isTinyModel } from '../../src/runtime/backends/node.ts';
import { createNodeRuntime } from '../../src/runtime/node/index.ts';
import { folderSource } from '../../src/runtime/node/folderSource.ts';
import { packageModelFile } from '../../src/runtime/package.ts';
import { packageFileRef } from '../../src/runtime/handles.ts';
import type { ModelFile } from '../../src/runtime/types.ts';
import { makeTinySdPackages } from '../fixtures/tinySd.ts';
import { randomWeights } from '../fixtures/tinySdModels.ts';

const TOY = join(import.meta.dirname, '../../public/models/toy-shapes');
const fixtures = makeTinySdPackages(['sd-turbo']);
afterAll(() => fixtures.cleanup());

describe('which models get one thread', () => {
  it('a toy-shapes model (≈ 1 MB, weights inside) is tiny', async () => {
    expect(await isTinyModel(await packageModelFile(folderSource(TOY), 'unet/model.onnx'))).toBe(true);
  });

  it('a small model.onnx whose weights sit in model.onnx_data is not', async () => {
    const file = await packageModelFile(folderSource(fixtures.packages['sd-turbo'].dir), 'unet/model.onnx');
    expect((await file.externalData!()).length).toBeGreaterThan(0);
    expect(await isTinyModel(file)).toBe(false);
  });

  it('a file whose size is unknown is not', async () => {
    const real = await packageModelFile(folderSource(TOY), 'unet/model.onnx');
    const { size: _size, ...sizeless } = real;
    expect(await isTinyModel(sizeless as ModelFile)).toBe(false);
  });
});

it('the toy UNet gives the same bits on one thread (the default for it) as on two', async () => {
  const outputs: Float32Array[] = [];
  for (const backend of [createNodeBackend(), createNodeBackend({ intraOpNumThreads: 2 })]) {
    const runtime = createNodeRuntime({ backend });
    try {
      const pkg = await runtime.openPackage({ source: 'builtin:toy-shapes' });
      const unet = await runtime.session(packageFileRef(pkg, 'unet/model.onnx'));
      const out = await unet.run({
        sample: randomWeights(3, [2, 4, 16, 16], 1),
        timestep: 500,
        encoder_hidden_states: randomWeights(4, [2, 77, 16], 1),
      });
      const sample = Object.values(out)[0];
      expect(sample.dtype).toBe('float32');
      outputs.push(sample.data as Float32Array);
    } finally {
      await runtime.release();
    }
  }
  expect(outputs[0].length).toBe(2 * 4 * 16 * 16);
  expect(Array.from(outputs[0])).toEqual(Array.from(outputs[1]));
});
