/**
 * The performance limits the project holds itself to, and the table `npm run bench` ends with:
 * every figure that carries a limit, as value ÷ limit, side by side. A figure opts in by giving
 * `limit` (see BenchFigure in run.ts); adding a row is adding a limit to a figure.
 */

/** How a figure must relate to its limit. */
export type LimitKind = '<' | '≤' | '≥';

export interface Limit {
  value: number;
  kind: LimitKind;
}

export interface LimitRow {
  name: string;
  value: number;
  unit: string;
  limit: Limit;
}

/** Whether `value` keeps `limit`. */
export function withinLimit(value: number, limit: Limit): boolean {
  if (!Number.isFinite(value)) return false;
  return limit.kind === '<' ? value < limit.value : limit.kind === '≤' ? value <= limit.value : value >= limit.value;
}

function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

/**
 * The rows as a Markdown table (so the README's table is a copy of the output). For a `≥` limit
 * (higher is better) a value ÷ limit under 1 falls short; for `<` and `≤`, one over 1 does.
 */
export function limitTable(rows: readonly LimitRow[]): string {
  const lines = ['| figure | value | limit | value ÷ limit | within |', '| --- | --- | --- | --- | --- |'];
  for (const row of rows) {
    const ratio = row.value / row.limit.value;
    const unit = row.unit ? ` ${row.unit}` : '';
    lines.push(
      `| ${row.name} | ${formatNumber(row.value)}${unit} | ${row.limit.kind} ${formatNumber(row.limit.value)}${unit} | ${ratio.toFixed(2)} | ${withinLimit(row.value, row.limit) ? 'yes' : '**no**'} |`,
    );
  }
  return lines.join('\n');
}
