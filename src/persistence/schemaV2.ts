/**
 * Graph file format version 2 as zod schemas (docs/graph-format.md).
 *
 * Version 2 adds, over the frozen version 1: `graph/subgraph` nodes carrying their inside under
 * `subgraph` (nodes, edges, exposed inputs and outputs; nested subgraphs allowed), and the
 * optional top-level `app` listing params exposed to a form view. Everything else is version
 * 1's shapes, reused as they are. Frozen once released, as version 1 is.
 */
import { z } from 'zod';
import { EdgeV1, GraphUiV1, KNOWN_FIELDS_V1, MetaV1, ModelRefV1, NodeV1, PortRefV1 } from './schemaV1.ts';

const id = z.string().min(1, 'must be a non-empty string');

export const SubgraphInputV2 = z.looseObject({ name: id, type: id, to: z.array(PortRefV1) });
export const SubgraphOutputV2 = z.looseObject({ name: id, type: id, from: PortRefV1 });

export const NodeV2 = NodeV1.extend({
  get subgraph() {
    return SubgraphV2.optional();
  },
});

export const SubgraphV2: z.ZodType<SubgraphV2Parsed> = z.looseObject({
  nodes: z.array(NodeV2),
  edges: z.array(EdgeV1).default([]),
  inputs: z.array(SubgraphInputV2).default([]),
  outputs: z.array(SubgraphOutputV2).default([]),
}) as unknown as z.ZodType<SubgraphV2Parsed>;

export interface SubgraphV2Parsed {
  nodes: z.infer<typeof NodeV1>[];
  edges: z.infer<typeof EdgeV1>[];
  inputs: z.infer<typeof SubgraphInputV2>[];
  outputs: z.infer<typeof SubgraphOutputV2>[];
  [key: string]: unknown;
}

export const AppExposedV2 = z.looseObject({ node: id, param: id, label: z.string().optional() });
export const AppV2 = z.looseObject({ exposed: z.array(AppExposedV2).default([]) });

export const GraphDocumentV2 = z.looseObject({
  format: z.literal('latentloom.graph'),
  version: z.literal(2),
  meta: MetaV1.default({}),
  models: z.record(z.string(), ModelRefV1).default({}),
  nodes: z.array(NodeV2),
  edges: z.array(EdgeV1).default([]),
  ui: GraphUiV1.optional(),
  app: AppV2.optional(),
  extra: z.record(z.string(), z.unknown()).optional(),
});

export type GraphDocumentV2Parsed = z.infer<typeof GraphDocumentV2>;

/** The field names each object kind declares; anything else is an unknown field. */
export const KNOWN_FIELDS_V2 = {
  ...KNOWN_FIELDS_V1,
  document: Object.keys(GraphDocumentV2.shape),
  node: [...KNOWN_FIELDS_V1.node, 'subgraph'],
  subgraph: ['nodes', 'edges', 'inputs', 'outputs'],
  subgraphInput: Object.keys(SubgraphInputV2.shape),
  subgraphOutput: Object.keys(SubgraphOutputV2.shape),
  app: Object.keys(AppV2.shape),
  appExposed: Object.keys(AppExposedV2.shape),
} as const;
