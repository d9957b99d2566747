import { defineNode } from '../define.ts';

export const mathIntToFloat = defineNode({
  type: 'math/int-to-float',
  version: 1,
  title: 'Int to Float',
  category: 'math',
  description: 'Passes an integer on as a float.',
  inputs: { value: { type: 'INT' } },
  outputs: { value: { type: 'FLOAT' } },
  params: {},
  run(_ctx, inputs) {
    return { value: inputs.value };
  },
});
