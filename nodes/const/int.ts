import { defineNode } from '../define.ts';

export const constInt = defineNode({
  type: 'const/int',
  version: 1,
  title: 'Integer',
  category: 'const',
  description: 'A fixed integer.',
  inputs: {},
  outputs: { value: { type: 'INT' } },
  params: { value: { kind: 'int', default: 0, min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER } },
  run(_ctx, _inputs, params) {
    if (!Number.isInteger(params.value)) throw new Error(`param "value" must be an integer, got ${params.value}`);
    return { value: params.value };
  },
});
