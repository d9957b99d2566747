/**
 * The palette speaks ComfyUI: class names and common synonyms find the LatentLoom node types
 * or templates they mean (pure search function, real node descriptions, templates built from
 * the shipped example graphs).
 */
import { readFileSync } from 'node:fs';
import { ALL_NODES } from '../../nodes/index.ts';
import { NodeCatalog, toNodeTypeInfo } from '../../src/ui/catalog.ts';
import { loadGraph } from '../../src/persistence/load.ts';
import { COMFY_ALIASES } from '../../src/ui/palette/comfyAliases.ts';
import { searchPalette, type PaletteRow } from '../../src/ui/palette/search.ts';
import { availableTemplates, templateFromGraph, type GraphTemplate } from '../../src/ui/palette/templates.ts';

const catalog = new NodeCatalog(ALL_NODES.map(toNodeTypeInfo));

function template(file: string, title: string): GraphTemplate {
  const loaded = loadGraph(readFileSync(new URL(`../../graphs/${file}.json`, import.meta.url), 'utf8'));
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  return templateFromGraph(file, title, '', loaded.graph);
}

const templates = availableTemplates([
  template('toy-txt2img', 'Text-to-image sampler zone'),
  template('toy-img2img', 'img2img'),
  template('toy-cascade', 'Cascade'),
], catalog);

const key = (row: PaletteRow) => (row.kind === 'node' ? row.hit.info.type : `template:${row.template.title}`);
const top = (query: string, n = 3) => searchPalette(catalog.infos, templates, query).slice(0, n).map(key);

describe('palette search: ComfyUI names and synonyms', () => {
  it.each([
    ['KSampler', 'template:Text-to-image sampler zone'],
    ['ksampler', 'template:Text-to-image sampler zone'],
    ['KSamplerAdvanced', 'template:Text-to-image sampler zone'],
    ['sampler', 'template:Text-to-image sampler zone'],
    ['CheckpointLoaderSimple', 'model/load'],
    ['checkpoint', 'model/load'],
    ['EmptyLatentImage', 'latent/empty'],
    ['CLIPTextEncode', 'text/prompt'],
    ['prompt', 'text/prompt'],
    ['VAEDecode', 'vae/decode'],
    ['VAEEncode', 'vae/encode'],
    ['SaveImage', 'image/save'],
    ['PreviewImage', 'image/preview'],
    ['LoadImage', 'template:img2img'],
    ['LatentUpscale', 'latent/upscale'],
    ['ImageScale', 'image/resize'],
    ['UpscaleModelLoader', 'model/load-upscaler'],
    ['ImageUpscaleWithModel', 'image/upscale-model'],
    ['upscale', 'template:Cascade'],
  ])('%s → %s first', (query, first) => {
    expect(top(query, 1)).toEqual([first]);
  });

  it('KSampler also lists the nodes of the sampling loop, and says which name found them', () => {
    const rows = searchPalette(catalog.infos, templates, 'KSampler');
    const keys = rows.map(key);
    for (const type of ['diffusion/denoise', 'sampling/step', 'sampling/scheduler']) expect(keys).toContain(type);
    expect(rows[0].via).toBe('KSampler');
    expect(top('CLIPTextEncode', 2)).toEqual(['text/prompt', 'text/encode']);
    expect(top('upscale', 4)).toEqual(['template:Cascade', 'image/upscale-model', 'model/load-upscaler', 'latent/upscale']);
  });

  it('names may be typed with spaces, in part, or in any case', () => {
    expect(top('K Sampler', 1)).toEqual(['template:Text-to-image sampler zone']);
    expect(top('empty_latent', 1)).toEqual(['latent/empty']);
    expect(top('vaedec', 1)).toEqual(['vae/decode']);
    expect(top('checkpointloader', 1)).toEqual(['model/load']);
  });

  it('a palette without templates (a wire dragged out) still finds the nodes, within the filter', () => {
    expect(top('KSampler', 1)).toContain('template:Text-to-image sampler zone');
    const noTemplates = searchPalette(catalog.infos, [], 'KSampler').map(key);
    expect(noTemplates[0]).toBe('diffusion/denoise');
    // Dragged from an IMAGE output: only nodes taking an IMAGE, never templates.
    const wired = searchPalette(catalog.infos, templates, 'SaveImage', { acceptsType: 'IMAGE' }).map(key);
    expect(wired[0]).toBe('image/save');
    expect(wired.some((k) => k.startsWith('template:'))).toBe(false);
    const fromLatent = searchPalette(catalog.infos, templates, 'VAEDecode', { acceptsType: 'LATENT' }).map(key);
    expect(fromLatent[0]).toBe('vae/decode');
  });

  it('plain fuzzy search is unchanged: empty query lists templates first; titles still match', () => {
    const all = searchPalette(catalog.infos, templates, '');
    expect(all.slice(0, templates.length).every((r) => r.kind === 'template')).toBe(true);
    expect(top('const float', 1)).toEqual(['const/float']);
    expect(top('text-to-image', 1)).toEqual(['template:Text-to-image sampler zone']);
  });

  it('every type an alias names exists in the node set', () => {
    for (const alias of COMFY_ALIASES) for (const type of alias.types) expect(catalog.get(type), `${alias.names[0]} → ${type}`).toBeDefined();
  });
});
