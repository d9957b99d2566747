/** `onnx/model`: any ONNX file as a node, through the engine, with sockets from its metadata. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine } from '../../src/engine/index.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { inspectOnnxModelPorts } from '../../nodes/onnx/model.ts';
import { OnnxGraphBuilder } from '../../src/onnx/index.ts';
import { createNodeBackend } from '../../src/runtime/backends/node.ts';
import { createNodeRuntime } from '../../src/runtime/node/index.ts';
import type { Runtime } from '../../src/runtime/runtime.ts';
import { createRegistry } from '../../src/graph/registry.ts';
import type { NodeDefinition } from '../../src/graph/nodeSpec.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { graph } from './modelGraph.ts';

const dir = mkdtempSync(join(tmpdir(), 'll-onnxnode-'));
const modelPath = join(dir, 'twohead.onnx');
let runtime: Runtime;
let engine: Engine;

/** A test-only node that hands a fixed tensor to the graph. */
const tensorNode: NodeDefinition = {
  type: 'test/tensor',
  version: 1,
  title: 'tensor',
  category: 'test',
  description: '',
  inputs: {},
  outputs: { tensor: { type: 'TENSOR' } },
  params: {},
  run: () => ({ tensor: Tensor.float32([2, 2], [1, 2, 3, 4]) }),
};

beforeAll(() => {
  // a [N,2] float32 (fed as float16) → sum [N] and doubled [N,2] (int64 after a cast).
  const g = new OnnxGraphBuilder();
  const a = g.op('Cast', [g.input('a', 'float16', ['n', 2])], { to: 1 });
  g.output(g.op('ReduceSum', [a, g.constant(new Tensor('int64', [1], BigInt64Array.from([1n])))], { keepdims: 0 }), 'sum', 'float32', ['n']);
  g.output(g.op('Cast', [g.op('Add', [a, a])], { to: 7 }), 'doubled', 'int64', ['n', 2]);
  writeFileSync(modelPath, g.toBytes());
  runtime = createNodeRuntime({ backend: createNodeBackend({ intraOpNumThreads: 1 }) });
  engine = createEngine({ registry: createRegistry([...defaultRegistry().list(), tensorNode]), services: { runtime } });
});
afterAll(async () => {
  await runtime.release();
  rmSync(dir, { recursive: true, force: true });
});

describe('onnx/model', () => {
  it('exposes the model inputs and outputs as sockets and runs it with conversions', async () => {
    const ports = await inspectOnnxModelPorts(runtime, modelPath);
    expect(ports).toEqual({ inputs: [{ name: 'a', type: 'TENSOR' }], outputs: [{ name: 'sum', type: 'TENSOR' }, { name: 'doubled', type: 'TENSOR' }] });
    const g = graph({}, [['t', 'test/tensor'], ['m', 'onnx/model', { source: modelPath, ...ports }]], [['t.tensor', 'm.a']]);
    const result = await engine.run(g, { outputs: ['m'] });
    expect(result.error).toBeUndefined();
    const out = result.outputs.m as Record<string, Tensor>;
    expect(Array.from(out.sum.data as Float32Array)).toEqual([3, 7]);
    expect(out.doubled.dtype).toBe('int64');
    expect(Array.from(out.doubled.data as BigInt64Array)).toEqual([2n, 4n, 6n, 8n]);
  });

  it('names the node, file and socket when the saved sockets no longer match the file', async () => {
    const stale = graph({}, [['t', 'test/tensor'], ['m', 'onnx/model', { source: modelPath, inputs: [{ name: 'a', type: 'TENSOR' }], outputs: [{ name: 'logits', type: 'TENSOR' }] }]], [['t.tensor', 'm.a']]);
    const r1 = await engine.run(stale, { outputs: ['m'] });
    expect(r1.error?.node).toBe('m');
    expect(r1.error?.message).toContain(`${modelPath} has no output \`logits\`; outputs are: sum, doubled (re-inspect the model)`);
    const unfed = graph({}, [['m', 'onnx/model', { source: modelPath, inputs: [], outputs: [{ name: 'sum', type: 'TENSOR' }] }]], []);
    const r2 = await engine.run(unfed, { outputs: ['m'] });
    expect(r2.error?.node).toBe('m');
    expect(r2.error?.code).toBe('missing-input');
    expect(r2.error?.message).toContain(`${modelPath} needs input \`a\`; given: nothing`);
  });
});
