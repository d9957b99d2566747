/**
 * ComfyUI workflow → LatentLoom graph file object. `importComfyWorkflow` takes parsed JSON in
 * the API or the UI form; each ComfyUI node is converted once, on demand from what it feeds, by
 * its class's converter. Failures are ComfyImportError with the node id and class in the message.
 */
import { DEFAULT_LIMITS } from '../../persistence/limits.ts';
import { GraphBuilder } from './builder.ts';
import { BASIC_CLASSES, downscaleOf } from './classes/basic.ts';
import { SAMPLER_CLASSES } from './classes/ksampler.ts';
import { RESIZE_CLASSES } from './classes/resize.ts';
import { fail, literal, type ClassConverter, type ConvertContext } from './context.ts';
import { detectComfyFormat, unwrapPrompt, type ComfyFormat } from './detect.ts';
import { layoutFromComfy } from './layout.ts';
import { uiToPrompt } from './uiFormat.ts';
import { ComfyImportError, dict, isLink, own, type ComfyPrompt, type ImportOptions, type Out } from './types.ts';

export const COMFY_CLASSES: Record<string, ClassConverter> = { ...BASIC_CLASSES, ...SAMPLER_CLASSES, ...RESIZE_CLASSES };

export const SUPPORTED_CLASSES = Object.keys(COMFY_CLASSES);

export interface ComfyImportResult {
  format: ComfyFormat;
  /** A LatentLoom graph file object (format version 1), to pass to loadGraph. */
  document: Record<string, unknown>;
  warnings: string[];
  /** LatentLoom node id → ComfyUI node id it came from. */
  origins: Record<string, string>;
}

function safeId(id: string): string {
  return id.replace(/[^\w-]+/g, '_');
}

export function promptToGraph(prompt: ComfyPrompt, options: ImportOptions = {}, format: ComfyFormat = 'api'): ComfyImportResult {
  const builder = new GraphBuilder();
  const warnings: string[] = [];
  const done = new Map<string, Out[]>();
  const active = new Set<string>();
  let downscale: number | undefined;
  for (const node of Object.values(prompt)) {
    if (node.class_type === 'CheckpointLoaderSimple') downscale ??= downscaleOf(node.inputs.ckpt_name, options.models);
  }

  for (const [id, node] of Object.entries(prompt)) {
    if (typeof node.class_type !== 'string' || !own(COMFY_CLASSES, node.class_type)) {
      throw new ComfyImportError(`node ${id}: ComfyUI class "${String(node.class_type).slice(0, 80)}" is not supported; supported: ${SUPPORTED_CLASSES.join(', ')}`, id);
    }
  }

  const convert = (id: string): Out[] => {
    const cached = done.get(id);
    if (cached) return cached;
    const node = prompt[id];
    if (active.has(id)) throw new ComfyImportError(`node ${id} (${node.class_type}) depends on itself`, id);
    active.add(id);
    const ctx: ConvertContext = {
      id, node, builder, options, prefix: `n${safeId(id)}_`,
      warn: (m) => warnings.push(m),
      link(name) {
        const value = own(node.inputs, name);
        if (value === undefined) fail(ctx, `input ${name} is not connected`);
        if (!isLink(value)) fail(ctx, `input ${name} must be a link to another node, got ${JSON.stringify(value)?.slice(0, 60)}`);
        const from = String(value[0]);
        if (!own(prompt, from)) fail(ctx, `input ${name} links to node ${from}, which is not in the workflow`);
        const outs = convert(from);
        const out = outs[value[1]];
        if (!out) fail(ctx, `input ${name} links to output ${value[1]} of node ${from} (${prompt[from].class_type}), which has ${outs.length} output(s)`);
        return out;
      },
      port(name, what) {
        const out = ctx.link(name);
        if (out.kind !== 'port') fail(ctx, `input ${name} must be ${what}, not a ${out.kind.toUpperCase()}`);
        return out;
      },
      number(name, fallback) {
        const v = literal(ctx, name) ?? fallback;
        if (typeof v !== 'number' || !Number.isFinite(v)) fail(ctx, `input ${name} must be a number, got ${JSON.stringify(v)}`);
        return v;
      },
      string(name, fallback) {
        const v = literal(ctx, name) ?? fallback;
        if (typeof v !== 'string') fail(ctx, `input ${name} must be text, got ${JSON.stringify(v)}`);
        return v;
      },
      boolean(name, fallback) {
        const v = literal(ctx, name) ?? fallback;
        if (typeof v !== 'boolean') fail(ctx, `input ${name} must be true or false, got ${JSON.stringify(v)}`);
        return v;
      },
      defaultDownscale: () => downscale ?? 8,
    };
    const outer = builder.origin;
    builder.origin = id;
    let outs: Out[];
    try {
      outs = own(COMFY_CLASSES, node.class_type)!(ctx);
    } finally {
      builder.origin = outer;
    }
    active.delete(id);
    done.set(id, outs);
    return outs;
  };

  const ids = Object.keys(prompt).sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
  for (const id of ids) convert(id);
  if (!builder.nodes.some((n) => n.type === 'image/save' || n.type === 'image/preview')) {
    warnings.push('the workflow has no SaveImage or PreviewImage node: running it produces nothing');
  }
  if (format === 'ui') layoutFromComfy(builder.nodes, prompt);
  const document = builder.document({
    title: 'Imported ComfyUI workflow',
    description: `Converted from a ComfyUI workflow (${format === 'api' ? 'API' : 'UI'} format, ${ids.length} nodes).`,
  });
  return { format, document, warnings, origins: builder.origins };
}

/** Converts parsed ComfyUI JSON (API or UI form). Throws ComfyImportError when it cannot. */
export function importComfyWorkflow(input: unknown, options: ImportOptions = {}): ComfyImportResult {
  const json = unwrapPrompt(input);
  const format = detectComfyFormat(json);
  if (!format) throw new ComfyImportError('not a ComfyUI workflow (neither the API form nor the UI form)');
  const count = format === 'api' ? Object.keys(json as object).length : (json as { nodes: unknown[] }).nodes.length;
  if (count > DEFAULT_LIMITS.maxNodes) throw new ComfyImportError(`the workflow has ${count} nodes; the limit is ${DEFAULT_LIMITS.maxNodes}`);
  try {
    const prompt = format === 'api' ? apiPrompt(json as Record<string, unknown>) : uiToPrompt(json as Record<string, unknown>);
    return promptToGraph(prompt, options, format);
  } catch (error) {
    // Converters recurse along links: a chain deeper than the stack is refused, not a crash.
    if (error instanceof RangeError) throw new ComfyImportError(`the workflow is too large or too deeply chained to convert (${error.message})`);
    throw error;
  }
}

function apiPrompt(json: Record<string, unknown>): ComfyPrompt {
  const prompt: ComfyPrompt = dict();
  for (const [id, raw] of Object.entries(json)) {
    const node = raw as { class_type: string; inputs?: Record<string, unknown>; _meta?: { title?: unknown } };
    const title = typeof node._meta?.title === 'string' ? node._meta.title : undefined;
    prompt[id] = { class_type: node.class_type, inputs: Object.assign(dict(), node.inputs ?? {}), ...(title ? { title } : {}) };
  }
  return prompt;
}
