import { defineNode } from '../define.ts';

export const constString = defineNode({
  type: 'const/string',
  version: 1,
  title: 'String',
  category: 'const',
  description: 'A fixed single-line string.',
  inputs: {},
  outputs: { value: { type: 'STRING' } },
  params: { value: { kind: 'string', default: '' } },
  run(_ctx, _inputs, params) {
    return { value: String(params.value) };
  },
});
