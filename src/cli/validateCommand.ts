/** `latentloom validate <graph>`: loads and validates; exit 1 if any issue is an error. */
import { validateGraph } from '../graph/validate.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { UsageError, type ParsedArgs } from './args.ts';
import { formatIssue, isErrorIssue } from './format.ts';
import { loadGraphFile } from './loadFile.ts';
import { loadFileOptions } from './importCommand.ts';

export async function validateCommand(args: ParsedArgs, print: (line: string) => void): Promise<number> {
  const file = args.positional[0];
  if (!file || args.positional.length > 1) throw new UsageError('validate takes exactly one graph file');
  const loaded = await loadGraphFile(file, await loadFileOptions(args));
  const issues = loaded.ok ? [...loaded.warnings, ...validateGraph(loaded.graph, defaultRegistry())] : loaded.issues;
  const errors = issues.filter(isErrorIssue).length;
  if (args.json) {
    print(JSON.stringify({ ok: errors === 0, file, issues }));
  } else {
    for (const issue of issues) print(`${file}: ${formatIssue(issue)}`);
    if (errors === 0) {
      const size = loaded.ok ? ` (${loaded.graph.nodes.length} nodes, ${loaded.graph.edges.length} edges)` : '';
      print(`${file}: valid${size}${issues.length ? `, ${issues.length} warning(s)` : ''}`);
    } else print(`${file}: ${errors} error(s)`);
  }
  return errors === 0 ? 0 : 1;
}
