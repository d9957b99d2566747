/** LatentUpscale and ImageScale (sizes in pixels, crop "disabled" only). */
import { fail, type ClassConverter } from '../context.ts';
import { latentPort } from './basic.ts';

const LATENT_METHODS = new Set(['nearest-exact', 'bilinear', 'area', 'bicubic']);
const IMAGE_METHODS = new Set(['nearest-exact', 'bilinear', 'area', 'bicubic', 'lanczos']);

const latentUpscale: ClassConverter = (ctx) => {
  const method = ctx.string('upscale_method', 'nearest-exact');
  if (!LATENT_METHODS.has(method)) fail(ctx, `upscale_method "${method}" is not supported; supported: ${[...LATENT_METHODS].join(', ')}`);
  if (ctx.string('crop', 'disabled') !== 'disabled') fail(ctx, 'crop "center" is not supported yet; use "disabled"');
  const latent = latentPort(ctx, 'samples');
  const node = ctx.builder.add(`${ctx.prefix}upscale`, 'latent/upscale', {
    method, by: 'size', scale: 1.5,
    // latent/upscale counts 8 pixels per latent cell; ComfyUI's sizes are pixels of this model.
    width: Math.round((ctx.number('width', 512) * 8) / ctx.defaultDownscale()),
    height: Math.round((ctx.number('height', 512) * 8) / ctx.defaultDownscale()),
  });
  ctx.builder.connect(latent, node, 'latent');
  return [{ kind: 'port', node, port: 'latent' }];
};

const imageScale: ClassConverter = (ctx) => {
  const method = ctx.string('upscale_method', 'nearest-exact');
  if (!IMAGE_METHODS.has(method)) fail(ctx, `upscale_method "${method}" is not supported; supported: ${[...IMAGE_METHODS].join(', ')}`);
  if (ctx.string('crop', 'disabled') !== 'disabled') fail(ctx, 'crop "center" is not supported yet; use "disabled"');
  const image = ctx.port('image', 'IMAGE');
  const node = ctx.builder.add(`${ctx.prefix}scale`, 'image/resize', {
    method, by: 'size', width: ctx.number('width', 512), height: ctx.number('height', 512), scale: 2, clamp: true,
  });
  ctx.builder.connect(image, node, 'image');
  return [{ kind: 'port', node, port: 'image' }];
};

export const RESIZE_CLASSES: Record<string, ClassConverter> = { LatentUpscale: latentUpscale, ImageScale: imageScale };
