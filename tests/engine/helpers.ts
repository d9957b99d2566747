/**
 * Test fixtures for engine semantics: a registry of the shipped nodes plus small instrumented
 * nodes that count their runs, and a terse graph builder.
 */
import { defineNode } from '../../nodes/define.ts';
import { ALL_NODES } from '../../nodes/index.ts';
import { createRegistry } from '../../src/graph/registry.ts';
import type { GraphDocument, GraphEdge, GraphNode } from '../../src/graph/document.ts';
import type { EngineEvent } from '../../src/engine/events.ts';

export function makeTestNodes() {
  const runs = new Map<string, number>();
  const count = (id: string) => runs.set(id, (runs.get(id) ?? 0) + 1);
  /** A buffer of `size` floats filled with `value` (an output node, so it can be a target). */
  const buffer = defineNode({
    type: 'test/buffer',
    version: 1,
    title: 'Buffer',
    category: 'test',
    description: 'Makes a Float32Array, or transforms its input one.',
    inputs: { input: { type: 'TENSOR', optional: true } },
    outputs: { out: { type: 'TENSOR' } },
    params: { size: { kind: 'int', default: 4 }, add: { kind: 'float', default: 1 } },
    run(ctx, inputs, params) {
      count(ctx.nodeId);
      const data = new Float32Array(params.size);
      const prev = inputs.input?.data as Float32Array | undefined;
      for (let i = 0; i < data.length; i++) data[i] = (prev?.[i] ?? 0) + params.add;
      return { out: { dtype: 'float32', shape: [data.length], data } as never };
    },
  });
  /** Collects a number: the default target of most tests. */
  const sink = defineNode({
    type: 'test/sink',
    version: 1,
    title: 'Sink',
    category: 'test',
    description: 'Output node that passes a number through.',
    isOutput: true,
    inputs: { value: { type: 'ANY' } },
    outputs: { value: { type: 'ANY' } },
    params: {},
    run(ctx, inputs) {
      count(ctx.nodeId);
      return { value: inputs.value };
    },
  });
  /** Counts its runs and forwards a float (lets tests see which nodes ran). */
  const probe = defineNode({
    type: 'test/probe',
    version: 1,
    title: 'Probe',
    category: 'test',
    description: 'x + offset, counted.',
    inputs: { x: { type: 'FLOAT', optional: true } },
    outputs: { y: { type: 'FLOAT' } },
    params: { offset: { kind: 'float', default: 0 }, fail: { kind: 'boolean', default: false } },
    run(ctx, inputs, params) {
      count(ctx.nodeId);
      if (params.fail) throw new Error('probe was told to fail');
      return { y: (inputs.x ?? 0) + params.offset };
    },
  });
  const random = defineNode({
    type: 'test/random',
    version: 1,
    title: 'Random',
    category: 'test',
    description: 'Non-deterministic number.',
    deterministic: false,
    inputs: {},
    outputs: { y: { type: 'FLOAT' } },
    params: {},
    run(ctx) {
      count(ctx.nodeId);
      return { y: Math.random() };
    },
  });
  /** Aborts the given controller when it sees iteration `at` (to test cancellation). */
  const controllers = new Map<string, AbortController>();
  const aborter = defineNode({
    type: 'test/abort-at',
    version: 1,
    title: 'Abort at',
    category: 'test',
    description: 'Aborts the run when index equals `at`.',
    inputs: { index: { type: 'INT' }, x: { type: 'FLOAT' } },
    outputs: { y: { type: 'FLOAT' } },
    params: { at: { kind: 'int', default: 0 } },
    run(ctx, inputs, params) {
      count(ctx.nodeId);
      if (inputs.index === params.at) controllers.get('current')?.abort();
      return { y: inputs.x };
    },
  });
  const registry = createRegistry([...ALL_NODES, buffer, sink, probe, random, aborter]);
  return { registry, runs, controllers, ranCount: (id: string) => runs.get(id) ?? 0 };
}

export function node(id: string, type: string, params: Record<string, unknown> = {}, extra: Partial<GraphNode> = {}): GraphNode {
  return { id, type, version: 1, params, ...extra };
}

/** `"a.out->b.in"` → edge. */
export function edge(spec: string): GraphEdge {
  const [from, to] = spec.split('->');
  const [fn, fp] = from.split('.');
  const [tn, tp] = to.split('.');
  return { from: { node: fn, port: fp }, to: { node: tn, port: tp } };
}

export function graph(nodes: GraphNode[], edges: string[]): GraphDocument {
  return { format: 'latentloom.graph', version: 1, meta: {}, models: {}, nodes, edges: edges.map(edge) };
}

export function recorder() {
  const events: EngineEvent[] = [];
  return { events, onEvent: (e: EngineEvent) => events.push(e), started: () => events.filter((e) => e.type === 'node-start').map((e) => (e as { node: string }).node) };
}

/** A zone summing `x += index + step.offset` over `count` iterations, with a loop-invariant probe. */
export function sumZoneGraph(count: number, initial = 0): GraphDocument {
  const state = [{ name: 'x', type: 'FLOAT' }];
  return graph(
    [
      node('count', 'const/int', { value: count }),
      node('init', 'const/float', { value: initial }),
      node('rin', 'flow/repeat-input', { state }, { zone: 'loop' }),
      node('invariant', 'test/probe', { offset: 100 }, { zone: 'loop' }),
      node('idx', 'math/int-to-float', {}, { zone: 'loop' }),
      node('add', 'math/add', {}, { zone: 'loop' }),
      node('step', 'test/probe', { offset: 100 }, { zone: 'loop' }),
      node('sub', 'math/add', { mode: 'diff' }, { zone: 'loop' }),
      node('rout', 'flow/repeat-output', { state }, { zone: 'loop' }),
      node('out', 'test/sink'),
    ],
    [
      'count.value->rin.count',
      'init.value->rin.x',
      'rin.index->idx.value',
      'rin.x->add.a',
      'idx.value->add.b',
      // step adds 100 and sub takes the loop-invariant 100 away again: x += index
      'add.result->step.x',
      'step.y->sub.a',
      'invariant.y->sub.b',
      'sub.result->rout.x',
      'rout.x->out.value',
    ],
  );
}
