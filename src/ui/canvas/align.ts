/** Align and distribute selected nodes (positions only; one undo step per command). */
export type AlignMode = 'left' | 'top' | 'center-x' | 'center-y' | 'distribute-x' | 'distribute-y';

export interface Box {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export function alignBoxes(boxes: readonly Box[], mode: AlignMode): Record<string, { x: number; y: number }> {
  const out: Record<string, { x: number; y: number }> = {};
  if (boxes.length < 2) return out;
  const minX = Math.min(...boxes.map((b) => b.x));
  const minY = Math.min(...boxes.map((b) => b.y));
  const cx = boxes.reduce((s, b) => s + b.x + b.width / 2, 0) / boxes.length;
  const cy = boxes.reduce((s, b) => s + b.y + b.height / 2, 0) / boxes.length;
  if (mode === 'distribute-x' || mode === 'distribute-y') {
    const horizontal = mode === 'distribute-x';
    const sorted = [...boxes].sort((a, b) => (horizontal ? a.x - b.x : a.y - b.y));
    const first = sorted[0];
    const last = sorted[sorted.length - 1];
    const total = sorted.reduce((s, b) => s + (horizontal ? b.width : b.height), 0);
    const span = horizontal ? last.x + last.width - first.x : last.y + last.height - first.y;
    const gap = (span - total) / (sorted.length - 1);
    let cursor = horizontal ? first.x : first.y;
    for (const b of sorted) {
      out[b.id] = horizontal ? { x: Math.round(cursor), y: b.y } : { x: b.x, y: Math.round(cursor) };
      cursor += (horizontal ? b.width : b.height) + gap;
    }
    return out;
  }
  for (const b of boxes) {
    if (mode === 'left') out[b.id] = { x: minX, y: b.y };
    else if (mode === 'top') out[b.id] = { x: b.x, y: minY };
    else if (mode === 'center-x') out[b.id] = { x: Math.round(cx - b.width / 2), y: b.y };
    else out[b.id] = { x: b.x, y: Math.round(cy - b.height / 2) };
  }
  return out;
}
