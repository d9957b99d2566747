/**
 * Places converted nodes where the ComfyUI editor had their node (UI format only): the pieces of
 * one ComfyUI node (ids `n<id>_…`) sit in a small grid from its position, scaled apart so the
 * wider LatentLoom groups (a KSampler is a dozen nodes) keep ComfyUI's left-to-right reading.
 */
import type { RawNode } from './builder.ts';
import type { ComfyPrompt } from './types.ts';

const SCALE_X = 3;
const SCALE_Y = 2;
const CELL_X = 280;
const CELL_Y = 200;
const PER_ROW = 4;

export function layoutFromComfy(nodes: RawNode[], prompt: ComfyPrompt): void {
  const bySafeId = new Map<string, string>();
  for (const id of Object.keys(prompt)) bySafeId.set(id.replace(/[^\w-]+/g, '_'), id);
  const groups = new Map<string, RawNode[]>();
  for (const node of nodes) {
    const parts = node.id.slice(1).split('_');
    let comfyId: string | undefined;
    for (let n = 1; n < parts.length && comfyId === undefined; n++) comfyId = bySafeId.get(parts.slice(0, n).join('_'));
    if (!node.id.startsWith('n') || comfyId === undefined || !prompt[comfyId].pos) return;
    const list = groups.get(comfyId) ?? [];
    list.push(node);
    groups.set(comfyId, list);
  }
  for (const [id, list] of groups) {
    const [x, y] = prompt[id].pos!;
    list.forEach((node, k) => {
      node.ui = { x: Math.round(x * SCALE_X + (k % PER_ROW) * CELL_X), y: Math.round(y * SCALE_Y + Math.floor(k / PER_ROW) * CELL_Y) };
    });
  }
}
