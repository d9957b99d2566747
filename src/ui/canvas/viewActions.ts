/** Canvas-level commands the cards and frames call: open a subgraph, collapse or expand a zone. */
import { createContext, useContext } from 'react';

export interface ViewActions {
  openSubgraph(nodeId: string): void;
  setZoneCollapsed(zone: string, collapsed: boolean): void;
}

const NONE: ViewActions = { openSubgraph: () => {}, setZoneCollapsed: () => {} };

export const ViewActionsContext = createContext<ViewActions>(NONE);

export function useViewActions(): ViewActions {
  return useContext(ViewActionsContext);
}
