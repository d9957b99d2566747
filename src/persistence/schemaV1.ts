/**
 * Graph file format version 1 as zod schemas (docs/graph-format.md).
 *
 * Frozen once released: a format change adds `schemaV2.ts` plus a migration from 1 to 2 and
 * leaves this file alone, so old files keep loading exactly as they did.
 *
 * Objects are "loose": unknown fields survive parsing so that `toDocumentV1` can keep them
 * under `extra` (document, meta, model, node, ui) or drop them with a warning (elsewhere).
 */
import { z } from 'zod';

const finite = z.number(); // zod 4 numbers reject Infinity and NaN
const id = z.string().min(1, 'must be a non-empty string');
const freeObject = z.record(z.string(), z.unknown());

export const PortRefV1 = z.looseObject({ node: id, port: id });

export const EdgeV1 = z.looseObject({ from: PortRefV1, to: PortRefV1 });

export const NodeUiV1 = z.looseObject({
  x: finite,
  y: finite,
  collapsed: z.boolean().optional(),
  width: finite.positive().optional(),
  height: finite.positive().optional(),
});

export const NodeV1 = z.looseObject({
  id,
  type: id,
  version: z.int().min(0).default(1),
  params: freeObject.default({}),
  paramInputs: z.array(id).optional(),
  zone: id.optional(),
  title: z.string().optional(),
  ui: NodeUiV1.optional(),
  extra: freeObject.optional(),
});

export const ModelFileInfoV1 = z.looseObject({
  size: z.int().min(0).optional(),
  sha256: z.string().optional(),
});

export const ModelRefV1 = z.looseObject({
  source: id,
  title: z.string().optional(),
  files: z.record(z.string(), ModelFileInfoV1).optional(),
  extra: freeObject.optional(),
});

export const MetaV1 = z.looseObject({
  title: z.string().optional(),
  description: z.string().optional(),
  extra: freeObject.optional(),
});

export const GraphUiV1 = z.looseObject({
  viewport: z.looseObject({ x: finite, y: finite, zoom: finite.positive() }).optional(),
  extra: freeObject.optional(),
});

export const GraphDocumentV1 = z.looseObject({
  format: z.literal('latentloom.graph'),
  version: z.literal(1),
  meta: MetaV1.default({}),
  models: z.record(z.string(), ModelRefV1).default({}),
  nodes: z.array(NodeV1),
  edges: z.array(EdgeV1).default([]),
  ui: GraphUiV1.optional(),
  extra: freeObject.optional(),
});

export type GraphDocumentV1Parsed = z.infer<typeof GraphDocumentV1>;

/** The field names each object kind declares; anything else is an unknown field. */
export const KNOWN_FIELDS_V1 = {
  document: Object.keys(GraphDocumentV1.shape),
  meta: Object.keys(MetaV1.shape),
  model: Object.keys(ModelRefV1.shape),
  modelFile: Object.keys(ModelFileInfoV1.shape),
  node: Object.keys(NodeV1.shape),
  nodeUi: Object.keys(NodeUiV1.shape),
  graphUi: Object.keys(GraphUiV1.shape),
  viewport: ['x', 'y', 'zoom'],
  edge: Object.keys(EdgeV1.shape),
  portRef: Object.keys(PortRefV1.shape),
} as const;
