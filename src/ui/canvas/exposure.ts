/** Which params are exposed to the app view, for the node cards' ☆ toggles (none inside a subgraph). */
import { createContext, useContext } from 'react';

export interface Exposure {
  /** "node.param" keys. */
  exposed: ReadonlySet<string>;
  toggle(node: string, param: string, on: boolean): void;
}

export const ExposureContext = createContext<Exposure | null>(null);

export function useExposure(): Exposure | null {
  return useContext(ExposureContext);
}
