/**
 * Graph document types (format version 2, see docs/graph-format.md). These are the in-memory
 * shapes; the zod schemas in src/persistence produce exactly these types.
 */
export const GRAPH_FORMAT = 'latentloom.graph';
export const GRAPH_FORMAT_VERSION = 2;
/** The node type of a subgraph: one node whose inside is a graph (`GraphNode.subgraph`). */
export const SUBGRAPH_TYPE = 'graph/subgraph';

export interface PortRef {
  node: string;
  port: string;
}

export interface GraphEdge {
  from: PortRef;
  to: PortRef;
}

export interface NodeUi {
  x: number;
  y: number;
  collapsed?: boolean;
  width?: number;
  height?: number;
}

export interface GraphNode {
  id: string;
  type: string;
  /** The node type's version this instance was saved with (node types migrate their params). */
  version: number;
  params: Record<string, unknown>;
  /**
   * Params the user turned into input sockets (ComfyUI's "convert widget to input"): each name
   * here becomes an input port of the param's port type, and an edge into it overrides the param.
   */
  paramInputs?: string[];
  /** Zone id for nodes drawn inside a repeat zone; repeat-input/-output carry their own zone id. */
  zone?: string;
  title?: string;
  ui?: NodeUi;
  /** The inside of a `graph/subgraph` node (format 2); absent on every other node. */
  subgraph?: SubgraphBody;
  /** Unknown fields found when loading, kept so nothing is silently dropped. */
  extra?: Record<string, unknown>;
}

/** An input of a subgraph node: what arrives on it feeds each of the inner ports in `to`. */
export interface SubgraphInput {
  name: string;
  /** The port type, as the inner ports had it when the port was exposed (for drawing). */
  type: string;
  to: PortRef[];
}

/** An output of a subgraph node: the value of the inner port `from`. */
export interface SubgraphOutput {
  name: string;
  type: string;
  from: PortRef;
}

/** A subgraph's inside: its own nodes and edges (ids local to it) and its exposed ports. */
export interface SubgraphBody {
  nodes: GraphNode[];
  edges: GraphEdge[];
  inputs: SubgraphInput[];
  outputs: SubgraphOutput[];
}

/** A param shown in the app (form) view: `node`'s param `param`, under `label`. */
export interface AppExposedParam {
  node: string;
  param: string;
  label?: string;
}

export interface GraphApp {
  exposed: AppExposedParam[];
}

export interface ModelFileInfo {
  size?: number;
  sha256?: string;
}

export interface ModelRef {
  /** `builtin:<id>`, `https://…` base URL, or `folder:<name>` for a user-picked local folder. */
  source: string;
  title?: string;
  files?: Record<string, ModelFileInfo>;
  extra?: Record<string, unknown>;
}

export interface GraphMeta {
  title?: string;
  description?: string;
  extra?: Record<string, unknown>;
}

export interface GraphUi {
  viewport?: { x: number; y: number; zoom: number };
  extra?: Record<string, unknown>;
}

export interface GraphDocument {
  format: typeof GRAPH_FORMAT;
  /**
   * The format version. Loading always yields GRAPH_FORMAT_VERSION and saving always writes it;
   * documents built in code may still say 1 (version 2 only added optional fields).
   */
  version: number;
  meta: GraphMeta;
  models: Record<string, ModelRef>;
  nodes: GraphNode[];
  edges: GraphEdge[];
  ui?: GraphUi;
  /** Params exposed to the app (form) view (format 2). */
  app?: GraphApp;
  extra?: Record<string, unknown>;
}

/** One problem found in a graph. `code` is stable and meant for programs; `message` for people. */
export interface GraphIssue {
  node?: string;
  port?: string;
  code: GraphIssueCode;
  message: string;
  /** Absent means 'error'. Warnings never stop a load or a run. */
  severity?: 'error' | 'warning';
  /** Where in the file, for load issues: e.g. `nodes[3].ui.x`. */
  path?: string;
}

export type GraphIssueCode =
  | 'invalid-json'
  | 'invalid-document'
  | 'unsupported-version'
  | 'unknown-node-type'
  | 'unknown-port'
  | 'missing-input'
  | 'type-mismatch'
  | 'cycle'
  | 'duplicate-id'
  | 'dangling-edge'
  | 'input-has-two-edges'
  | 'param-invalid'
  | 'zone-unpaired'
  | 'zone-crossing'
  /** A subgraph's inside or its exposed ports do not make sense (names the node and port). */
  | 'subgraph-invalid'
  | 'unknown-model'
  | 'too-large'
  /** Warning: a `__proto__`/`constructor`/`prototype` key was dropped while loading. */
  | 'unsafe-key'
  /** Warning: an unknown field was dropped (where the format has no `extra` to keep it). */
  | 'unknown-field'
  /** Warning: a node carries a param its type does not declare. */
  | 'unknown-param'
  /** Warning: the file was upgraded from an older format version (or node type version). */
  | 'migrated'
  /** Warning: the file was converted from another tool's format (a ComfyUI workflow). */
  | 'converted';
