/**
 * LatentUpscale, LatentUpscaleBy, ImageScale, ImageScaleBy (sizes in pixels; crop "center" crops
 * to the target's aspect ratio first), ImageInvert, RepeatLatentBatch, and the model upscaler:
 * UpscaleModelLoader and ImageUpscaleWithModel.
 */
import { fail, type ClassConverter, type ConvertContext } from '../context.ts';
import { own } from '../types.ts';
import { latentPort } from './basic.ts';

const LATENT_METHODS = new Set(['nearest-exact', 'bilinear', 'area', 'bicubic']);
const IMAGE_METHODS = new Set(['nearest-exact', 'bilinear', 'area', 'bicubic', 'lanczos']);
const CROPS = new Set(['disabled', 'center']);

function method(ctx: ConvertContext, methods: Set<string>): string {
  const name = ctx.string('upscale_method', 'nearest-exact');
  if (!methods.has(name)) fail(ctx, `upscale_method "${name}" is not supported; supported: ${[...methods].join(', ')}`);
  return name;
}

function crop(ctx: ConvertContext): string {
  const value = ctx.string('crop', 'disabled');
  if (!CROPS.has(value)) fail(ctx, `crop "${value}" is not supported; supported: disabled, center`);
  return value;
}

function scaleBy(ctx: ConvertContext): number {
  const factor = ctx.number('scale_by', 1.5);
  if (!(factor > 0)) fail(ctx, `scale_by must be a positive number, got ${factor}`);
  return factor;
}

const latentUpscale: ClassConverter = (ctx) => {
  const params = { method: method(ctx, LATENT_METHODS), crop: crop(ctx) };
  const latent = latentPort(ctx, 'samples');
  const node = ctx.builder.add(`${ctx.prefix}upscale`, 'latent/upscale', {
    ...params, by: 'size', scale: 1.5,
    // latent/upscale counts 8 pixels per latent cell; ComfyUI's sizes are pixels of this model.
    width: Math.round((ctx.number('width', 512) * 8) / ctx.defaultDownscale()),
    height: Math.round((ctx.number('height', 512) * 8) / ctx.defaultDownscale()),
  });
  ctx.builder.connect(latent, node, 'latent');
  return [{ kind: 'port', node, port: 'latent' }];
};

const latentUpscaleBy: ClassConverter = (ctx) => {
  const m = method(ctx, LATENT_METHODS);
  const latent = latentPort(ctx, 'samples');
  const node = ctx.builder.add(`${ctx.prefix}upscale`, 'latent/upscale', { method: m, by: 'scale', scale: scaleBy(ctx), width: 0, height: 0, crop: 'disabled' });
  ctx.builder.connect(latent, node, 'latent');
  return [{ kind: 'port', node, port: 'latent' }];
};

const imageScale: ClassConverter = (ctx) => {
  const params = { method: method(ctx, IMAGE_METHODS), crop: crop(ctx) };
  const image = ctx.port('image', 'IMAGE');
  const node = ctx.builder.add(`${ctx.prefix}scale`, 'image/resize', {
    ...params, by: 'size', width: ctx.number('width', 512), height: ctx.number('height', 512), scale: 2, clamp: true,
  });
  ctx.builder.connect(image, node, 'image');
  return [{ kind: 'port', node, port: 'image' }];
};

const imageScaleBy: ClassConverter = (ctx) => {
  const m = method(ctx, IMAGE_METHODS);
  const image = ctx.port('image', 'IMAGE');
  const node = ctx.builder.add(`${ctx.prefix}scale`, 'image/resize', { method: m, by: 'scale', width: 0, height: 0, scale: scaleBy(ctx), crop: 'disabled', clamp: true });
  ctx.builder.connect(image, node, 'image');
  return [{ kind: 'port', node, port: 'image' }];
};

const imageInvert: ClassConverter = (ctx) => {
  const image = ctx.port('image', 'IMAGE');
  const node = ctx.builder.add(`${ctx.prefix}invert`, 'image/invert', {});
  ctx.builder.connect(image, node, 'image');
  return [{ kind: 'port', node, port: 'image' }];
};

const repeatLatentBatch: ClassConverter = (ctx) => {
  const amount = ctx.number('amount', 1);
  if (!Number.isInteger(amount) || amount < 1 || amount > 64) fail(ctx, `amount must be an integer in [1, 64], got ${amount}`);
  const latent = latentPort(ctx, 'samples');
  const node = ctx.builder.add(`${ctx.prefix}repeat`, 'latent/repeat-batch', { amount });
  ctx.builder.connect(latent, node, 'latent');
  return [{ kind: 'port', node, port: 'latent' }];
};

/** The upscalers model/load-upscaler ships (`builtin:<name>`), by name with or without an extension. */
const BUILTIN_UPSCALER = /^(esrgan-(?:slim|medium)-x[2348])(?:\.[a-z]+)?$/i;

function upscalerSource(ctx: ConvertContext, name: string): string {
  const base = name.replace(/^.*[\\/]/, '');
  const given = own(ctx.options.models, name) ?? own(ctx.options.models, base);
  if (given !== undefined) return typeof given === 'string' ? given : given.source;
  const builtin = BUILTIN_UPSCALER.exec(base);
  if (builtin) return `builtin:${builtin[1].toLowerCase()}`;
  fail(ctx, `upscale model "${name}" is not known; map it to an upscaler file with --models FILE ` +
    `(JSON: { "${name}": "<.onnx, .pth, .safetensors or model.json path or URL, or builtin:esrgan-slim-x4 …>" }), ` +
    'or name a built-in one: esrgan-slim-x2/x3/x4/x8, esrgan-medium-x2/x3/x4/x8');
}

const upscaleModelLoader: ClassConverter = (ctx) => {
  const name = ctx.string('model_name');
  const node = ctx.builder.add(`${ctx.prefix}upscaler`, 'model/load-upscaler', { source: upscalerSource(ctx, name) }, { title: ctx.node.title ?? name });
  return [{ kind: 'port', node, port: 'upscaler' }];
};

const imageUpscaleWithModel: ClassConverter = (ctx) => {
  const upscaler = ctx.port('upscale_model', 'UPSCALE_MODEL');
  const image = ctx.port('image', 'IMAGE');
  const node = ctx.builder.add(`${ctx.prefix}upscale`, 'image/upscale-model', { tile_size: 512, overlap: 32 });
  ctx.builder.connect(upscaler, node, 'upscaler');
  ctx.builder.connect(image, node, 'image');
  return [{ kind: 'port', node, port: 'image' }];
};

export const RESIZE_CLASSES: Record<string, ClassConverter> = {
  LatentUpscale: latentUpscale,
  LatentUpscaleBy: latentUpscaleBy,
  ImageScale: imageScale,
  ImageScaleBy: imageScaleBy,
  ImageInvert: imageInvert,
  RepeatLatentBatch: repeatLatentBatch,
  UpscaleModelLoader: upscaleModelLoader,
  ImageUpscaleWithModel: imageUpscaleWithModel,
};
