/** Pure helpers for numeric widgets (kept apart from React so they are unit-testable). */
import type { FloatParam, IntParam } from '../../graph/nodeSpec.ts';

export const MAX_SEED = Number.MAX_SAFE_INTEGER;

/** Clamps to the spec's range and, for ints, rounds; NaN falls back to the default. */
export function normalizeNumber(spec: IntParam | FloatParam, value: number): number {
  let v = Number.isFinite(value) ? value : spec.default;
  if (spec.min !== undefined) v = Math.max(spec.min, v);
  if (spec.max !== undefined) v = Math.min(spec.max, v);
  if (spec.kind === 'int') v = Math.round(v);
  return v;
}

/** A slider is only useful on a bounded, human-sized range. */
export function sliderRange(spec: IntParam | FloatParam): { min: number; max: number; step: number } | undefined {
  if (spec.min === undefined || spec.max === undefined) return undefined;
  const span = spec.max - spec.min;
  if (!(span > 0) || span > 1e6) return undefined;
  return { min: spec.min, max: spec.max, step: spec.step ?? (spec.kind === 'int' ? 1 : span / 1000) };
}

/** Value after dragging the label `dx` pixels: one step per 4 px (shift for fine control). */
export function dragValue(spec: IntParam | FloatParam, start: number, dx: number, fine: boolean): number {
  const step = spec.step ?? (spec.kind === 'int' ? 1 : 0.01);
  const pixelsPerStep = fine ? 16 : 4;
  return normalizeNumber(spec, start + Math.trunc(dx / pixelsPerStep) * step);
}

/** A uniformly random seed in [0, 2^53 - 1]; `random` is injectable for tests. */
export function randomSeed(random: () => number = Math.random): number {
  const high = Math.floor(random() * 2 ** 21);
  const low = Math.floor(random() * 2 ** 32);
  return high * 2 ** 32 + low;
}

export function formatNumber(spec: IntParam | FloatParam, value: number): string {
  if (spec.kind === 'int') return String(Math.round(value));
  return String(Number(value.toFixed(6)));
}
