import { defineNode } from '../define.ts';
import type { PortMap } from '../../src/graph/nodeSpec.ts';
import { REPEAT_OUTPUT_TYPE, REPEAT_PREVIEW_PORT } from '../../src/graph/zones.ts';
import { statePorts } from './statePorts.ts';

/**
 * End of a repeat zone: takes the next state from the body. After the last iteration its
 * outputs are the final state (with zero iterations, the initial state). An optional VAE on
 * `preview_vae` (typically a TAESD, wired from outside the zone) decodes the editor's live
 * per-iteration previews of the carried LATENT; without it they are a linear latent → RGB map.
 */
export const flowRepeatOutput = defineNode({
  type: REPEAT_OUTPUT_TYPE,
  version: 1,
  // Carries the state as it is: a resident latent stays on the device from one iteration to the next.
  residentInputs: true,
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
    return {
      inputs: {
        ...ports,
        [REPEAT_PREVIEW_PORT]: {
          type: 'VAE',
          optional: true,
          description: 'Decodes the live previews of the carried latent (e.g. a TAESD); previews only, not the outputs.',
        },
      },
      outputs: ports,
    };
  },
  run(_ctx, inputs, params) {
    const out: Record<string, unknown> = {};
    for (const item of params.state) out[item.name] = inputs[item.name];
    return out;
  },
});
