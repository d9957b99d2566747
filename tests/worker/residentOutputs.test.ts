/**
 * A run's targets leave the worker as host values: a LATENT target whose samples are resident
 * (on the GPU under WebGPU; here onnxruntime-node's resident path) comes back as a tensor copy of
 * its own, equal to the host path's, and the resident keeps its values for later readers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEngineWorkerApi } from '../../src/worker/engineApi.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { loadGraph } from '../../src/persistence/load.ts';
import { createNodeBackend } from '../../src/runtime/backends/node.ts';
import { createNodeRuntime } from '../../src/runtime/node/index.ts';
import type { TensorLike } from '../../src/tensor/tensor.ts';

function toyGraph() {
  const graph = JSON.parse(readFileSync(join(import.meta.dirname, '../../graphs/toy-txt2img.json'), 'utf8'));
  graph.nodes.find((n: { id: string }) => n.id === 'scheduler').params.steps = 3;
  const loaded = loadGraph(graph);
  if (!loaded.ok) throw new Error('graphs/toy-txt2img.json does not load');
  return loaded.graph;
}

async function finalLatent(resident: boolean): Promise<TensorLike<'float32'>> {
  const runtime = createNodeRuntime({ backend: createNodeBackend({ resident }) });
  const api = createEngineWorkerApi({ registry: defaultRegistry(), services: { runtime } });
  const result = await api.run(toyGraph(), { outputs: ['loop_out', 'decode'] });
  expect(result.ok).toBe(true);
  return (result.outputs.loop_out.latent as { samples: TensorLike<'float32'> }).samples;
}

describe('worker results with resident tensors', () => {
  it('come back as host tensors equal to the host path', async () => {
    const host = await finalLatent(false);
    const fromResident = await finalLatent(true);
    // As postMessage sends it: a plain { dtype, shape, data } (a resident would be { unserializable }).
    expect(fromResident.data).toBeInstanceOf(Float32Array);
    expect(fromResident.shape).toEqual(host.shape);
    expect(fromResident.data).toEqual(host.data);
  });
});
