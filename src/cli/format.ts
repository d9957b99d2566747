/** Human-readable lines for issues and run summaries. */
import type { GraphIssue } from '../graph/document.ts';

export function formatIssue(issue: GraphIssue): string {
  const level = issue.severity === 'warning' ? 'warning' : 'error';
  const where = [
    issue.node !== undefined ? `node "${issue.node}"` : '',
    issue.port !== undefined ? `port "${issue.port}"` : '',
    issue.path !== undefined ? `at ${issue.path}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return `${level} [${issue.code}]${where ? ` ${where}` : ''}: ${issue.message}`;
}

export const isErrorIssue = (issue: GraphIssue) => issue.severity !== 'warning';
