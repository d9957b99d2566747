/**
 * A card's level of detail (detail.ts) and the height it had when last drawn in full, so the
 * minimal body keeps the card's size: React Flow measures the drawn card, and fitting, the
 * minimap, selection boxes and overlap checks use that size.
 *
 * The flag comes from the canvas through LowDetailContext, not from a React Flow store
 * subscription per card: every store update (each frame of a drag or a pan) re-runs each
 * subscriber's selector, and 300 cards would be 300 more selectors per frame.
 */
import { createContext, useContext, useLayoutEffect, useRef, type RefObject } from 'react';

/** Whether the canvas is zoomed out below LOD_ZOOM; provided by GraphCanvas. */
export const LowDetailContext = createContext(false);

export interface LowDetail {
  low: boolean;
  /** Put on the card's root element. */
  ref: RefObject<HTMLDivElement | null>;
  /** The full card's height (border box) while drawn minimal, when it was drawn in full with the same `key`. */
  height?: number;
}

/** `key` is what the full card's height depends on (its data): a height measured for other data is not reused. */
export function useLowDetail(key: unknown): LowDetail {
  const low = useContext(LowDetailContext);
  const ref = useRef<HTMLDivElement>(null);
  const measured = useRef<{ key: unknown; height: number } | undefined>(undefined);
  // What the card's DOM shows now (the last commit).
  const shown = useRef({ key, low });
  // The full card is measured in the render that turns it minimal, when its DOM is still the
  // full card (this render is not committed yet): once per switch. Not in an effect after every
  // render: reading a size there makes the browser lay out the page in the middle of each commit,
  // and a run commits node status changes many times a second.
  if (low && !shown.current.low && ref.current) measured.current = { key: shown.current.key, height: ref.current.offsetHeight };
  useLayoutEffect(() => {
    shown.current = { key, low };
  });
  const last = measured.current;
  const height = low && last !== undefined && last.key === key ? last.height : undefined;
  return { low, ref, height };
}
