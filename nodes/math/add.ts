import { defineNode } from '../define.ts';

export const mathAdd = defineNode({
  type: 'math/add',
  version: 1,
  title: 'Add',
  category: 'math',
  description: 'a + b',
  inputs: { a: { type: 'FLOAT' }, b: { type: 'FLOAT', optional: true } },
  outputs: { result: { type: 'FLOAT' } },
  params: { bias: { kind: 'float', default: 0, min: -1e9, max: 1e9 }, mode: { kind: 'enum', options: ['sum', 'diff'], default: 'sum' } },
  run(_ctx, inputs, params) {
    const b = inputs.b ?? 0;
    const mode: 'sum' | 'diff' = params.mode;
    return { result: (mode === 'sum' ? inputs.a + b : inputs.a - b) + params.bias };
  },
});
