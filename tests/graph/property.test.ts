/**
 * Property tests: loadGraph, validateGraph, checkConnection and saveGraph never throw, whatever
 * they are given (random JSON, random text, mutations of valid graphs), loaded graphs round-trip
 * through saveGraph, and nothing pollutes Object.prototype.
 */
import fc from 'fast-check';
import { loadGraph } from '../../src/persistence/load.ts';
import { saveGraph } from '../../src/persistence/save.ts';
import { validateGraph } from '../../src/graph/validate.ts';
import { checkConnection } from '../../src/graph/connection.ts';
import type { GraphDocument, GraphIssue } from '../../src/graph/document.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { validGraph, mutation, applyMutation } from './arbitraries.ts';
import { zoneGraph } from './build.ts';

const registry = defaultRegistry();

// A fixed seed keeps the suite deterministic; set PROPERTY_SEED to explore other cases locally.
fc.configureGlobal({ seed: Number(process.env.PROPERTY_SEED ?? 20261121) });

function wellFormed(issues: GraphIssue[]): void {
  for (const issue of issues) {
    expect(typeof issue.code).toBe('string');
    expect(typeof issue.message).toBe('string');
  }
}

/** Load, and when it loads: validate, and check save → load gives the same document. */
function exercise(input: unknown): void {
  const loaded = loadGraph(input);
  if (!loaded.ok) {
    expect(loaded.issues.length).toBeGreaterThan(0);
    wellFormed(loaded.issues);
    return;
  }
  wellFormed(validateGraph(loaded.graph, registry));
  const again = loadGraph(saveGraph(loaded.graph));
  expect(again.ok).toBe(true);
  if (again.ok) expect(again.graph).toEqual(loaded.graph);
}

afterEach(() => {
  expect(Object.prototype).not.toHaveProperty('polluted');
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

// Random graphs have no repeat zones; mix in a wired zone so mutations also hit zone analysis.
const startGraph = fc.oneof(validGraph(registry), fc.constant(zoneGraph()));

describe('never throws', () => {
  it('on random JSON values', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => exercise(value)), { numRuns: 1500 });
  });

  it('on random JS values, including unsafe keys', () => {
    const key = fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'prototype', 'nodes', 'edges', 'format', 'version'));
    const anything = fc.anything({ key, maxDepth: 4, withNullPrototype: true, withBigInt: true, withMap: true, withDate: true, withTypedArray: true });
    fc.assert(fc.property(anything, (value) => exercise(value)), { numRuns: 1000 });
  });

  it('on random text and truncated or spliced graph text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (text) => exercise(text)), { numRuns: 800 });
    fc.assert(
      fc.property(validGraph(registry), fc.nat(), fc.string({ maxLength: 8 }), (doc, cut, junk) => {
        const text = JSON.stringify(doc);
        const at = cut % (text.length + 1);
        exercise(text.slice(0, at));
        exercise(text.slice(0, at) + junk + text.slice(at));
      }),
      { numRuns: 500 },
    );
  });

  it('on mutated valid graphs: loaded, validated directly, connection-checked', () => {
    fc.assert(
      fc.property(startGraph, fc.array(mutation(), { minLength: 1, maxLength: 4 }), fc.nat(), fc.nat(), (doc, mutations, i, j) => {
        let raw: unknown = structuredClone(doc);
        for (const m of mutations) raw = applyMutation(raw, m);
        exercise(raw);
        // The editor's in-memory state may be just as broken; the validator must cope without loading.
        wellFormed(validateGraph(raw as GraphDocument, registry));
        const nodes = Array.isArray((raw as GraphDocument)?.nodes) ? (raw as GraphDocument).nodes : [];
        const a = nodes[i % Math.max(1, nodes.length)];
        const b = nodes[j % Math.max(1, nodes.length)];
        const from = { node: String(a?.id), port: 'result' };
        const to = { node: String(b?.id), port: 'a' };
        const check = checkConnection(raw as GraphDocument, registry, from, to);
        expect(typeof check.isValid).toBe('boolean');
      }),
      { numRuns: 1500 },
    );
  });
});

describe('valid graphs', () => {
  it('load, validate without errors and round-trip', () => {
    fc.assert(
      fc.property(validGraph(registry), (doc) => {
        const loaded = loadGraph(doc);
        if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
        const errors = validateGraph(loaded.graph, registry).filter((x) => x.severity !== 'warning');
        expect(errors).toEqual([]);
        expect(loadGraph(saveGraph(loaded.graph))).toEqual(loaded);
      }),
      { numRuns: 400 },
    );
  });
});
