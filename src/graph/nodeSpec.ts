/**
 * The framework-free description of a node type: ports, params and the run function.
 * `nodes/define.ts` adds precise value typing on top (`defineNode`); the engine, the validator
 * and the editor only need this erased form.
 */
import type { PortType } from './portTypes.ts';
import type { GraphDocument } from './document.ts';

export interface PortSpec {
  type: PortType;
  label?: string;
  description?: string;
  /** An optional input may be left unconnected; `run` then receives `undefined`. */
  optional?: boolean;
}

export type PortMap = Record<string, PortSpec>;

interface ParamBase {
  label?: string;
  description?: string;
  /** Hidden params are kept in the document but get no widget (e.g. derived socket lists). */
  hidden?: boolean;
}

export interface IntParam extends ParamBase {
  kind: 'int';
  default: number;
  min?: number;
  max?: number;
  step?: number;
}
export interface FloatParam extends ParamBase {
  kind: 'float';
  default: number;
  min?: number;
  max?: number;
  step?: number;
}
export interface StringParam extends ParamBase {
  kind: 'string';
  default: string;
  multiline?: boolean;
  placeholder?: string;
  /** The text must be a JSON object (or empty): checked by the validator, so while it is typed. */
  syntax?: 'json-object';
}
export interface EnumParam extends ParamBase {
  kind: 'enum';
  options: readonly string[];
  default: string;
}
export interface BooleanParam extends ParamBase {
  kind: 'boolean';
  default: boolean;
}
/** A seed: an integer in [0, 2^53 - 1] (JSON-safe; the generator uses its low 64 bits). */
export interface SeedParam extends ParamBase {
  kind: 'seed';
  default: number;
}
/** An image reference: a path (Node), URL or data: URL; the editor shows a drop zone. */
export interface ImageParam extends ParamBase {
  kind: 'image';
  default: string;
}
/** A key of the document's `models` table; the editor shows a model picker. */
export interface ModelParam extends ParamBase {
  kind: 'model';
  default: string;
}
/** A user-edited list of sockets, e.g. a repeat zone's loop-carried state items. */
export interface PortListParam extends ParamBase {
  kind: 'ports';
  default: readonly PortListItem[];
}
export interface PortListItem {
  name: string;
  type: PortType;
}

export type ParamSpec =
  | IntParam
  | FloatParam
  | StringParam
  | EnumParam
  | BooleanParam
  | SeedParam
  | ImageParam
  | ModelParam
  | PortListParam;

export type ParamKind = ParamSpec['kind'];
export type ParamMap = Record<string, ParamSpec>;

/** The value type a param of each kind holds in a document. */
export interface ParamValueByKind {
  int: number;
  float: number;
  string: string;
  enum: string;
  boolean: boolean;
  seed: number;
  image: string;
  model: string;
  ports: PortListItem[];
}

export type ParamValues<P extends ParamMap> = {
  [K in keyof P]: P[K] extends EnumParam
    ? P[K]['options'][number]
    : ParamValueByKind[P[K]['kind']];
};

/** Port type a param takes when it is turned into an input socket. */
export const PARAM_PORT_TYPE: Readonly<Record<ParamKind, PortType | undefined>> = {
  int: 'INT',
  float: 'FLOAT',
  string: 'STRING',
  enum: 'STRING',
  boolean: 'BOOLEAN',
  seed: 'SEED',
  image: 'STRING',
  model: undefined,
  ports: undefined,
};

export interface RunLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
}

/** What the engine hands to a node's `run`. */
export interface RunContext {
  nodeId: string;
  signal: AbortSignal;
  /**
   * Report progress within this node (download bytes, tiles, …); `preview` is an optional image,
   * `unit` says when value and max are bytes (a model download) rather than counts.
   */
  progress(value: number, max: number, preview?: unknown, unit?: 'bytes'): void;
  log: RunLogger;
  /** The services object given to createEngine (ONNX runtime, model store, file output…). */
  services: unknown;
  /** The document being run (save nodes embed it in PNG metadata; model nodes read `models`). */
  graph: GraphDocument;
}

/** Ports a node adds from its params or from its model (e.g. a repeat zone's state items). */
export interface DynamicPorts {
  inputs?: PortMap;
  outputs?: PortMap;
}

/**
 * What a node type is, as plain data: the part of a definition that the worker's descriptions and
 * the editor's catalog carry across the worker boundary.
 */
export interface NodeTypeData {
  type: string;
  version: number;
  title: string;
  category: string;
  description: string;
  inputs: PortMap;
  outputs: PortMap;
  params: ParamMap;
}

/** The NodeTypeData fields of a definition (or description), nothing else; not copied. */
export function nodeTypeData(def: NodeTypeData): NodeTypeData {
  const { type, version, title, category, description, inputs, outputs, params } = def;
  return { type, version, title, category, description, inputs, outputs, params };
}

export interface NodeDefinition extends NodeTypeData {
  /** Defaults to true. Non-deterministic nodes are re-run on every run (never cached). */
  deterministic?: boolean;
  /** Output nodes (save, preview) are the engine's default targets. */
  isOutput?: boolean;
  /** The node runs ONNX sessions (services.runtime): hosts that load a runtime lazily give one to every graph using it. */
  needsRuntime?: boolean;
  /**
   * The node takes resident (on-device) tensors in its inputs as they are (src/tensor/resident.ts).
   * Other nodes get host copies: the engine downloads residents before running them.
   */
  residentInputs?: boolean;
  /**
   * What else the node's output depends on besides params and inputs (e.g. a file's size and
   * modification time), mixed into its cache signature before each run; errors count as none.
   */
  signatureExtra?(params: Record<string, unknown>, services: unknown): unknown;
  /** Extra ports computed from the params (and, for model nodes, from the model's metadata). */
  dynamicPorts?(params: Record<string, unknown>): DynamicPorts;
  /** Upgrade params saved by an older version of this node type. */
  migrate?(fromVersion: number, params: Record<string, unknown>): Record<string, unknown>;
  run(
    ctx: RunContext,
    inputs: Record<string, unknown>,
    params: Record<string, unknown>,
  ): Promise<Record<string, unknown>> | Record<string, unknown>;
}

/** All ports of a node instance: static, dynamic, and params turned into inputs. */
export function resolvePorts(
  def: NodeDefinition,
  params: Record<string, unknown>,
  paramInputs: readonly string[] = [],
): { inputs: PortMap; outputs: PortMap } {
  let dynamic: DynamicPorts = {};
  if (def.dynamicPorts) {
    try {
      dynamic = def.dynamicPorts(params) ?? {};
    } catch {
      dynamic = {};
    }
  }
  const inputs: PortMap = { ...def.inputs, ...dynamic.inputs };
  for (const name of paramInputs) {
    const spec = def.params[name];
    const type = spec ? PARAM_PORT_TYPE[spec.kind] : undefined;
    if (type && !(name in inputs)) inputs[name] = { type, label: spec.label ?? name, optional: true };
  }
  return { inputs, outputs: { ...def.outputs, ...dynamic.outputs } };
}
