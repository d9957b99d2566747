/**
 * Turns zod's issues into GraphIssues that say where the problem is in terms a user knows:
 * the node id (when the path runs through `nodes[i]`), the edge index, the field path.
 */
import type { z } from 'zod';
import type { GraphIssue } from '../graph/document.ts';
import { describePath } from './sanitize.ts';

function nodeIdAt(raw: unknown, index: number): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const nodes = (raw as { nodes?: unknown }).nodes;
  if (!Array.isArray(nodes)) return undefined;
  const node: unknown = nodes[index];
  if (typeof node !== 'object' || node === null) return undefined;
  const nodeId = (node as { id?: unknown }).id;
  return typeof nodeId === 'string' && nodeId.length > 0 ? nodeId : undefined;
}

/** At most this many schema issues are reported; a garbage file would otherwise yield thousands. */
const MAX_REPORTED = 50;

export function zodErrorToIssues(error: z.ZodError, raw: unknown, context = ''): GraphIssue[] {
  const issues: GraphIssue[] = [];
  for (const zi of error.issues.slice(0, MAX_REPORTED)) {
    const path = zi.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    const where = describePath(path);
    let node: string | undefined;
    if (path[0] === 'nodes' && typeof path[1] === 'number') node = nodeIdAt(raw, path[1]);
    const nodeText = node !== undefined ? ` (node "${node}")` : '';
    issues.push({
      code: 'invalid-document',
      message: `${context}${where}${nodeText}: ${zi.message}`,
      path: where,
      severity: 'error',
      ...(node !== undefined ? { node } : {}),
    });
  }
  if (error.issues.length > MAX_REPORTED) {
    issues.push({
      code: 'invalid-document',
      message: `${context}${error.issues.length - MAX_REPORTED} more schema problems not listed`,
      severity: 'error',
    });
  }
  return issues;
}
