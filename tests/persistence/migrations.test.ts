/**
 * Migration chain harness: a fake frozen "version 0" schema and its 0 → 1 step, registered in
 * the test only, show that loadGraph validates old files against their own schema, runs the chain
 * in order, and checks the result against the current schema.
 */
import { z } from 'zod';
import { loadGraph } from '../../src/persistence/load.ts';
import { FORMAT_MIGRATIONS, migrateDocument, type FormatMigration } from '../../src/persistence/migrations.ts';

// Version 0 (imaginary): nodes were `blocks` with `kind` and `settings`, links were [from, out, to, in] tuples.
const GraphV0 = z.object({
  format: z.literal('latentloom.graph'),
  version: z.literal(0),
  name: z.string().optional(),
  blocks: z.array(z.object({ id: z.string(), kind: z.string(), settings: z.record(z.string(), z.unknown()) })),
  links: z.array(z.tuple([z.string(), z.string(), z.string(), z.string()])),
});

const v0to1: FormatMigration = {
  from: 0,
  schema: GraphV0,
  description: 'blocks became nodes, links became edges',
  migrate(input) {
    const doc = input as z.infer<typeof GraphV0>;
    return {
      format: 'latentloom.graph',
      version: 1,
      meta: doc.name === undefined ? {} : { title: doc.name },
      nodes: doc.blocks.map((b) => ({ id: b.id, type: b.kind, version: 1, params: b.settings })),
      edges: doc.links.map(([a, out, b, inp]) => ({ from: { node: a, port: out }, to: { node: b, port: inp } })),
    };
  },
};

const v0file = {
  format: 'latentloom.graph',
  version: 0,
  name: 'old',
  blocks: [
    { id: 'x', kind: 'const/float', settings: { value: 2 } },
    { id: 's', kind: 'math/add', settings: {} },
  ],
  links: [['x', 'value', 's', 'a']],
};

describe('format migration chain', () => {
  it('ships the chain 1 → 2', () => {
    expect(FORMAT_MIGRATIONS.map((m) => m.from)).toEqual([1]);
  });

  it('applies a registered 0 → 1 step and reports it as a warning', () => {
    const result = loadGraph(v0file, { migrations: [v0to1, ...FORMAT_MIGRATIONS] });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.graph.meta).toEqual({ title: 'old' });
    expect(result.graph.nodes.map((n) => n.id)).toEqual(['x', 's']);
    expect(result.graph.edges).toEqual([{ from: { node: 'x', port: 'value' }, to: { node: 's', port: 'a' } }]);
    expect(result.warnings).toMatchObject([{ code: 'migrated', severity: 'warning' }]);
    expect(result.warnings[0].message).toContain('blocks became nodes');
  });

  it('without the step, version 0 is unsupported', () => {
    const result = loadGraph(v0file);
    expect(result.ok ? [] : result.issues.map((i) => i.code)).toEqual(['unsupported-version']);
  });

  it('checks an old file against its own frozen schema first', () => {
    const broken = { ...v0file, links: [['x', 'value']] };
    const result = loadGraph(broken, { migrations: [v0to1, ...FORMAT_MIGRATIONS] });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues[0].code).toBe('invalid-document');
    expect(result.issues[0].message).toContain('As format version 0');
  });

  it('checks the migrated result against the current schema', () => {
    const bad: FormatMigration = { ...v0to1, migrate: () => ({ format: 'latentloom.graph', version: 1, nodes: 'oops' }) };
    const result = loadGraph(v0file, { migrations: [bad, ...FORMAT_MIGRATIONS] });
    expect(result.ok ? [] : result.issues.map((i) => i.path)).toEqual(['nodes']);
  });

  it('a throwing step becomes an issue naming the step', () => {
    const throwing: FormatMigration = { ...v0to1, migrate: () => { throw new Error('kaput'); } };
    const result = loadGraph(v0file, { migrations: [throwing, ...FORMAT_MIGRATIONS] });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0].message).toBe('Migrating format 0 → 1 failed: kaput');
  });

  it('runs multi-step chains in order', () => {
    const seen: number[] = [];
    const step = (from: number): FormatMigration => ({
      from,
      schema: z.looseObject({ version: z.literal(from) }),
      migrate: (doc) => {
        seen.push(from);
        return { ...(doc as object), version: from + 1 };
      },
    });
    const result = migrateDocument({ version: 2 }, 2, [step(4), step(2), step(3)], 5);
    expect(result).toMatchObject({ ok: true, value: { version: 5 } });
    expect(seen).toEqual([2, 3, 4]);
  });
});
