/**
 * The palette's search, as one pure function: node types and templates together, ranked. On top
 * of the fuzzy match over titles, types and categories, ComfyUI class names and common synonyms
 * (comfyAliases.ts) find what they mean here: "KSampler" → the sampler zone template, then the
 * loop's nodes; "CheckpointLoaderSimple" → Load model.
 */
import type { NodeTypeInfo } from '../catalog.ts';
import { COMFY_ALIASES, normaliseAlias } from './comfyAliases.ts';
import { fuzzyScore, searchNodeTypes, type PaletteFilter, type PaletteHit } from './fuzzy.ts';
import type { GraphTemplate } from './templates.ts';

export type PaletteRow =
  | { kind: 'node'; hit: PaletteHit; score: number; /** The ComfyUI name or synonym that found it. */ via?: string }
  | { kind: 'template'; template: GraphTemplate; score: number; via?: string };

/** Alias hits rank above every fuzzy hit; earlier entries (and earlier types in one entry) first. */
const ALIAS_SCORE = 1000;

interface AliasMatch {
  name: string;
  /** 3: the whole name, 2: its start, 1: inside it. */
  strength: number;
}

function matchAlias(query: string, names: readonly string[]): AliasMatch | undefined {
  const q = normaliseAlias(query);
  if (q.length < 3) return undefined;
  let best: AliasMatch | undefined;
  for (const name of names) {
    const n = normaliseAlias(name);
    const strength = n === q ? 3 : n.startsWith(q) ? 2 : q.length >= 5 && n.includes(q) ? 1 : 0;
    if (strength && (!best || strength > best.strength)) best = { name, strength };
  }
  return best;
}

export function searchPalette(
  infos: readonly NodeTypeInfo[],
  templates: readonly GraphTemplate[],
  query: string,
  filter: PaletteFilter = {},
  limit = 40,
): PaletteRow[] {
  const wired = !!(filter.acceptsType || filter.producesType);
  const rows = new Map<string, PaletteRow>();
  const put = (key: string, row: PaletteRow) => {
    const old = rows.get(key);
    if (!old || row.score > old.score) rows.set(key, row);
  };

  const fuzzy = searchNodeTypes(infos, query, filter);
  for (const hit of fuzzy) put(`node:${hit.info.type}`, { kind: 'node', hit, score: hit.score });
  if (!wired) {
    for (const template of templates) {
      const s = Math.max(fuzzyScore(query, template.title), fuzzyScore(query, template.description) - 4, fuzzyScore(query, 'template'));
      // Templates lead the list when nothing is typed, as before.
      if (query.trim() === '') put(`tpl:${template.id}`, { kind: 'template', template, score: ALIAS_SCORE * 10 });
      else if (s >= 0) put(`tpl:${template.id}`, { kind: 'template', template, score: s + 2 });
    }
  }

  // Every type the filter allows, with the port a dragged wire would use.
  const allowed = new Map(searchNodeTypes(infos, '', filter).map((h) => [h.info.type, h]));
  COMFY_ALIASES.forEach((alias, entry) => {
    const m = matchAlias(query, alias.names);
    if (!m) return;
    const base = ALIAS_SCORE + m.strength * 100 - entry * 0.5;
    if (!wired) {
      alias.templates?.forEach((title, i) => {
        const template = templates.find((t) => t.title === title);
        if (template) put(`tpl:${template.id}`, { kind: 'template', template, score: base + 50 - i, via: m.name });
      });
    }
    alias.types.forEach((type, i) => {
      const hit = allowed.get(type);
      if (hit) put(`node:${type}`, { kind: 'node', hit: { ...hit, score: base - i }, score: base - i, via: m.name });
    });
  });

  return [...rows.values()]
    .sort((a, b) => b.score - a.score || rowTitle(a).localeCompare(rowTitle(b)))
    .slice(0, limit);
}

function rowTitle(row: PaletteRow): string {
  return row.kind === 'node' ? row.hit.info.title : row.template.title;
}
