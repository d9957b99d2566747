/**
 * Shared shapes of the ComfyUI import: the normalised workflow (ComfyUI's API "prompt" form, which
 * the UI form is first reduced to), the values that flow between converted classes, and the error.
 */

/** A link to another node's output in API form: `[node id, output slot]`. */
export type ComfyLink = [string, number];

export interface ComfyApiNode {
  class_type: string;
  inputs: Record<string, unknown>;
  /** Title from `_meta.title` (API) or the node's title (UI); used for LatentLoom titles. */
  title?: string;
  /** Canvas position in the ComfyUI editor (UI format). */
  pos?: [number, number];
}

/** ComfyUI's API form, keyed by node id. */
export type ComfyPrompt = Record<string, ComfyApiNode>;

/** An import failure with a message meant for people; `node` is the ComfyUI node id when known. */
export class ComfyImportError extends Error {
  readonly node?: string;
  constructor(message: string, node?: string) {
    super(message);
    this.name = 'ComfyImportError';
    this.node = node;
  }
}

/** A table entry by own key only: workflow text may name `constructor` or `__proto__`. */
export function own<T>(table: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return table !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
}

/** An empty map object without a prototype, for keys taken from the workflow. */
export function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

export function isLink(value: unknown): value is ComfyLink {
  return Array.isArray(value) && value.length === 2 && (typeof value[0] === 'string' || typeof value[0] === 'number') && Number.isInteger(value[1]);
}

/** A LatentLoom output port. */
export interface PortOut {
  kind: 'port';
  node: string;
  port: string;
}

/** ComfyUI's MODEL: the loader node plus what KSampler needs to know of the package. */
export interface ModelOut {
  kind: 'model';
  load: string;
  /** Pixels per latent cell of the package's VAE (4 for toy-shapes, 8 for SD). */
  downscale: number;
}

/** ComfyUI's CLIP: tokenizer and text encoder of one loader. */
export interface ClipOut {
  kind: 'clip';
  load: string;
}

/** EmptyLatentImage: kept as sizes until a consumer knows the model's VAE factor. */
export interface EmptyLatentOut {
  kind: 'empty-latent';
  comfyId: string;
  width: number;
  height: number;
  batch: number;
}

/** ComfyUI's SAMPLER (KSamplerSelect): the sampler name, resolved when a sampler node uses it. */
export interface SamplerOut {
  kind: 'sampler';
  name: string;
}

/**
 * ComfyUI's SIGMAS (BasicScheduler, KarrasScheduler): a ComfyUI sigma schedule of `steps` steps
 * at `denoise`; computed by sampling/scheduler from the package's scheduler config.
 */
export interface SigmasOut {
  kind: 'sigmas';
  /** The schedule's model (BasicScheduler); KarrasScheduler has none and takes the guider's. */
  model?: ModelOut;
  schedule: string;
  steps: number;
  denoise: number;
}

/** ComfyUI's NOISE (RandomNoise, DisableNoise). */
export interface NoiseOut {
  kind: 'noise';
  /** undefined: no noise is added (DisableNoise). */
  seed?: number;
}

/** ComfyUI's GUIDER (CFGGuider, BasicGuider): a model and its conditioning; no negative = no CFG. */
export interface GuiderOut {
  kind: 'guider';
  model: ModelOut;
  positive: PortOut;
  negative?: PortOut;
  cfg: number;
}

export type Out = PortOut | ModelOut | ClipOut | EmptyLatentOut | SamplerOut | SigmasOut | NoiseOut | GuiderOut;

export interface ModelMapping {
  /** A models-table source: `builtin:…`, a folder or a URL. */
  source: string;
  /** Pixels per latent cell; 8 when not given. */
  downscale?: number;
}

export interface ImportOptions {
  /**
   * Checkpoint (VAE, upscale model) file name → model package or upscaler file; the toy names and
   * the built-in upscalers are always known.
   */
  models?: Record<string, string | ModelMapping>;
}
