/** Palette templates built from the shipped example graphs, when those graphs are present. */
import { useMemo } from 'react';
import type { NodeCatalog } from '../catalog.ts';
import { openGraphText, type ExampleGraph } from '../files.ts';
import { availableTemplates, templateFromGraph, type GraphTemplate } from '../palette/templates.ts';

export const TEMPLATE_SOURCES: readonly [string, string, string][] = [
  ['toy-txt2img', 'Text-to-image sampler zone', 'prompt → encode → repeat zone (denoise, CFG, step) → decode'],
  ['toy-img2img', 'img2img', 'load image → encode → noise to strength → sampler zone → decode'],
  ['img2img', 'img2img', 'load image → encode → noise to strength → sampler zone → decode'],
  ['toy-cascade', 'Cascade', 'prior → decoder → upscaler'],
  ['cascade', 'Cascade', 'prior → decoder → upscaler'],
];

/**
 * The templates, built the first time they are asked for (the palette opening without a
 * filter): building them opens, checks and lays out three example graphs, which the first
 * paint has no use for.
 */
export function useExampleTemplates(catalog: NodeCatalog | undefined, examples: readonly ExampleGraph[]): () => GraphTemplate[] {
  return useMemo(() => {
    let built: GraphTemplate[] | undefined;
    return () => (built ??= catalog ? buildTemplates(catalog, examples) : []);
  }, [catalog, examples]);
}

function buildTemplates(catalog: NodeCatalog, examples: readonly ExampleGraph[]): GraphTemplate[] {
  const seen = new Set<string>();
  const list: GraphTemplate[] = [];
  for (const [name, title, description] of TEMPLATE_SOURCES) {
    const ex = examples.find((e) => e.name === name);
    if (!ex || seen.has(title)) continue;
    const opened = openGraphText(ex.text, name, catalog);
    if (!opened.doc) continue;
    seen.add(title);
    list.push(templateFromGraph(name, title, description, opened.doc));
  }
  return availableTemplates(list, catalog);
}
