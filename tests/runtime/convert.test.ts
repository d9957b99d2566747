import { castTensor, prepareFeeds } from '../../src/runtime/convert.ts';
import { RuntimeError, type TensorMeta } from '../../src/runtime/types.ts';
import { Tensor } from '../../src/tensor/tensor.ts';

const sampleMeta: TensorMeta = { name: 'sample', type: 'float32', shape: ['batch', 4, 'h', 'w'] };
const sample2 = Tensor.zeros([2, 4, 2, 2]);

describe('prepareFeeds', () => {
  it('repeats a single timestep over a symbolic batch bound by the sample', () => {
    const metas: TensorMeta[] = [sampleMeta, { name: 'timestep', type: 'int64', shape: ['batch'] }];
    const fromNumber = prepareFeeds(metas, { sample: sample2, timestep: 999 }, { label: 'unet' });
    expect(fromNumber.timestep.shape).toEqual([2]);
    expect(Array.from(fromNumber.timestep.data as BigInt64Array)).toEqual([999n, 999n]);
    const fromTensor = prepareFeeds(metas, { sample: sample2, timestep: Tensor.float32([1], [500.4]) }, { label: 'unet' });
    expect(Array.from(fromTensor.timestep.data as BigInt64Array)).toEqual([500n, 500n]);
  });

  it('reshapes [1] to a rank-0 timestep and keeps a fixed [1]', () => {
    const scalar = prepareFeeds([{ name: 't', type: 'float32', shape: [] }], { t: Tensor.float32([1], [3.5]) }, { label: 'm' });
    expect(scalar.t.shape).toEqual([]);
    expect(scalar.t.data[0]).toBe(3.5);
    const fixed = prepareFeeds([{ name: 't', type: 'float16', shape: [1] }], { t: 1 }, { label: 'm' });
    expect(fixed.t.dtype).toBe('float16');
    expect(Array.from(fixed.t.data as Uint16Array)).toEqual([0x3c00]);
  });

  it('casts float32 to float16 and int32 ids to int64', () => {
    const out = prepareFeeds(
      [{ name: 'x', type: 'float16', shape: [2] }, { name: 'input_ids', type: 'int64', shape: [1, 2] }],
      { x: Tensor.float32([2], [1, -2]), input_ids: new Tensor('int32', [1, 2], Int32Array.from([49406, 49407])) },
      { label: 'm' },
    );
    expect(Array.from(out.x.data as Uint16Array)).toEqual([0x3c00, 0xc000]);
    expect(Array.from(out.input_ids.data as BigInt64Array)).toEqual([49406n, 49407n]);
    expect(Array.from(castTensor(out.x, 'float32').data as Float32Array)).toEqual([1, -2]);
  });

  it('refuses element types it cannot feed, naming the input', () => {
    expect(() => prepareFeeds([{ name: 'mask', type: 'bool', shape: [1] }], { mask: 1 }, { label: 'm.onnx', nodeId: 'n' })).toThrow(
      'node "n": m.onnx input `mask` has element type bool, which LatentLoom cannot feed',
    );
    let caught: unknown;
    try {
      prepareFeeds([sampleMeta], { sample: Tensor.zeros([1, 3, 2, 2]) }, { label: 'unet/model.onnx', nodeId: 'd' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RuntimeError);
    expect((caught as RuntimeError).code).toBe('shape-mismatch');
    expect((caught as RuntimeError).details).toEqual({ node: 'd', file: 'unet/model.onnx', port: 'sample' });
  });
});
