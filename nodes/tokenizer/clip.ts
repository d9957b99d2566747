/**
 * `tokenizer/clip`: loads a CLIP BPE tokenizer from a Hugging Face tokenizer folder
 * (`vocab.json` + `merges.txt`, or `tokenizer.json`, plus `tokenizer_config.json`) through the
 * host's file reader. Its TOKENIZER output is a ClipTokenizer, as `model/load` gives one.
 */
import { ClipTokenizer } from '../../src/diffusion/clipTokenizer.ts';
import { defineNode } from '../define.ts';
import { servicesOf } from '../services.ts';

export const tokenizerClip = defineNode({
  type: 'tokenizer/clip',
  version: 1,
  title: 'CLIP tokenizer',
  category: 'tokenizer',
  description: 'Load a CLIP tokenizer from a folder (vocab.json + merges.txt or tokenizer.json).',
  inputs: {},
  outputs: { tokenizer: { type: 'TOKENIZER' } },
  params: {
    path: { kind: 'string', default: '', label: 'Folder', placeholder: 'models/sd15/tokenizer' },
  },
  async run(ctx, _inputs, params) {
    const where = `tokenizer/clip (node "${ctx.nodeId}")`;
    const folder = params.path.trim();
    if (!folder) throw new Error(`${where}: param \`path\` is empty; set it to a tokenizer folder`);
    const readFile = servicesOf(ctx).readFile;
    if (!readFile) throw new Error(`${where}: this host cannot read local files (no readFile service)`);
    try {
      return { tokenizer: await ClipTokenizer.fromFolder(folder, { readFile: (p) => readFile(p) }) };
    } catch (e) {
      throw new Error(`${where}: ${(e as Error).message}`);
    }
  },
});
