/**
 * Widget order per ComfyUI class, as ComfyUI defines its inputs: a UI-format node stores its
 * widget values as an array in this order. `control_after_generate` follows a seed widget in the
 * array (the editor's "fixed / randomize / increment / decrement", a boolean in old files) and is
 * no input of the class: it is skipped when present.
 */
export const WIDGET_ORDER: Record<string, readonly string[]> = {
  CheckpointLoaderSimple: ['ckpt_name'],
  CLIPTextEncode: ['text'],
  EmptyLatentImage: ['width', 'height', 'batch_size'],
  KSampler: ['seed', 'steps', 'cfg', 'sampler_name', 'scheduler', 'denoise'],
  KSamplerAdvanced: ['add_noise', 'noise_seed', 'steps', 'cfg', 'sampler_name', 'scheduler', 'start_at_step', 'end_at_step', 'return_with_leftover_noise'],
  VAEDecode: [],
  VAEEncode: [],
  SaveImage: ['filename_prefix'],
  PreviewImage: [],
  LoadImage: ['image', 'upload'],
  LatentUpscale: ['upscale_method', 'width', 'height', 'crop'],
  ImageScale: ['upscale_method', 'width', 'height', 'crop'],
  VAELoader: ['vae_name'],
  CLIPSetLastLayer: ['stop_at_clip_layer'],
  LatentUpscaleBy: ['upscale_method', 'scale_by'],
  ImageScaleBy: ['upscale_method', 'scale_by'],
  UpscaleModelLoader: ['model_name'],
  ImageUpscaleWithModel: [],
  ImageInvert: [],
  RepeatLatentBatch: ['amount'],
  KSamplerSelect: ['sampler_name'],
  BasicScheduler: ['scheduler', 'steps', 'denoise'],
  KarrasScheduler: ['steps', 'sigma_max', 'sigma_min', 'rho'],
  RandomNoise: ['noise_seed'],
  DisableNoise: [],
  CFGGuider: ['cfg'],
  BasicGuider: [],
  SamplerCustom: ['add_noise', 'noise_seed', 'cfg'],
  SamplerCustomAdvanced: [],
};

const SEED_WIDGETS = new Set(['seed', 'noise_seed']);
const CONTROL_VALUES = new Set(['fixed', 'randomize', 'increment', 'decrement']);

function isControlValue(value: unknown): boolean {
  return typeof value === 'boolean' || (typeof value === 'string' && CONTROL_VALUES.has(value));
}

/** Names the values of a `widgets_values` array; undefined for a class without a known order. */
export function readWidgets(classType: string, values: readonly unknown[]): Record<string, unknown> | undefined {
  const order = Object.hasOwn(WIDGET_ORDER, classType) ? WIDGET_ORDER[classType] : undefined;
  if (!order) return undefined;
  const named: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  let i = 0;
  for (const name of order) {
    if (i >= values.length) break;
    named[name] = values[i++];
    if (SEED_WIDGETS.has(name) && i < values.length && isControlValue(values[i])) i++;
  }
  return named;
}
