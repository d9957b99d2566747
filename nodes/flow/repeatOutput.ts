import { defineNode } from '../define.ts';
import type { PortMap } from '../../src/graph/nodeSpec.ts';
import { REPEAT_OUTPUT_TYPE } from '../../src/graph/zones.ts';
import { statePorts } from './statePorts.ts';

/**
 * End of a repeat zone: takes the next state from the body. After the last iteration its
 * outputs are the final state (with zero iterations, the initial state).
 */
export const flowRepeatOutput = defineNode({
  type: REPEAT_OUTPUT_TYPE,
  version: 1,
  title: 'Repeat Output',
  category: 'flow',
  description: 'End of a repeat zone: takes the next state from the body; after the last iteration outputs the final state.',
  inputs: {},
  outputs: {},
  params: {
    state: { kind: 'ports', default: [], label: 'State', description: 'Loop-carried values (same list on the paired repeat-input).' },
  },
  dynamicPorts(params) {
    const ports: PortMap = statePorts(params.state);
    return { inputs: ports, outputs: ports };
  },
  run(_ctx, inputs, params) {
    const out: Record<string, unknown> = {};
    for (const item of params.state) out[item.name] = inputs[item.name];
    return out;
  },
});
