/** App-level shortcuts: undo/redo, run/cancel, save/open, help. */
import { useEffect, useRef } from 'react';
import { isTypingTarget } from '../canvas/useCanvasKeys.ts';

export interface AppKeyHandlers {
  undo(): void;
  redo(): void;
  run(): void;
  cancel(): void;
  save(): void;
  open(): void;
  help(): void;
}

export function useAppKeys(handlers: AppKeyHandlers): void {
  const latest = useRef(handlers);
  latest.current = handlers;
  useEffect(() => {
    const keydown = (e: KeyboardEvent) => {
      const h = latest.current;
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      // Run works from anywhere, even while typing a prompt.
      if (mod && e.key === 'Enter') h.run();
      else if (mod && key === 's') h.save();
      else if (mod && key === 'o') h.open();
      else if (isTypingTarget(e.target)) return;
      else if (mod && key === 'z' && !e.shiftKey) h.undo();
      else if ((mod && key === 'z' && e.shiftKey) || (mod && key === 'y')) h.redo();
      else if (e.key === 'Escape') h.cancel();
      else if (e.key === '?') h.help();
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', keydown);
    return () => window.removeEventListener('keydown', keydown);
  }, []);
}
