/** What a class converter sees of the workflow while it turns one ComfyUI node into LatentLoom nodes. */
import type { GraphBuilder } from './builder.ts';
import { ComfyImportError, isLink, own, type ComfyApiNode, type ImportOptions, type Out, type PortOut } from './types.ts';

export interface ConvertContext {
  /** ComfyUI node id. */
  readonly id: string;
  readonly node: ComfyApiNode;
  readonly builder: GraphBuilder;
  readonly options: ImportOptions;
  /** A prefix for the LatentLoom ids of this node's pieces. */
  readonly prefix: string;
  warn(message: string): void;
  /** The upstream output a link input points at (converted on demand). */
  link(name: string): Out;
  /** Same, but must be a LatentLoom port (LATENT, IMAGE, CONDITIONING, VAE, …). */
  port(name: string, what: string): PortOut;
  number(name: string, fallback?: number): number;
  string(name: string, fallback?: string): string;
  boolean(name: string, fallback?: boolean): boolean;
  /** VAE factor of the workflow's first checkpoint (8 when there is none). */
  defaultDownscale(): number;
}

export type ClassConverter = (ctx: ConvertContext) => Out[];

export function fail(ctx: Pick<ConvertContext, 'id' | 'node'>, message: string): never {
  throw new ComfyImportError(`node ${ctx.id} (${ctx.node.class_type}): ${message}`, ctx.id);
}

export function literal(ctx: Pick<ConvertContext, 'id' | 'node'>, name: string): unknown {
  const value = own(ctx.node.inputs, name);
  if (isLink(value)) fail(ctx, `input ${name} must be a value here, not a link from node ${value[0]}`);
  return value;
}
