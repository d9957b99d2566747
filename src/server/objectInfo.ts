/**
 * `GET /object_info`: ComfyUI-shaped descriptions of the ComfyUI classes LatentLoom converts
 * (input names, types, defaults and choices as ComfyUI defines them, so clients build valid
 * prompts) and of LatentLoom's own node types (keyed by their type id, e.g. `sampling/step`).
 */
import type { NodeRegistry } from '../graph/registry.ts';
import type { ParamSpec } from '../graph/nodeSpec.ts';
import { SUPPORTED_CLASSES } from '../interop/comfy/index.ts';
import { COMFY_SCHEDULERS, SAMPLERS } from '../interop/comfy/classes/ksampler.ts';

type InputSpec = [string | string[], Record<string, unknown>?];

interface ClassSpec {
  required: Record<string, InputSpec>;
  optional?: Record<string, InputSpec>;
  output: string[];
  outputName?: string[];
  category: string;
  outputNode?: boolean;
  displayName?: string;
}

export interface ObjectInfo {
  input: { required: Record<string, InputSpec>; optional: Record<string, InputSpec> };
  input_order: { required: string[]; optional: string[] };
  output: string[];
  output_is_list: boolean[];
  output_name: string[];
  name: string;
  display_name: string;
  description: string;
  python_module: string;
  category: string;
  output_node: boolean;
}

const SEED: InputSpec = ['INT', { default: 0, min: 0, max: Number.MAX_SAFE_INTEGER, control_after_generate: true }];
const STEPS: InputSpec = ['INT', { default: 20, min: 1, max: 10000 }];
const CFG: InputSpec = ['FLOAT', { default: 8, min: 0, max: 100, step: 0.1, round: 0.01 }];
const DENOISE: InputSpec = ['FLOAT', { default: 1, min: 0, max: 1, step: 0.01 }];
const SIZE = (d: number): InputSpec => ['INT', { default: d, min: 16, max: 16384, step: 8 }];
const UPSCALE_METHODS = ['nearest-exact', 'bilinear', 'area', 'bicubic', 'bislerp'];
const CROP = ['disabled', 'center'];
const ENABLE = ['enable', 'disable'];

function classSpecs(names: { checkpoints: string[]; upscalers: string[]; images: string[] }): Record<string, ClassSpec> {
  const samplers = Object.keys(SAMPLERS);
  const sampler: Record<string, InputSpec> = { sampler_name: [samplers], scheduler: [COMFY_SCHEDULERS] };
  return {
    CheckpointLoaderSimple: { required: { ckpt_name: [names.checkpoints] }, output: ['MODEL', 'CLIP', 'VAE'], category: 'loaders', displayName: 'Load Checkpoint' },
    VAELoader: { required: { vae_name: [names.checkpoints] }, output: ['VAE'], category: 'loaders', displayName: 'Load VAE' },
    CLIPTextEncode: { required: { text: ['STRING', { multiline: true, dynamicPrompts: true }], clip: ['CLIP'] }, output: ['CONDITIONING'], category: 'conditioning', displayName: 'CLIP Text Encode (Prompt)' },
    CLIPSetLastLayer: { required: { clip: ['CLIP'], stop_at_clip_layer: ['INT', { default: -1, min: -24, max: -1, step: 1 }] }, output: ['CLIP'], category: 'conditioning' },
    EmptyLatentImage: { required: { width: SIZE(512), height: SIZE(512), batch_size: ['INT', { default: 1, min: 1, max: 4096 }] }, output: ['LATENT'], category: 'latent', displayName: 'Empty Latent Image' },
    KSampler: {
      required: { model: ['MODEL'], seed: SEED, steps: STEPS, cfg: CFG, ...sampler, positive: ['CONDITIONING'], negative: ['CONDITIONING'], latent_image: ['LATENT'], denoise: DENOISE },
      output: ['LATENT'], category: 'sampling',
    },
    KSamplerAdvanced: {
      required: {
        model: ['MODEL'], add_noise: [ENABLE], noise_seed: SEED, steps: STEPS, cfg: CFG, ...sampler,
        positive: ['CONDITIONING'], negative: ['CONDITIONING'], latent_image: ['LATENT'],
        start_at_step: ['INT', { default: 0, min: 0, max: 10000 }], end_at_step: ['INT', { default: 10000, min: 0, max: 10000 }],
        return_with_leftover_noise: [['disable', 'enable']],
      },
      output: ['LATENT'], category: 'sampling', displayName: 'KSampler (Advanced)',
    },
    VAEDecode: { required: { samples: ['LATENT'], vae: ['VAE'] }, output: ['IMAGE'], category: 'latent', displayName: 'VAE Decode' },
    VAEEncode: { required: { pixels: ['IMAGE'], vae: ['VAE'] }, output: ['LATENT'], category: 'latent', displayName: 'VAE Encode' },
    LoadImage: { required: { image: [names.images, { image_upload: true }] }, output: ['IMAGE', 'MASK'], category: 'image', displayName: 'Load Image' },
    SaveImage: { required: { images: ['IMAGE'], filename_prefix: ['STRING', { default: 'ComfyUI' }] }, output: [], category: 'image', outputNode: true, displayName: 'Save Image' },
    PreviewImage: { required: { images: ['IMAGE'] }, output: [], category: 'image', outputNode: true, displayName: 'Preview Image' },
    LatentUpscale: { required: { samples: ['LATENT'], upscale_method: [UPSCALE_METHODS], width: SIZE(512), height: SIZE(512), crop: [CROP] }, output: ['LATENT'], category: 'latent', displayName: 'Upscale Latent' },
    LatentUpscaleBy: { required: { samples: ['LATENT'], upscale_method: [UPSCALE_METHODS], scale_by: ['FLOAT', { default: 1.5, min: 0.01, max: 8, step: 0.01 }] }, output: ['LATENT'], category: 'latent', displayName: 'Upscale Latent By' },
    ImageScale: { required: { image: ['IMAGE'], upscale_method: [UPSCALE_METHODS], width: SIZE(512), height: SIZE(512), crop: [CROP] }, output: ['IMAGE'], category: 'image/upscaling', displayName: 'Upscale Image' },
    ImageScaleBy: { required: { image: ['IMAGE'], upscale_method: [UPSCALE_METHODS], scale_by: ['FLOAT', { default: 1, min: 0.01, max: 8, step: 0.01 }] }, output: ['IMAGE'], category: 'image/upscaling', displayName: 'Upscale Image By' },
    UpscaleModelLoader: { required: { model_name: [names.upscalers] }, output: ['UPSCALE_MODEL'], category: 'loaders', displayName: 'Load Upscale Model' },
    ImageUpscaleWithModel: { required: { upscale_model: ['UPSCALE_MODEL'], image: ['IMAGE'] }, output: ['IMAGE'], category: 'image/upscaling', displayName: 'Upscale Image (using Model)' },
    ImageInvert: { required: { image: ['IMAGE'] }, output: ['IMAGE'], category: 'image', displayName: 'Invert Image' },
    RepeatLatentBatch: { required: { samples: ['LATENT'], amount: ['INT', { default: 1, min: 1, max: 64 }] }, output: ['LATENT'], category: 'latent/batch', displayName: 'Repeat Latent Batch' },
    KSamplerSelect: { required: { sampler_name: [samplers] }, output: ['SAMPLER'], category: 'sampling/custom_sampling/samplers' },
    BasicScheduler: { required: { model: ['MODEL'], scheduler: [COMFY_SCHEDULERS], steps: STEPS, denoise: DENOISE }, output: ['SIGMAS'], category: 'sampling/custom_sampling/schedulers' },
    KarrasScheduler: {
      required: { steps: STEPS, sigma_max: ['FLOAT', { default: 14.614642, min: 0, max: 5000, step: 0.01 }], sigma_min: ['FLOAT', { default: 0.0291675, min: 0, max: 5000, step: 0.01 }], rho: ['FLOAT', { default: 7, min: 0, max: 100, step: 0.01 }] },
      output: ['SIGMAS'], category: 'sampling/custom_sampling/schedulers',
    },
    RandomNoise: { required: { noise_seed: SEED }, output: ['NOISE'], category: 'sampling/custom_sampling/noise' },
    CFGGuider: { required: { model: ['MODEL'], positive: ['CONDITIONING'], negative: ['CONDITIONING'], cfg: CFG }, output: ['GUIDER'], category: 'sampling/custom_sampling/guiders' },
    BasicGuider: { required: { model: ['MODEL'], conditioning: ['CONDITIONING'] }, output: ['GUIDER'], category: 'sampling/custom_sampling/guiders' },
    SamplerCustom: {
      required: { model: ['MODEL'], add_noise: ['BOOLEAN', { default: true }], noise_seed: SEED, cfg: CFG, positive: ['CONDITIONING'], negative: ['CONDITIONING'], sampler: ['SAMPLER'], sigmas: ['SIGMAS'], latent_image: ['LATENT'] },
      output: ['LATENT', 'LATENT'], outputName: ['output', 'denoised_output'], category: 'sampling/custom_sampling',
    },
    SamplerCustomAdvanced: {
      required: { noise: ['NOISE'], guider: ['GUIDER'], sampler: ['SAMPLER'], sigmas: ['SIGMAS'], latent_image: ['LATENT'] },
      output: ['LATENT', 'LATENT'], outputName: ['output', 'denoised_output'], category: 'sampling/custom_sampling',
    },
  };
}

function toInfo(name: string, spec: ClassSpec, description: string, module: string): ObjectInfo {
  const optional = spec.optional ?? {};
  return {
    input: { required: spec.required, optional },
    input_order: { required: Object.keys(spec.required), optional: Object.keys(optional) },
    output: spec.output,
    output_is_list: spec.output.map(() => false),
    output_name: spec.outputName ?? spec.output,
    name,
    display_name: spec.displayName ?? name,
    description,
    python_module: module,
    category: spec.category,
    output_node: spec.outputNode === true,
  };
}

function paramInput(spec: ParamSpec): InputSpec | undefined {
  switch (spec.kind) {
    case 'int': return ['INT', { default: spec.default, ...(spec.min !== undefined ? { min: spec.min } : {}), ...(spec.max !== undefined ? { max: spec.max } : {}) }];
    case 'float': return ['FLOAT', { default: spec.default, ...(spec.min !== undefined ? { min: spec.min } : {}), ...(spec.max !== undefined ? { max: spec.max } : {}), ...(spec.step !== undefined ? { step: spec.step } : {}) }];
    case 'seed': return ['INT', { default: spec.default, min: 0, max: Number.MAX_SAFE_INTEGER, control_after_generate: true }];
    case 'string': return ['STRING', { default: spec.default, ...(spec.multiline ? { multiline: true } : {}) }];
    case 'image': return ['STRING', { default: spec.default, image_upload: true }];
    case 'model': return ['STRING', { default: spec.default }];
    case 'enum': return [[...spec.options], { default: spec.default }];
    case 'boolean': return ['BOOLEAN', { default: spec.default }];
    case 'ports': return undefined;
  }
}

export interface ObjectInfoNames {
  /** Checkpoint names the model table knows. */
  checkpoints: string[];
  upscalers: string[];
  /** Images in the input folder, for LoadImage. */
  images: string[];
}

export function objectInfo(registry: NodeRegistry, names: ObjectInfoNames): Record<string, ObjectInfo> {
  const info: Record<string, ObjectInfo> = {};
  const specs = classSpecs(names);
  for (const name of SUPPORTED_CLASSES) {
    if (Object.hasOwn(specs, name)) info[name] = toInfo(name, specs[name], `ComfyUI's ${name}, run as LatentLoom nodes`, 'latentloom.comfy');
  }
  for (const def of registry.list()) {
    const required: Record<string, InputSpec> = {};
    const optional: Record<string, InputSpec> = {};
    for (const [port, p] of Object.entries(def.inputs)) (p.optional ? optional : required)[port] = [p.type];
    for (const [param, p] of Object.entries(def.params)) {
      const input = p.hidden ? undefined : paramInput(p);
      if (input) required[param] = input;
    }
    info[def.type] = toInfo(def.type, {
      required, optional,
      output: Object.values(def.outputs).map((p) => p.type),
      outputName: Object.keys(def.outputs),
      category: `latentloom/${def.category}`,
      outputNode: def.isOutput === true,
      displayName: def.title,
    }, def.description, 'latentloom');
  }
  return info;
}
