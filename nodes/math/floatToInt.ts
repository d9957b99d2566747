import { defineNode } from '../define.ts';

const ROUNDERS = { round: Math.round, floor: Math.floor, ceil: Math.ceil, trunc: Math.trunc } as const;

export const mathFloatToInt = defineNode({
  type: 'math/float-to-int',
  version: 1,
  title: 'Float to Int',
  category: 'math',
  description: 'Rounds a float to an integer (round, floor, ceil or trunc).',
  inputs: { value: { type: 'FLOAT' } },
  outputs: { value: { type: 'INT' } },
  params: { mode: { kind: 'enum', options: ['round', 'floor', 'ceil', 'trunc'], default: 'round' } },
  run(_ctx, inputs, params) {
    if (!Number.isFinite(inputs.value)) throw new Error(`input "value" must be finite, got ${inputs.value}`);
    return { value: ROUNDERS[params.mode](inputs.value) };
  },
});
