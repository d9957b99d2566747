/**
 * checkConnection and validateGraph must agree: a connection the editor allows never makes the
 * graph invalid in a new way, and one it refuses for a graph-level reason (type, cycle, zone
 * crossing) is reported by the validator with the same code once the edge is forced in.
 */
import fc from 'fast-check';
import { produce } from 'immer';
import { checkConnection } from '../../src/graph/connection.ts';
import type { GraphDocument, PortRef } from '../../src/graph/document.ts';
import { connect } from '../../src/graph/edits.ts';
import { resolvePorts } from '../../src/graph/nodeSpec.ts';
import { validateGraph } from '../../src/graph/validate.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { validGraph } from './arbitraries.ts';
import { zoneGraph } from './build.ts';

fc.configureGlobal({ seed: Number(process.env.PROPERTY_SEED ?? 20261121) });
const registry = defaultRegistry();
const GRAPH_LEVEL = new Set(['type-mismatch', 'cycle', 'zone-crossing']);

function ports(doc: GraphDocument, side: 'inputs' | 'outputs'): PortRef[] {
  return doc.nodes.flatMap((n) => {
    const def = registry.get(n.type);
    if (!def) return [];
    return Object.keys(resolvePorts(def, n.params, n.paramInputs)[side]).map((port) => ({ node: n.id, port }));
  });
}

const errorKeys = (doc: GraphDocument) =>
  new Set(validateGraph(doc, registry).filter((i) => i.severity !== 'warning' && i.code !== 'missing-input').map((i) => `${i.code}|${i.node}|${i.port}`));

describe('checkConnection agrees with validateGraph', () => {
  it('on random graphs and a repeat zone', () => {
    const start = fc.oneof(validGraph(registry), fc.constant(zoneGraph()));
    fc.assert(
      fc.property(start, fc.nat(), fc.nat(), (doc, i, j) => {
        const outs = ports(doc, 'outputs');
        const ins = ports(doc, 'inputs');
        if (outs.length === 0 || ins.length === 0) return;
        const from = outs[i % outs.length];
        const to = ins[j % ins.length];
        const check = checkConnection(doc, registry, from, to);
        if (from.node === to.node) {
          expect(check.isValid).toBe(false);
          return;
        }
        const next = produce(doc, (d) => connect(d, { from, to }));
        const codes = validateGraph(next, registry).map((x) => x.code);
        if (check.isValid) {
          const before = errorKeys(doc);
          for (const key of errorKeys(next)) expect(before, `new issue ${key} after an allowed connection`).toContain(key);
        } else if (GRAPH_LEVEL.has(check.code)) {
          expect(codes).toContain(check.code);
        }
      }),
      { numRuns: 1500 },
    );
  });
});
