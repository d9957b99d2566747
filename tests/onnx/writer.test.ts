import { existsSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { OnnxGraphBuilder, attr, readOnnxModelInfo } from '../../src/onnx/index.ts';
import { Tensor } from '../../src/tensor/tensor.ts';

async function runModel(bytes: Uint8Array | string, feeds: Record<string, ort.Tensor>) {
  const session = await ort.InferenceSession.create(bytes as Uint8Array);
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5) {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i])).toBeLessThanOrEqual(tol);
}

describe('OnnxGraphBuilder → onnxruntime-node', () => {
  it('Add and MatMul with dynamic batch', async () => {
    const g = new OnnxGraphBuilder();
    const x = g.input('x', 'float32', ['batch', 3]);
    const w = g.initializer('w', Tensor.float32([3, 2], [1, 2, 3, 4, 5, 6]));
    const b = g.constant(Tensor.float32([2], [0.5, -1]));
    const y = g.op('Add', [g.op('MatMul', [x, w]), b]);
    g.output(y, 'y', 'float32', ['batch', 2]);
    const out = await runModel(g.toBytes(), { x: new ort.Tensor('float32', Float32Array.from([1, 0, 2, -1, 1, 1]), [2, 3]) });
    // [1,0,2]·W = [1+10, 2+12] = [11,14]; [-1,1,1]·W = [-1+3+5, -2+4+6] = [7,8]
    expect(out.y.dims).toEqual([2, 2]);
    close(out.y.data as Float32Array, [11.5, 13, 7.5, 7]);
  });

  it('Conv with pads and strides attributes', async () => {
    const g = new OnnxGraphBuilder();
    const x = g.input('x', 'float32', [1, 1, 3, 3]);
    const k = g.constant(Tensor.float32([1, 1, 2, 2], [1, 0, 0, 1]));
    const y = g.op('Conv', [x, k], { kernel_shape: [2, 2], pads: [0, 0, 0, 0], strides: [1, 1] });
    g.output(y, 'y', 'float32', [1, 1, 2, 2]);
    const out = await runModel(g.toBytes(), { x: new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), [1, 1, 3, 3]) });
    close(out.y.data as Float32Array, [1 + 5, 2 + 6, 4 + 8, 5 + 9]);
  });

  it('Gather with int64 and int32 indices, Softmax with a negative axis', async () => {
    const g = new OnnxGraphBuilder();
    const ids = g.input('input_ids', 'int32', ['batch', 'seq']);
    const table = g.constant(Tensor.float32([4, 2], [0, 0, 1, 0, 0, 1, 2, 2]));
    const gathered = g.op('Gather', [table, ids], { axis: 0 });
    const soft = g.op('Softmax', [gathered], { axis: -1 });
    g.output(soft, 'probs', 'float32', ['batch', 'seq', 2]);
    const out = await runModel(g.toBytes(), { input_ids: new ort.Tensor('int32', Int32Array.from([1, 3]), [1, 2]) });
    const e = Math.exp(1) / (Math.exp(1) + 1);
    close(out.probs.data as Float32Array, [e, 1 - e, 0.5, 0.5]);
  });

  it('float16 I/O, int64 constants and float attributes', async () => {
    const g = new OnnxGraphBuilder();
    const x = g.input('x', 'float16', [2]);
    const t = g.input('t', 'int64', [1]);
    const xf = g.op('Cast', [x], { to: 1 });
    const tf = g.op('Cast', [t], { to: 1 });
    const sum = g.op('Add', [xf, tf]);
    const scaled = g.op('Gemm', [g.op('Unsqueeze', [sum, g.constant(new Tensor('int64', [1], BigInt64Array.from([0n])))]), g.constant(Tensor.float32([2, 2], [1, 0, 0, 1]))], { alpha: attr.float(2) });
    const half = g.op('Cast', [scaled], { to: 10 });
    g.output(half, 'y', 'float16', [1, 2]);
    // 1.0 = 0x3c00, 2.0 = 0x4000 in IEEE half
    const out = await runModel(g.toBytes(), {
      x: new ort.Tensor('float16', Uint16Array.from([0x3c00, 0x4000]), [2]),
      t: new ort.Tensor('int64', BigInt64Array.from([3n]), [1]),
    });
    const bits = out.y.data as Uint16Array;
    expect(Array.from(bits)).toEqual([0x4800, 0x4900]); // 8.0 and 10.0 (1.25·2³)
  });

  it('float16 and int32 initializers, and a named-output graph without an Identity', async () => {
    const g = new OnnxGraphBuilder();
    const x = g.input('x', 'float16', [3]);
    const i = g.input('i', 'int32', [3]);
    // 0.5, 1.5, -2 in IEEE half bits.
    g.op('Add', [x, g.constant(new Tensor('float16', [3], Uint16Array.from([0x3800, 0x3e00, 0xc000])))], undefined, { outputs: ['y'] });
    g.output('y', 'y', 'float16', [3]);
    g.output(g.op('Mul', [i, g.constant(new Tensor('int32', [3], Int32Array.from([2, -3, 4])))]), 'j', 'int32', [3]);
    const info = readOnnxModelInfo(g.toBytes());
    expect(info.nodeCount).toBe(3); // Add, Mul, and one Identity for `j` only
    expect(info.initializers.map((t) => [t.elemType, t.dims])).toEqual([['float16', [3]], ['int32', [3]]]);
    const out = await runModel(g.toBytes(), {
      x: new ort.Tensor('float16', Uint16Array.from([0x3c00, 0x3c00, 0x3c00]), [3]),
      i: new ort.Tensor('int32', Int32Array.from([1, 2, 3]), [3]),
    });
    expect(Array.from(out.y.data as Uint16Array)).toEqual([0x3e00, 0x4100, 0xbc00]); // 1.5, 2.5, -1
    expect(Array.from(out.j.data as Int32Array)).toEqual([2, -6, 12]);
  });

  it('external data: weights in model.onnx_data load from a folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'll-onnx-'));
    try {
      const g = new OnnxGraphBuilder();
      const x = g.input('x', 'float32', [1, 512]);
      const w = new Float32Array(512 * 4).map((_, i) => ((i % 7) - 3) / 10);
      const y = g.op('MatMul', [x, g.initializer('big_weight', Tensor.float32([512, 4], w))]);
      g.output(y, 'y', 'float32', [1, 4]);
      const files = g.toFiles();
      expect(files.externalData).toBeDefined();
      expect(files.externalData!.byteLength).toBe(512 * 4 * 4);
      writeFileSync(join(dir, 'model.onnx'), files.model);
      writeFileSync(join(dir, 'model.onnx_data'), files.externalData!);
      const info = readOnnxModelInfo(files.model);
      expect(info.externalDataFiles).toEqual(['model.onnx_data']);
      expect(info.initializers[0].external).toEqual({ location: 'model.onnx_data', offset: 0, length: 8192 });
      const xs = new Float32Array(512).fill(1);
      const out = await runModel(join(dir, 'model.onnx'), { x: new ort.Tensor('float32', xs, [1, 512]) });
      const expected = [0, 1, 2, 3].map((c) => { let s = 0; for (let r = 0; r < 512; r++) s += w[r * 4 + c]; return s; });
      close(out.y.data as Float32Array, expected, 1e-3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('readOnnxModelInfo', () => {
  function sample(): Uint8Array {
    const g = new OnnxGraphBuilder({ opset: 17 });
    const s = g.input('sample', 'float32', ['batch', 4, 'h', 'w']);
    const t = g.input('timestep', 'int64', [1]);
    const c = g.input('encoder_hidden_states', 'float16', ['batch', 77, 768]);
    g.output(g.op('Identity', [s]), 'out_sample', 'float32', ['batch', 4, 'h', 'w']);
    g.output(g.op('Identity', [t]), 't_out', 'int64');
    g.output(g.op('Identity', [c]), 'c_out', 'float16', [null, 77, 768]);
    g.metadataProp('latentloom.kind', 'unet');
    return g.toBytes();
  }

  it('lists inputs and outputs with types and dims', () => {
    const info = readOnnxModelInfo(sample());
    expect(info.irVersion).toBe(8);
    expect(info.opsets).toEqual([{ domain: '', version: 17 }]);
    expect(info.inputs).toEqual([
      { name: 'sample', elemType: 'float32', shape: ['batch', 4, 'h', 'w'] },
      { name: 'timestep', elemType: 'int64', shape: [1] },
      { name: 'encoder_hidden_states', elemType: 'float16', shape: ['batch', 77, 768] },
    ]);
    expect(info.outputs.map((o) => o.name)).toEqual(['out_sample', 't_out', 'c_out']);
    expect(info.outputs[1].shape).toBeUndefined();
    expect(info.outputs[2].shape).toEqual([null, 77, 768]);
    expect(info.metadata).toEqual({ 'latentloom.kind': 'unet' });
  });

  it('names the file when it is truncated, random or empty', () => {
    const bytes = sample();
    expect(() => readOnnxModelInfo(bytes.subarray(0, bytes.length - 20), 'unet/model.onnx')).toThrow(/unet\/model\.onnx.*truncated/);
    let seed = 12345;
    const random = new Uint8Array(4096).map(() => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff);
    expect(() => readOnnxModelInfo(random, 'vae_decoder/model.onnx')).toThrow(/vae_decoder\/model\.onnx (is not|is not a valid) (an )?ONNX model/);
    expect(() => readOnnxModelInfo(new Uint8Array(0), 'x.onnx')).toThrow(/x\.onnx is empty/);
    expect(() => readOnnxModelInfo(new TextEncoder().encode('<html>404 not found</html>'), 'a.onnx')).toThrow(/a\.onnx/);
  });
});

describe('readOnnxModelInfo on real exports (../shared/data, skipped when absent)', () => {
  const dir = join(process.cwd(), '..', 'shared', 'data', 'vaelight');
  const present = existsSync(join(dir, 'VAEpreview.onnx'));
  if (!present) console.warn(`SKIP real-export reader test: ${dir} not found`);
  it.skipIf(!present)('lists the same inputs and outputs as onnxruntime', async () => {
    for (const name of ['VAEencoder.onnx', 'VAEpreview.onnx']) {
      const bytes = new Uint8Array(readFileSync(join(dir, name)));
      const info = readOnnxModelInfo(bytes, name);
      const session = await ort.InferenceSession.create(bytes);
      expect(info.inputs.map((i) => i.name)).toEqual([...session.inputNames]);
      expect(info.outputs.map((o) => o.name)).toEqual([...session.outputNames]);
      expect(info.inputs[0].elemType).toBe('float32');
      expect(info.nodeCount).toBeGreaterThan(10);
      await session.release();
      // Any cut of a real file is reported as truncated, never parsed as a smaller model.
      for (const cut of [10, 1000, Math.floor(bytes.length / 2), bytes.length - 1]) {
        expect(() => readOnnxModelInfo(bytes.subarray(0, cut), name)).toThrow(new RegExp(`${name.replace('.', '\\.')} is not (a valid|an) ONNX model`));
      }
    }
  });
});
