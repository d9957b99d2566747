/**
 * What newcomers from ComfyUI (and A1111) type into a node search, and the LatentLoom node types
 * or templates it means. A ComfyUI KSampler is a whole sampling loop here, so it finds the
 * text-to-image sampler zone template first, then the nodes of the loop.
 * Templates are named by title (the palette's "Text-to-image sampler zone", "img2img", "Cascade").
 */
export interface PaletteAlias {
  /** ComfyUI class names and plain words, matched without case, spaces or underscores. */
  names: readonly string[];
  /** Template titles, offered first, when the palette has them. */
  templates?: readonly string[];
  /** Node types, in order of relevance. */
  types: readonly string[];
}

const SAMPLER_ZONE = 'Text-to-image sampler zone';

export const COMFY_ALIASES: readonly PaletteAlias[] = [
  {
    names: ['KSampler', 'KSamplerAdvanced', 'SamplerCustom', 'sampler', 'sampling', 'sample', 'txt2img', 'text to image', 'denoise loop'],
    templates: [SAMPLER_ZONE],
    types: ['diffusion/denoise', 'sampling/step', 'sampling/scheduler', 'flow/repeat-input', 'flow/repeat-output', 'guidance/cfg'],
  },
  { names: ['KSamplerSelect', 'BasicScheduler', 'scheduler', 'sigmas'], types: ['sampling/scheduler', 'sampling/step', 'sampling/timestep'] },
  {
    names: ['CheckpointLoaderSimple', 'CheckpointLoader', 'checkpoint', 'ckpt', 'load checkpoint', 'model loader', 'safetensors', 'UNETLoader', 'CLIPLoader', 'DiffusersLoader'],
    types: ['model/load', 'vae/load'],
  },
  { names: ['VAELoader', 'taesd', 'load vae'], types: ['vae/load', 'model/load'] },
  { names: ['EmptyLatentImage', 'EmptySD3LatentImage', 'empty latent', 'latent image', 'blank latent'], types: ['latent/empty'] },
  {
    names: ['CLIPTextEncode', 'prompt', 'positive', 'negative', 'text encode', 'conditioning', 'clip'],
    types: ['text/prompt', 'text/encode', 'text/tokenize', 'tokenizer/clip'],
  },
  { names: ['VAEDecode', 'VAEDecodeTiled', 'decode', 'latent to image'], types: ['vae/decode'] },
  { names: ['VAEEncode', 'VAEEncodeForInpaint', 'encode image', 'image to latent'], types: ['vae/encode'] },
  { names: ['SaveImage', 'save', 'output', 'export'], types: ['image/save', 'image/preview'] },
  { names: ['PreviewImage', 'preview', 'show image', 'view'], types: ['image/preview', 'latent/preview', 'image/save'] },
  { names: ['LoadImage', 'load image', 'input image', 'img2img', 'image to image'], templates: ['img2img'], types: ['image/load', 'vae/encode'] },
  { names: ['LatentUpscale', 'LatentUpscaleBy', 'hires fix', 'highres fix', 'hires'], types: ['latent/upscale', 'latent/scale'] },
  { names: ['ImageScale', 'ImageScaleBy', 'ImageScaleToTotalPixels', 'resize', 'scale image'], types: ['image/resize'] },
  { names: ['UpscaleModelLoader', 'load upscale model', 'esrgan', 'realesrgan'], types: ['model/load-upscaler', 'image/upscale-model'] },
  { names: ['ImageUpscaleWithModel', 'upscale with model'], types: ['image/upscale-model', 'model/load-upscaler'] },
  {
    names: ['upscale', 'upscaler', 'super resolution', 'enlarge'],
    templates: ['Cascade'],
    types: ['image/upscale-model', 'model/load-upscaler', 'latent/upscale', 'image/resize'],
  },
  { names: ['cascade', 'unclip', 'prior'], templates: ['Cascade'], types: [] },
  { names: ['cfg', 'guidance', 'classifier free guidance'], types: ['guidance/cfg'] },
  { names: ['seed', 'random'], types: ['const/seed', 'noise/gaussian'] },
  { names: ['noise', 'RandomNoise', 'DisableNoise'], types: ['noise/gaussian', 'sampling/add-noise'] },
  { names: ['RepeatLatentBatch', 'batch'], types: ['latent/repeat-batch', 'latent/batch'] },
  { names: ['LatentBlend', 'LatentComposite'], types: ['latent/blend'] },
  { names: ['ImageBlend', 'ImageCompositeMasked'], types: ['image/blend'] },
  { names: ['ImageCrop'], types: ['image/crop'] },
  { names: ['ImageInvert'], types: ['image/invert'] },
  { names: ['PrimitiveNode', 'primitive', 'number'], types: ['const/int', 'const/float', 'const/string', 'const/seed'] },
];

/** Lower case without spaces, underscores, dashes or dots: "K Sampler" = "ksampler". */
export function normaliseAlias(text: string): string {
  return text.toLowerCase().replace(/[\s_\-.]+/g, '');
}
