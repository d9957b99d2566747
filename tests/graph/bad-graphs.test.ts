/**
 * The malformed-graph corpus: each file in tests/fixtures/bad-graphs/ goes through loadGraph and,
 * when it loads, validateGraph with the default registry; it must produce the codes listed for it
 * in expected.json (as errors or, for dropped unsafe keys, warnings) and nothing may throw.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGraph } from '../../src/persistence/load.ts';
import { validateGraph } from '../../src/graph/validate.ts';
import type { GraphIssue } from '../../src/graph/document.ts';
import { defaultRegistry } from '../../nodes/index.ts';

const dir = join(import.meta.dirname, '../fixtures/bad-graphs');
const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<string, string[]>;
const registry = defaultRegistry();

/** Everything loadGraph and validateGraph say about a file: load issues, or warnings + validation issues. */
function issuesOf(text: string): GraphIssue[] {
  const loaded = loadGraph(text);
  if (!loaded.ok) return loaded.issues;
  return [...loaded.warnings, ...validateGraph(loaded.graph, registry)];
}

describe('bad-graph corpus', () => {
  it('has at least 30 files, each listed in expected.json', () => {
    const files = readdirSync(dir).filter((f) => f !== 'expected.json').sort();
    expect(files.length).toBeGreaterThanOrEqual(30);
    expect(Object.keys(expected).sort()).toEqual(files);
  });

  it.each(Object.entries(expected))('%s → %j', (file, codes) => {
    const issues = issuesOf(readFileSync(join(dir, file), 'utf8'));
    const got = [...new Set(issues.map((i) => i.code))];
    for (const code of codes) expect(got, `${file}: got ${JSON.stringify(issues.map((i) => `${i.code}: ${i.message}`))}`).toContain(code);
    for (const issue of issues) {
      expect(issue.message.length).toBeGreaterThan(10);
    }
  });

  it('a generated 100k-node file is refused as too-large in well under a second', () => {
    const node = (i: number) => `{"id":"n${i}","type":"math/add","version":1,"params":{"bias":${i}},"ui":{"x":${i},"y":0}}`;
    const text = `{"format":"latentloom.graph","version":1,"nodes":[${Array.from({ length: 100_000 }, (_, i) => node(i)).join(',')}],"edges":[]}`;
    for (const input of [text, JSON.parse(text) as unknown]) {
      const start = performance.now();
      const result = loadGraph(input);
      const ms = performance.now() - start;
      expect(result.ok ? [] : result.issues.map((i) => i.code)).toEqual(['too-large']);
      expect(ms).toBeLessThan(250);
    }
  });

  it('a generated string over 1 MB is refused as too-large', () => {
    const text = JSON.stringify({ format: 'latentloom.graph', version: 1, nodes: [{ id: 'p', type: 'text/prompt', params: { text: 'a'.repeat(1_048_577) } }] });
    const result = loadGraph(text);
    expect(result.ok ? [] : result.issues.map((i) => i.code)).toEqual(['too-large']);
  });
});
