import { defineNode } from '../define.ts';
import type { PortMap } from '../../src/graph/nodeSpec.ts';
import { REPEAT_INPUT_TYPE } from '../../src/graph/zones.ts';
import { statePorts } from './statePorts.ts';

/** Largest iteration count accepted; a typo like 1e9 steps should fail fast, not hang. */
export const MAX_REPEAT_COUNT = 1_000_000;

/**
 * Start of a repeat zone. The engine's zone runner drives it: iteration 0 gets the initial state
 * from this node's inputs (via `run`), later iterations the state its paired repeat-output gave.
 */
export const flowRepeatInput = defineNode({
  type: REPEAT_INPUT_TYPE,
  version: 1,
  // Carries the state as it is: a resident latent stays on the device from one iteration to the next.
  residentInputs: true,
  title: 'Repeat Input',
  category: 'flow',
  description:
    'Start of a repeat zone: runs the body `count` times, carrying the state items from one iteration to the next. Outputs the iteration index (0-based) and the current state.',
  inputs: { count: { type: 'INT', label: 'Count' } },
  outputs: { index: { type: 'INT', label: 'Index' } },
  params: {
    state: { kind: 'ports', default: [], label: 'State', description: 'Loop-carried values (same list on the paired repeat-output).' },
  },
  dynamicPorts(params) {
    const ports: PortMap = statePorts(params.state);
    return { inputs: ports, outputs: ports };
  },
  run(_ctx, inputs, params) {
    const count = inputs.count;
    if (!Number.isInteger(count) || count < 0 || count > MAX_REPEAT_COUNT) {
      throw Object.assign(new Error(`count must be an integer in [0, ${MAX_REPEAT_COUNT}], got ${String(count)}`), {
        code: 'invalid-count',
      });
    }
    const out: Record<string, unknown> = { index: 0 };
    for (const item of params.state) out[item.name] = inputs[item.name];
    return out as { index: number };
  },
});
