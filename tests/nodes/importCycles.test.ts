/**
 * No import circle through the node layer's type modules: nothing that nodes/define.ts or
 * nodes/types.ts reaches (import type included) imports them back, so the value types never
 * loop through a node implementation (once: types.ts → model/load-upscaler.ts → define.ts).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)[^'";]*?from\s+'(\.[^']+)'/gm)].map((m) => resolve(dirname(file), m[1]));
}

/** Every file reachable from `start` through relative imports, with the path that reaches it. */
function reachable(start: string): Map<string, string[]> {
  const seen = new Map<string, string[]>([[start, [start]]]);
  const queue = [start];
  for (let f = queue.shift(); f; f = queue.shift()) {
    for (const next of relativeImports(f)) {
      if (seen.has(next)) continue;
      seen.set(next, [...(seen.get(f) as string[]), next]);
      queue.push(next);
    }
  }
  return seen;
}

describe('import structure of the node layer', () => {
  for (const entry of ['nodes/define.ts', 'nodes/types.ts']) {
    it(`${entry} does not import itself back through a node module`, () => {
      const start = join(ROOT, entry);
      const found = reachable(start);
      for (const [file, path] of found) {
        if (file === start) continue;
        const back = relativeImports(file).includes(start);
        expect(back, `cycle: ${[...path, start].map((p) => p.slice(ROOT.length + 1)).join(' → ')}`).toBe(false);
      }
    });
  }
});
