/**
 * Pasting a whole graph document opens it (fragments are pasted into the canvas instead); a
 * ComfyUI workflow (API or UI JSON) pasted outside a text field is converted and opened.
 */
import { useEffect } from 'react';
import type { NodeCatalog } from '../catalog.ts';
import { isComfyWorkflowText, openGraphText, type OpenResult } from '../files.ts';

export function usePasteGraph(catalog: NodeCatalog | undefined, open: (opened: OpenResult) => unknown): void {
  useEffect(() => {
    const onPaste = (e: ClipboardEvent) => {
      const text = e.clipboardData?.getData('text/plain') ?? '';
      if (!catalog) return;
      if (/"format"\s*:\s*"latentloom\.graph"/.test(text)) {
        e.preventDefault();
        void open(openGraphText(text, 'pasted graph', catalog));
        return;
      }
      if (isEditableTarget(e.target) || !isComfyWorkflowText(text)) return;
      e.preventDefault();
      void open(openGraphText(text, 'pasted ComfyUI workflow', catalog));
    };
    window.addEventListener('paste', onPaste, true);
    return () => window.removeEventListener('paste', onPaste, true);
  }, [catalog, open]);
}

function isEditableTarget(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.isContentEditable === true);
}
