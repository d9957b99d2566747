/**
 * Whether two versions of a node have the same place in the graph's structure: same id, type,
 * version, zone and params-as-inputs, and the same ports. A node that changed only in its params
 * (and not its ports) leaves edge checks, cycles, zones and the run plan's shape as they were, so
 * the incremental validation and planning reuse those (src/engine/prepMemo.ts).
 */
import type { GraphNode } from './document.ts';
import type { PortMap } from './nodeSpec.ts';
import { REPEAT_INPUT_TYPE, REPEAT_OUTPUT_TYPE } from './zones.ts';

function sameList(a: readonly unknown[] | undefined, b: readonly unknown[] | undefined): boolean {
  if (a === b) return true;
  const x = a ?? [];
  const y = b ?? [];
  if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/**
 * Same id, type, version, zone and paramInputs. Repeat nodes never count as same-shaped when they
 * differ: zone analysis reads their `state` param.
 */
export function sameNodeShape(a: GraphNode, b: GraphNode): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return false;
  if (a.type === REPEAT_INPUT_TYPE || a.type === REPEAT_OUTPUT_TYPE) return false;
  return a.id === b.id && a.type === b.type && a.version === b.version && a.zone === b.zone && sameList(a.paramInputs, b.paramInputs);
}

/** Same port names in the same order, each with the same type and optionality. */
export function samePorts(a: PortMap, b: PortMap): boolean {
  if (a === b) return true;
  const keys = Object.keys(a);
  const other = Object.keys(b);
  if (keys.length !== other.length) return false;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (key !== other[i]) return false;
    const x = a[key];
    const y = b[key];
    if (x !== y && (x.type !== y.type || Boolean(x.optional) !== Boolean(y.optional))) return false;
  }
  return true;
}
