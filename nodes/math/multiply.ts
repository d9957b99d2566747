import { defineNode } from '../define.ts';

export const mathMultiply = defineNode({
  type: 'math/multiply',
  version: 1,
  title: 'Multiply',
  category: 'math',
  description: 'a × b (b defaults to the "factor" param when unconnected).',
  inputs: { a: { type: 'FLOAT' }, b: { type: 'FLOAT', optional: true } },
  outputs: { result: { type: 'FLOAT' } },
  params: { factor: { kind: 'float', default: 1 } },
  run(_ctx, inputs, params) {
    return { result: inputs.a * (inputs.b ?? params.factor) };
  },
});
