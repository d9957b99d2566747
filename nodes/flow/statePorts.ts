import type { PortListItem, PortMap } from '../../src/graph/nodeSpec.ts';
import { isPortType } from '../../src/graph/portTypes.ts';

/** A repeat zone's state items as ports; malformed items are skipped (zone analysis reports them). */
export function statePorts(state: readonly PortListItem[] | undefined): PortMap {
  const ports: PortMap = {};
  if (!Array.isArray(state)) return ports;
  for (const item of state) {
    if (item && typeof item.name === 'string' && isPortType(item.type)) ports[item.name] = { type: item.type, label: item.name };
  }
  return ports;
}
