import { defineNode } from '../define.ts';
import { servicesOf } from '../services.ts';
import { encodeImageBatch } from './encodeBatch.ts';

/** PNG tEXt keyword under which a saved image carries the graph that made it. */
export const PNG_GRAPH_KEYWORD = 'latentloom.graph';

/**
 * Saves each image of the batch as PNG with the graph embedded. In Node the host's
 * `writeFile` service stores it (the CLI: under --out); without one (the browser) the PNG bytes
 * are the node's result so the editor can offer them for download.
 */
export const imageSave = defineNode({
  type: 'image/save',
  version: 1,
  title: 'Save Image',
  category: 'image',
  description: 'Writes each image as a PNG that carries the graph in its metadata.',
  isOutput: true,
  inputs: { images: { type: 'IMAGE', label: 'Images' } },
  outputs: {},
  params: {
    filename_prefix: { kind: 'string', default: 'latentloom', label: 'File name prefix' },
    embed_graph: { kind: 'boolean', default: true, label: 'Embed graph', description: 'Store the graph JSON in a PNG tEXt chunk.' },
  },
  async run(ctx, inputs, params) {
    const prefix = params.filename_prefix;
    if (prefix === '' || /[\\/:*?"<>|\u0000-\u001f]/.test(prefix) || prefix.startsWith('.')) {
      throw new Error(`param "filename_prefix" must be a plain file name without path separators, got ${JSON.stringify(prefix)}`);
    }
    const text = params.embed_graph ? { [PNG_GRAPH_KEYWORD]: JSON.stringify(ctx.graph) } : undefined;
    const png = encodeImageBatch(inputs.images, text, ctx.signal, `image/save (node "${ctx.nodeId}")`);
    const { writeFile, writeNumberedFile } = servicesOf(ctx);
    const files: string[] = [];
    if (writeNumberedFile) {
      // The host picks each number (next free one in its folder), so reruns never overwrite.
      for (const bytes of png) {
        ctx.signal.throwIfAborted(); // a cancelled run stops between files, never inside one
        files.push(await writeNumberedFile(prefix, 'png', bytes));
      }
    } else if (writeFile) {
      for (let i = 0; i < png.length; i++) {
        files.push(await writeFile(`${prefix}_${String(i + 1).padStart(5, '0')}.png`, png[i]));
      }
    }
    if (files.length > 0) ctx.log.info(`saved ${files.join(', ')}`);
    return { files, png };
  },
});
