/**
 * Card boxes and zone frames of a laid-out graph, and the overlaps between them: what "no node
 * on top of another" means, for the shipped-graph test and the Tidy up check.
 */
import type { GraphDocument, GraphNode } from '../../graph/document.ts';
import type { Box } from '../canvas/align.ts';
import type { Size } from './cardSize.ts';

export type { Box };

/** Zone frame geometry, as flowModel draws it around the member cards. */
export const FRAME_PAD = 24;
export const FRAME_HEADER = 28;

export function cardBoxes(doc: Pick<GraphDocument, 'nodes'>, sizeOf: (node: GraphNode) => Size): Box[] {
  return doc.nodes.map((n) => ({ id: n.id, x: n.ui?.x ?? 0, y: n.ui?.y ?? 0, ...sizeOf(n) }));
}

/** The frame around `ids` (undefined when none of them has a box). */
export function frameBox(zone: string, ids: readonly string[], boxes: ReadonlyMap<string, Box>): Box | undefined {
  const own = ids.map((id) => boxes.get(id)).filter((b): b is Box => !!b);
  if (own.length === 0) return undefined;
  const minX = Math.min(...own.map((b) => b.x));
  const minY = Math.min(...own.map((b) => b.y));
  const maxX = Math.max(...own.map((b) => b.x + b.width));
  const maxY = Math.max(...own.map((b) => b.y + b.height));
  return { id: `zone:${zone}`, x: minX - FRAME_PAD, y: minY - FRAME_PAD - FRAME_HEADER, width: maxX - minX + 2 * FRAME_PAD, height: maxY - minY + 2 * FRAME_PAD + FRAME_HEADER };
}

export function intersects(a: Box, b: Box, gap = 0): boolean {
  return a.x < b.x + b.width + gap && b.x < a.x + a.width + gap && a.y < b.y + b.height + gap && b.y < a.y + a.height + gap;
}

/**
 * Every overlap: card on card, a card that is not a zone's member inside its frame, and frame on
 * frame. Each is named `a × b`.
 */
export function overlaps(boxes: readonly Box[], members: ReadonlyMap<string, readonly string[]> = new Map()): string[] {
  const found: string[] = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) if (intersects(boxes[i], boxes[j])) found.push(`${boxes[i].id} × ${boxes[j].id}`);
  }
  const byId = new Map(boxes.map((b) => [b.id, b]));
  const frames: Box[] = [];
  for (const [zone, ids] of members) {
    const frame = frameBox(zone, ids, byId);
    if (!frame) continue;
    frames.push(frame);
    const inZone = new Set(ids);
    for (const b of boxes) if (!inZone.has(b.id) && intersects(frame, b)) found.push(`${frame.id} × ${b.id}`);
  }
  for (let i = 0; i < frames.length; i++) {
    for (let j = i + 1; j < frames.length; j++) if (intersects(frames[i], frames[j])) found.push(`${frames[i].id} × ${frames[j].id}`);
  }
  return found;
}
