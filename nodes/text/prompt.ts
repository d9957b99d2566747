import { defineNode } from '../define.ts';

export const textPrompt = defineNode({
  type: 'text/prompt',
  version: 1,
  title: 'Prompt',
  category: 'text',
  description: 'Multi-line prompt text for a tokenizer.',
  inputs: {},
  outputs: { text: { type: 'TEXT' } },
  params: { text: { kind: 'string', default: '', multiline: true, placeholder: 'a photo of a cat' } },
  run(_ctx, _inputs, params) {
    return { text: String(params.text) };
  },
});
