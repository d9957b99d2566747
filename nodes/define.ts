/**
 * `defineNode`: the typed way to write a node. `run` receives inputs typed from the declared
 * ports (optional ports may be undefined) and params typed from their kinds; the result is the
 * erased `NodeDefinition` the engine and validator use.
 */
import type {
  DynamicPorts,
  NodeDefinition,
  ParamMap,
  ParamValues,
  PortMap,
  RunContext,
} from '../src/graph/nodeSpec.ts';
import type { PortValueMap } from './types.ts';

export type InputValues<I extends PortMap> = {
  [K in keyof I]: I[K]['optional'] extends true
    ? PortValueMap[I[K]['type']] | undefined
    : PortValueMap[I[K]['type']];
};

export type OutputValues<O extends PortMap> = { [K in keyof O]: PortValueMap[O[K]['type']] };

export interface NodeConfig<I extends PortMap, O extends PortMap, P extends ParamMap> {
  type: string;
  version: number;
  title: string;
  category: string;
  description: string;
  inputs: I;
  outputs: O;
  params: P;
  deterministic?: boolean;
  isOutput?: boolean;
  needsRuntime?: boolean;
  residentInputs?: boolean;
  signatureExtra?(params: ParamValues<P>, services: unknown): unknown;
  dynamicPorts?(params: ParamValues<P>): DynamicPorts;
  migrate?(fromVersion: number, params: Record<string, unknown>): Record<string, unknown>;
  /**
   * Dynamic ports (if any) arrive in `inputs` under their own names and must be returned in the
   * outputs under theirs; hence the index signatures.
   */
  run(
    ctx: RunContext,
    inputs: InputValues<I> & Record<string, unknown>,
    params: ParamValues<P>,
  ): Promise<OutputValues<O> & Record<string, unknown>> | (OutputValues<O> & Record<string, unknown>);
}

export function defineNode<
  const I extends PortMap,
  const O extends PortMap,
  const P extends ParamMap,
>(config: NodeConfig<I, O, P>): NodeDefinition {
  return config as unknown as NodeDefinition;
}
