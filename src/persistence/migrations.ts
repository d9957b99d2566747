/**
 * The file format's migration chain. Each released format version N < current has a frozen
 * schema and a step N → N+1; loading validates a file against its own version's schema, then
 * applies the steps in order, then validates against the current schema.
 *
 * 1 → 2 only adds optional fields (subgraph nodes, `app`), so every version-1 file is a valid
 * version-2 file once its number changes; that step is silent (nothing the user must know).
 */
import type { z } from 'zod';
import { GRAPH_FORMAT_VERSION, type GraphIssue } from '../graph/document.ts';
import { GraphDocumentV1 } from './schemaV1.ts';
import { zodErrorToIssues } from './zodIssues.ts';

export interface FormatMigration {
  /** The format version this step reads; it produces raw data of version `from + 1`. */
  from: number;
  /** The frozen schema of version `from`; a file is checked against it before the step runs. */
  schema: z.ZodType;
  /** Rewrites a valid version-`from` document (the schema's output) as version `from + 1` data. */
  migrate(doc: unknown): unknown;
  /** What changed, shown to the user as a warning when the step runs. */
  description?: string;
  /** A step that changes nothing the user sees (a new optional field): no warning. */
  silent?: boolean;
}

/** Migrations shipped with this build, oldest first. */
export const FORMAT_MIGRATIONS: readonly FormatMigration[] = [
  {
    from: 1,
    schema: GraphDocumentV1,
    description: 'subgraph nodes and the app view were added',
    silent: true,
    migrate: (doc) => ({ ...(doc as object), version: 2 }),
  },
];

export type MigrationResult =
  | { ok: true; value: unknown; warnings: GraphIssue[] }
  | { ok: false; issues: GraphIssue[] };

function unsupported(message: string): MigrationResult {
  return { ok: false, issues: [{ code: 'unsupported-version', message, path: 'version', severity: 'error' }] };
}

/**
 * Brings `raw` (whose `version` field is `fromVersion`) up to `targetVersion`. Never throws: a
 * failing step is reported as `invalid-document` naming the step.
 */
export function migrateDocument(
  raw: unknown,
  fromVersion: number,
  migrations: readonly FormatMigration[] = FORMAT_MIGRATIONS,
  targetVersion: number = GRAPH_FORMAT_VERSION,
): MigrationResult {
  if (!Number.isInteger(fromVersion)) return unsupported(`Format version ${fromVersion} is not an integer`);
  if (fromVersion > targetVersion) {
    return unsupported(
      `This graph uses format version ${fromVersion}, newer than this LatentLoom reads (up to ${targetVersion}); update LatentLoom`,
    );
  }
  const warnings: GraphIssue[] = [];
  let value = raw;
  for (let version = fromVersion; version < targetVersion; version++) {
    const step = migrations.find((m) => m.from === version);
    if (!step) return unsupported(`Format version ${version} is not supported (no migration from it to ${version + 1})`);
    const parsed = step.schema.safeParse(value);
    if (!parsed.success) {
      return { ok: false, issues: zodErrorToIssues(parsed.error, value, `As format version ${version}: `) };
    }
    try {
      value = step.migrate(parsed.data);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return {
        ok: false,
        issues: [{ code: 'invalid-document', message: `Migrating format ${version} → ${version + 1} failed: ${message}`, severity: 'error' }],
      };
    }
    if (step.silent) continue;
    warnings.push({
      code: 'migrated',
      message: `Upgraded from format version ${version} to ${version + 1}${step.description ? `: ${step.description}` : ''}`,
      path: 'version',
      severity: 'warning',
    });
  }
  return { ok: true, value, warnings };
}
