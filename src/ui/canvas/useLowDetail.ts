/**
 * A card's level of detail (detail.ts) and the height it had when last drawn in full, so the
 * minimal body keeps the card's size: React Flow measures the drawn card, and fitting, the
 * minimap, selection boxes and overlap checks use that size.
 *
 * The height is read in the render that switches the card to minimal, while the DOM still
 * holds the full card, and not after every full drawing: a read after each commit would force a
 * layout inside the commit (on the editor's first drawing, the whole page's first layout), and at
 * the switch the page is laid out already, so the read costs nothing.
 */
import { useLayoutEffect, useRef, type RefObject } from 'react';
import { useStore } from '@xyflow/react';
import { isLowDetail } from './detail.ts';

export interface LowDetail {
  low: boolean;
  /** Put on the card's root element. */
  ref: RefObject<HTMLDivElement | null>;
  /** The full card's height (border box) while drawn minimal, when it was drawn in full with the same `key`. */
  height?: number;
}

/** What `drawnInFull` holds while the DOM has the minimal card (or none yet). */
const NOT_FULL = Symbol('not drawn in full');

/** `key` is what the full card's height depends on (its data): a height measured for other data is not reused. */
export function useLowDetail(key: unknown): LowDetail {
  const low = useStore(isLowDetail);
  const ref = useRef<HTMLDivElement>(null);
  // The key of the full card the DOM holds now (NOT_FULL once the minimal one is committed).
  const drawnInFull = useRef<unknown>(NOT_FULL);
  const measured = useRef<{ key: unknown; height: number } | undefined>(undefined);
  if (low && ref.current && drawnInFull.current !== NOT_FULL) {
    measured.current = { key: drawnInFull.current, height: ref.current.offsetHeight };
  }
  useLayoutEffect(() => {
    drawnInFull.current = low ? NOT_FULL : key;
  });
  const last = measured.current;
  const height = low && last !== undefined && last.key === key ? last.height : undefined;
  return { low, ref, height };
}
