import { defineNode } from '../define.ts';

export const constFloat = defineNode({
  type: 'const/float',
  version: 1,
  title: 'Float',
  category: 'const',
  description: 'A fixed number.',
  inputs: {},
  outputs: { value: { type: 'FLOAT' } },
  params: { value: { kind: 'float', default: 0, step: 0.01 } },
  run(_ctx, _inputs, params) {
    if (typeof params.value !== 'number' || !Number.isFinite(params.value)) {
      throw new Error(`param "value" must be a finite number, got ${String(params.value)}`);
    }
    return { value: params.value };
  },
});
