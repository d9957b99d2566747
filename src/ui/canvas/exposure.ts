/** Which params are exposed to the app view, for the node cards' ☆ toggles (inside a subgraph too). */
import { createContext, useContext } from 'react';

export interface Exposure {
  /** "node.param" keys, node ids as the cards on the canvas name them (local inside a subgraph). */
  exposed: ReadonlySet<string>;
  toggle(node: string, param: string, on: boolean): void;
}

export const ExposureContext = createContext<Exposure | null>(null);

export function useExposure(): Exposure | null {
  return useContext(ExposureContext);
}
