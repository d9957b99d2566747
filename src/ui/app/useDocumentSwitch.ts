/**
 * Switching documents (New, Open, an example, a dropped or pasted graph): unsaved edits are only
 * dropped after the user says so, and everything that belonged to the old document's runs
 * (node states, errors, previews, the status line, the run under way) is dropped with it.
 */
import { useCallback, useRef, useState } from 'react';
import type { EditorStore } from '../store/editorStore.ts';

export interface PendingSwitch {
  /** What is about to be opened ("toy-img2img.json", "a new graph"). */
  what: string;
  answer(discard: boolean): void;
}

export interface DocumentSwitch {
  /** Resolves true when the document may be replaced (it is clean, or the user chose Discard). */
  mayReplace(what: string): Promise<boolean>;
  /** The question being asked, if any (the app draws the dialog). */
  pending?: PendingSwitch;
}

export function useDocumentSwitch(store: EditorStore): DocumentSwitch {
  const [pending, setPending] = useState<PendingSwitch>();
  const asking = useRef<PendingSwitch | undefined>(undefined);
  const mayReplace = useCallback((what: string) => new Promise<boolean>((resolve) => {
    if (!store.getSnapshot().dirty) return resolve(true);
    const question: PendingSwitch = {
      what,
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
  }), [store]);
  return { mayReplace, pending };
}
