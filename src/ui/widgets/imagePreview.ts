/**
 * What an image widget may show by itself. A graph file is untrusted: an `<img>` pointing at an
 * http(s) URL (or any path the server resolves) it names is a request the file's author can see
 * — a tracking pixel. Only sources that need no request are drawn on their own (data: URLs and
 * blob: URLs, which the browser holds in memory); anything else waits for the user to ask for a
 * preview. URLs the user asked for are remembered for the session, so a card that scrolls out
 * of view and back (React Flow unmounts it) does not ask again.
 */

export type ImagePreview =
  | { kind: 'empty' }
  | { kind: 'inline'; src: string }
  /** Needs a request: shown only after an explicit "load preview". */
  | { kind: 'remote'; src: string }
  /** Not something the browser can draw (a local file path of the command line, say). */
  | { kind: 'text'; text: string };

const approved = new Set<string>();

export function imagePreviewOf(value: string): ImagePreview {
  const v = value.trim();
  if (!v) return { kind: 'empty' };
  if (/^data:image\//i.test(v) || /^blob:/i.test(v)) return { kind: 'inline', src: v };
  if (/^https?:\/\//i.test(v) || v.startsWith('/')) return approved.has(v) ? { kind: 'inline', src: v } : { kind: 'remote', src: v };
  return { kind: 'text', text: v };
}

/** The user asked to see this URL: from now on it is drawn without asking. */
export function approvePreview(src: string): void {
  approved.add(src.trim());
}

/** Forgets the approvals (tests). */
export function resetPreviewApprovals(): void {
  approved.clear();
}
