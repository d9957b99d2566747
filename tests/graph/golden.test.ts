/**
 * Golden graphs: every shipped example in graphs/*.json loads, validates against the default
 * registry without errors, and round-trips load → save → load unchanged.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGraph } from '../../src/persistence/load.ts';
import { saveGraph, saveGraphText } from '../../src/persistence/save.ts';
import { validateGraph } from '../../src/graph/validate.ts';
import { defaultRegistry } from '../../nodes/index.ts';

const dir = join(import.meta.dirname, '../../graphs');
const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : [];
const registry = defaultRegistry();

describe('golden graphs in graphs/', () => {
  it('the folder exists and holds at least the math demo', () => {
    expect(existsSync(dir)).toBe(true);
    expect(files).toContain('math-demo.json');
  });

  describe.each(files)('%s', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');

    it('loads and validates without errors', () => {
      const result = loadGraph(text);
      if (!result.ok) throw new Error(`${file}: ${result.issues.map((i) => `${i.code}: ${i.message}`).join('; ')}`);
      const errors = validateGraph(result.graph, registry).filter((i) => i.severity !== 'warning');
      expect(errors, `${file}: ${errors.map((i) => i.message).join('; ')}`).toEqual([]);
    });

    it('round-trips load → save → load unchanged', () => {
      const first = loadGraph(text);
      expect(first.ok).toBe(true);
      if (!first.ok) return;
      const second = loadGraph(saveGraph(first.graph));
      expect(second.ok).toBe(true);
      if (second.ok) expect(second.graph).toEqual(first.graph);
      const third = loadGraph(saveGraphText(first.graph));
      if (third.ok) expect(third.graph).toEqual(first.graph);
    });
  });

  it('math-demo.json is saved in canonical form', () => {
    const text = readFileSync(join(dir, 'math-demo.json'), 'utf8');
    const result = loadGraph(text);
    expect(result.ok && saveGraphText(result.graph)).toBe(text);
  });
});

describe('math-demo.json runs', () => {
  it('computes 1.5 doubled 5 times plus 0.5 = 48.5 on the engine', async () => {
    const { createEngine } = await import('../../src/engine/index.ts');
    const result = loadGraph(readFileSync(join(dir, 'math-demo.json'), 'utf8'));
    if (!result.ok) throw new Error('math-demo.json does not load');
    const run = await createEngine({ registry }).run(result.graph, { outputs: ['finish'] });
    expect(run.error).toBeUndefined();
    expect(run.outputs.finish.result).toBe(48.5);
  });
});
