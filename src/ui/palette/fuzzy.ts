/**
 * Fuzzy matching for the node search palette: the query's characters must appear in order;
 * matches at word starts and consecutive runs score higher (like editor "go to symbol" pickers).
 */
import type { PortType } from '../../graph/portTypes.ts';
import { isAssignable } from '../../graph/portTypes.ts';
import type { NodeTypeInfo } from '../catalog.ts';

/** Score of `query` against `text` (higher is better), or -1 when it does not match. */
export function fuzzyScore(query: string, text: string): number {
  const q = query.toLowerCase().replace(/\s+/g, '');
  const t = text.toLowerCase();
  if (q === '') return 0;
  let score = 0;
  let ti = 0;
  let run = 0;
  for (const ch of q) {
    const found = t.indexOf(ch, ti);
    if (found < 0) return -1;
    const wordStart = found === 0 || /[\s/_\-.]/.test(t[found - 1]);
    run = found === ti ? run + 1 : 1;
    score += 1 + (wordStart ? 4 : 0) + (run > 1 ? 2 * run : 0) - Math.min(3, found - ti) * 0.25;
    ti = found + 1;
  }
  if (t.startsWith(q)) score += 8;
  if (t.includes(q)) score += 4;
  return score;
}

export interface PaletteFilter {
  /** Only types with an input that accepts this type (a wire dragged from an output). */
  acceptsType?: PortType;
  /** Only types with an output assignable to this type (a wire dragged from an input). */
  producesType?: PortType;
}

export interface PaletteHit {
  info: NodeTypeInfo;
  score: number;
  /** The port that the dragged wire would connect to. */
  port?: string;
}

function firstPort(ports: NodeTypeInfo['inputs'], ok: (t: PortType) => boolean): string | undefined {
  return Object.entries(ports).find(([, p]) => ok(p.type))?.[0];
}

export function searchNodeTypes(infos: readonly NodeTypeInfo[], query: string, filter: PaletteFilter = {}): PaletteHit[] {
  const hits: PaletteHit[] = [];
  for (const info of infos) {
    let port: string | undefined;
    if (filter.acceptsType) {
      port = firstPort(info.inputs, (t) => isAssignable(filter.acceptsType!, t));
      if (!port) continue;
    }
    if (filter.producesType) {
      port = firstPort(info.outputs, (t) => isAssignable(t, filter.producesType!));
      if (!port) continue;
    }
    // Title matches rank above type-id matches, which rank above category-only matches.
    const weighted = [
      [fuzzyScore(query, info.title), 2],
      [fuzzyScore(query, info.type), 0],
      [fuzzyScore(query, info.category), -1],
    ].filter(([s]) => s >= 0).map(([s, bonus]) => s + bonus);
    if (weighted.length === 0) continue;
    const score = Math.max(...weighted);
    hits.push({ info, score, port });
  }
  return hits.sort((a, b) => b.score - a.score || a.info.title.localeCompare(b.info.title));
}
