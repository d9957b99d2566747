/**
 * `onnx/model`: any ONNX file as a node. Its sockets are the model's inputs and outputs (TENSOR),
 * kept in hidden `ports` params that `inspectOnnxModelPorts` fills when the model is inspected
 * (the editor does it on pick; tests call it), so saved graphs validate without the file.
 */
import type { PortListItem, PortMap } from '../../src/graph/nodeSpec.ts';
import { fileRefFromLocation, requireRuntime, type Runtime } from '../../src/runtime/runtime.ts';
import type { Tensor } from '../../src/tensor/tensor.ts';
import { defineNode } from '../define.ts';

/** Input and output socket lists for a model file, read from its session metadata. */
export async function inspectOnnxModelPorts(runtime: Runtime, source: string): Promise<{ inputs: PortListItem[]; outputs: PortListItem[] }> {
  const session = await runtime.session(await fileRefFromLocation(runtime, source, 'onnx/model'));
  return {
    inputs: session.inputs.map((m) => ({ name: m.name, type: 'TENSOR' as const })),
    outputs: session.outputs.map((m) => ({ name: m.name, type: 'TENSOR' as const })),
  };
}

function toPortMap(items: readonly PortListItem[] | undefined): PortMap {
  const map: PortMap = {};
  for (const item of items ?? []) map[item.name] = { type: item.type };
  return map;
}

export const onnxModel = defineNode({
  type: 'onnx/model',
  needsRuntime: true,
  version: 1,
  title: 'ONNX model',
  category: 'onnx',
  description: 'Run any ONNX file; its inputs and outputs become TENSOR sockets named after them.',
  inputs: {},
  outputs: {},
  params: {
    source: { kind: 'string', default: '', label: 'Model file', placeholder: 'path/to/model.onnx or https://…/model.onnx' },
    inputs: { kind: 'ports', default: [], hidden: true },
    outputs: { kind: 'ports', default: [], hidden: true },
  },
  dynamicPorts(params) {
    return { inputs: toPortMap(params.inputs), outputs: toPortMap(params.outputs) };
  },
  async run(ctx, inputs, params) {
    const runtime = requireRuntime(ctx.services, ctx.nodeId);
    const ref = await fileRefFromLocation(runtime, params.source, `node "${ctx.nodeId}"`);
    const session = await runtime.session(ref, { nodeId: ctx.nodeId, progress: ctx.progress });
    const declared = new Set(session.outputs.map((o) => o.name));
    const stale = (params.outputs ?? []).filter((o) => !declared.has(o.name));
    if (stale.length > 0) {
      throw new Error(
        `node "${ctx.nodeId}": ${session.label} has no output ${stale.map((s) => `\`${s.name}\``).join(', ')}; outputs are: ${[...declared].join(', ')} (re-inspect the model)`,
      );
    }
    const feeds: Record<string, Tensor> = {};
    for (const m of session.inputs) {
      const v = inputs[m.name];
      if (v !== undefined) feeds[m.name] = v as Tensor;
    }
    const wanted = (params.outputs ?? []).map((o) => o.name);
    return session.run(feeds, { nodeId: ctx.nodeId, outputs: wanted.length > 0 ? wanted : undefined, signal: ctx.signal });
  },
});
