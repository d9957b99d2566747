/** CheckpointLoaderSimple, VAELoader, CLIPSetLastLayer, CLIPTextEncode, EmptyLatentImage, VAEDecode, VAEEncode, SaveImage, PreviewImage, LoadImage. */
import { fail, type ClassConverter, type ConvertContext } from '../context.ts';
import { own, type EmptyLatentOut, type ModelMapping, type Out, type PortOut } from '../types.ts';

const TOY_NAMES = new Set(['toy-shapes', 'toy-shapes.safetensors', 'toy-shapes.ckpt']);
const TOY: Required<ModelMapping> = { source: 'builtin:toy-shapes', downscale: 4 };

/** `SD1.5/model.safetensors` → `model.safetensors` (ComfyUI lists checkpoints in subfolders so). */
function baseName(name: string): string {
  return name.replace(/^.*[\\/]/, '');
}

export function mappingFor(ctx: ConvertContext, name: string, what = 'checkpoint'): Required<ModelMapping> {
  const given = own(ctx.options.models, name) ?? own(ctx.options.models, baseName(name));
  if (given !== undefined) {
    const m = typeof given === 'string' ? { source: given } : given;
    return { source: m.source, downscale: m.downscale ?? (m.source === TOY.source ? 4 : 8) };
  }
  if (TOY_NAMES.has(baseName(name))) return TOY;
  fail(ctx, `${what} "${name}" is not known; map it to a model package with --models FILE ` +
    `(JSON: { "${name}": "<folder, URL or builtin:…>" }), or use toy-shapes.safetensors for the built-in toy model`);
}

/** The downscale a workflow's checkpoint name stands for, without failing. */
export function downscaleOf(name: unknown, models: ConvertContext['options']['models']): number | undefined {
  if (typeof name !== 'string') return undefined;
  const given = own(models, name) ?? own(models, baseName(name));
  if (given !== undefined) return typeof given === 'string' ? (given === TOY.source ? 4 : 8) : (given.downscale ?? 8);
  return TOY_NAMES.has(baseName(name)) ? 4 : undefined;
}

/** A model/load node for the package a file name maps to. */
function loadNode(ctx: ConvertContext, name: string, mapping: Required<ModelMapping>): string {
  const key = ctx.builder.model(mapping.source === TOY.source ? 'toy' : name.replace(/\.[a-z]+$/i, '').replace(/[^\w.-]+/g, '_') || 'model', mapping, name);
  return ctx.builder.add(`${ctx.prefix}load`, 'model/load', { model: key }, { title: ctx.node.title ?? name });
}

const checkpoint: ClassConverter = (ctx) => {
  const name = ctx.string('ckpt_name');
  const mapping = mappingFor(ctx, name);
  const load = loadNode(ctx, name, mapping);
  return [
    { kind: 'model', load, downscale: mapping.downscale },
    { kind: 'clip', load },
    { kind: 'port', node: load, port: 'vae' },
  ];
};

/** VAELoader: the VAE of the model package the file name maps to (the same table as checkpoints). */
const vaeLoader: ClassConverter = (ctx) => {
  const name = ctx.string('vae_name');
  const load = loadNode(ctx, name, mappingFor(ctx, name, 'VAE'));
  return [{ kind: 'port', node: load, port: 'vae' }];
};

/**
 * CLIPSetLastLayer: text/encode always returns the last layer's hidden states, so -1 passes the
 * CLIP through and any other layer is refused rather than encoded differently.
 */
const clipSetLastLayer: ClassConverter = (ctx) => {
  const clip = ctx.link('clip');
  if (clip.kind !== 'clip') fail(ctx, 'input clip must come from a checkpoint loader');
  const layer = ctx.number('stop_at_clip_layer', -1);
  if (layer !== -1) {
    fail(ctx, `stop_at_clip_layer ${layer} (CLIP skip) is not supported: LatentLoom's text/encode uses the last layer only; set it to -1`);
  }
  return [clip];
};

const clipTextEncode: ClassConverter = (ctx) => {
  const clip = ctx.link('clip');
  if (clip.kind !== 'clip') fail(ctx, 'input clip must come from a checkpoint loader');
  const text = ctx.builder.add(`${ctx.prefix}prompt`, 'text/prompt', { text: ctx.string('text', '') }, ctx.node.title ? { title: ctx.node.title } : {});
  const tokenize = ctx.builder.add(`${ctx.prefix}tokenize`, 'text/tokenize', { weighting: true, min_chunks: 1 });
  const encode = ctx.builder.add(`${ctx.prefix}encode`, 'text/encode', {});
  ctx.builder.connect({ node: clip.load, port: 'tokenizer' }, tokenize, 'tokenizer');
  ctx.builder.connect({ node: text, port: 'text' }, tokenize, 'text');
  ctx.builder.connect({ node: clip.load, port: 'text_encoder' }, encode, 'encoder');
  ctx.builder.connect({ node: tokenize, port: 'tokens' }, encode, 'tokens');
  return [{ kind: 'port', node: encode, port: 'conditioning' }];
};

const emptyLatent: ClassConverter = (ctx) => [{
  kind: 'empty-latent', comfyId: ctx.id,
  width: ctx.number('width', 512), height: ctx.number('height', 512), batch: ctx.number('batch_size', 1),
}];

/** An empty latent as a latent/empty node, for consumers other than a sampler. */
export function materialize(ctx: ConvertContext, out: EmptyLatentOut, downscale: number): PortOut {
  const node = ctx.builder.add(`n${out.comfyId}_empty`, 'latent/empty', { width: out.width, height: out.height, batch: out.batch, channels: 4, downscale });
  return { kind: 'port', node, port: 'latent' };
}

/** A LATENT input as a port, materialising an EmptyLatentImage. */
export function latentPort(ctx: ConvertContext, name: string): PortOut {
  const out: Out = ctx.link(name);
  if (out.kind === 'empty-latent') return materialize(ctx, out, ctx.defaultDownscale());
  if (out.kind !== 'port') fail(ctx, `input ${name} must be a LATENT`);
  return out;
}

const vaeDecode: ClassConverter = (ctx) => {
  const latent = latentPort(ctx, 'samples');
  const vae = ctx.port('vae', 'VAE');
  const node = ctx.builder.add(`${ctx.prefix}decode`, 'vae/decode', {});
  ctx.builder.connect(vae, node, 'vae');
  ctx.builder.connect(latent, node, 'latent');
  return [{ kind: 'port', node, port: 'image' }];
};

const vaeEncode: ClassConverter = (ctx) => {
  const image = ctx.port('pixels', 'IMAGE');
  const vae = ctx.port('vae', 'VAE');
  const node = ctx.builder.add(`${ctx.prefix}encode`, 'vae/encode', {});
  ctx.builder.connect(vae, node, 'vae');
  ctx.builder.connect(image, node, 'image');
  return [{ kind: 'port', node, port: 'latent' }];
};

const saveImage: ClassConverter = (ctx) => {
  const images = ctx.port('images', 'IMAGE');
  const node = ctx.builder.add(`${ctx.prefix}save`, 'image/save', { filename_prefix: ctx.string('filename_prefix', 'ComfyUI'), embed_graph: true });
  ctx.builder.connect(images, node, 'images');
  return [];
};

const previewImage: ClassConverter = (ctx) => {
  const images = ctx.port('images', 'IMAGE');
  const node = ctx.builder.add(`${ctx.prefix}preview`, 'image/preview', {});
  ctx.builder.connect(images, node, 'images');
  return [];
};

const loadImage: ClassConverter = (ctx) => {
  const node = ctx.builder.add(`${ctx.prefix}image`, 'image/load', { source: ctx.string('image') });
  ctx.warn(`node ${ctx.id} (LoadImage): "${ctx.string('image')}" is read relative to the graph file's folder (ComfyUI reads its input/ folder)`);
  return [{ kind: 'port', node, port: 'image' }, { kind: 'port', node, port: 'mask' }];
};

export const BASIC_CLASSES: Record<string, ClassConverter> = {
  CheckpointLoaderSimple: checkpoint,
  VAELoader: vaeLoader,
  CLIPSetLastLayer: clipSetLastLayer,
  CLIPTextEncode: clipTextEncode,
  EmptyLatentImage: emptyLatent,
  VAEDecode: vaeDecode,
  VAEEncode: vaeEncode,
  SaveImage: saveImage,
  PreviewImage: previewImage,
  LoadImage: loadImage,
};
