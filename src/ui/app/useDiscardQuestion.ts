/**
 * The in-app "unsaved changes" question: a document's unsaved edits (closing its tab) are only
 * dropped after the user says so. One question at a time; the app draws the dialog.
 */
import { useCallback, useRef, useState } from 'react';
import type { Losses } from '../tabs/documentTabs.ts';

export interface PendingDiscard {
  /** What would drop the edits ("Close \"Toy image-to-image\""). */
  action: string;
  /** What would be lost (unsaved edits unless told otherwise). */
  loses?: Losses;
  answer(discard: boolean): void;
}

export interface DiscardQuestion {
  /** Asks whether unsaved edits may be dropped by `action`; resolves true for Discard. */
  ask(action: string, loses?: Losses): Promise<boolean>;
  /** The question being asked, if any (the app draws the dialog). */
  pending?: PendingDiscard;
}

export function useDiscardQuestion(): DiscardQuestion {
  const [pending, setPending] = useState<PendingDiscard>();
  const asking = useRef<PendingDiscard | undefined>(undefined);
  const ask = useCallback((action: string, loses?: Losses) => new Promise<boolean>((resolve) => {
    const question: PendingDiscard = {
      action,
      ...(loses ? { loses } : {}),
      answer(discard) {
        if (asking.current !== question) return;
        asking.current = undefined;
        setPending(undefined);
        resolve(discard);
      },
    };
    // A second question replaces the first, which counts as cancelled.
    asking.current?.answer(false);
    asking.current = question;
    setPending(question);
  }), []);
  return { ask, pending };
}
