/**
 * `model/load`: opens a model package named in the graph's `models` table and hands out its
 * parts as handles. Nothing heavy happens here: configs and the tokenizer are read, model files
 * are opened (and, for URL packages, downloaded) only when a node first runs them.
 */
import { ClipTokenizer } from '../../src/diffusion/clipTokenizer.ts';
import { requireRuntime } from '../../src/runtime/runtime.ts';
import { packageFileRef, type TextEncoderHandle, type VaeHandle } from '../../src/runtime/handles.ts';
import { PACKAGE_FILES, type ModelPackage } from '../../src/runtime/package.ts';
import { RuntimeError, type SessionOptions } from '../../src/runtime/types.ts';
import { defineNode } from '../define.ts';

async function loadTokenizer(pkg: ModelPackage, dir: string = PACKAGE_FILES.tokenizerDir): Promise<ClipTokenizer | undefined> {
  const hasAny = (await Promise.all(['tokenizer.json', 'vocab.json'].map((f) => pkg.has(`${dir}/${f}`)))).some(Boolean);
  if (!hasAny) return undefined;
  return ClipTokenizer.fromFolder(dir, {
    async readFile(path) {
      if (!(await pkg.has(path))) throw Object.assign(new Error(`${path} is missing`), { code: 'ENOENT' });
      return pkg.readFile(path);
    },
  });
}

/**
 * Free dimension overrides from the models-table entry (kept under `extra` by the loader):
 * `"freeDimensionOverrides": { "batch": 1, … }` for every model of the package, or per component
 * `{ "unet": { … }, "text_encoder": { … }, "vae_decoder": { … } }`. WebGPU plans better with them.
 */
function overridesFor(extra: Record<string, unknown> | undefined, component: string): SessionOptions | undefined {
  const raw = extra?.freeDimensionOverrides;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const isDims = (v: unknown): v is Record<string, number> =>
    !!v && typeof v === 'object' && Object.values(v).every((d) => Number.isInteger(d) && (d as number) > 0);
  if (isDims(raw)) return { freeDimensionOverrides: raw };
  const part = (raw as Record<string, unknown>)[component];
  return isDims(part) ? { freeDimensionOverrides: part } : undefined;
}

export const modelLoad = defineNode({
  type: 'model/load',
  needsRuntime: true,
  version: 1,
  title: 'Load model',
  category: 'model',
  description:
    'A Stable Diffusion model package (Hugging Face ONNX layout) from the graph\'s models table: tokenizer, text encoder, denoiser (UNet), VAE and scheduler config.',
  inputs: {},
  outputs: {
    package: { type: 'MODEL_PACKAGE' },
    tokenizer: { type: 'TOKENIZER' },
    text_encoder: { type: 'TEXT_ENCODER' },
    denoiser: { type: 'DENOISER' },
    vae: { type: 'VAE' },
    scheduler_config: { type: 'ANY', description: "The package's scheduler/scheduler_config.json (diffusers keys), for sampling/scheduler." },
    vae_scaling_factor: { type: 'FLOAT' },
    tokenizer_2: { type: 'TOKENIZER', description: "SDXL's second tokenizer (tokenizer_2/), when the package has one." },
    text_encoder_2: { type: 'TEXT_ENCODER', description: "SDXL's second text encoder (text_encoder_2/model.onnx), when the package has one." },
  },
  params: {
    model: { kind: 'model', default: '', label: 'Model' },
  },
  async run(ctx, _inputs, params) {
    const runtime = requireRuntime(ctx.services, ctx.nodeId);
    const key = params.model;
    const models = ctx.graph?.models ?? {};
    const ref = models[key];
    if (!ref) {
      const keys = Object.keys(models);
      throw new RuntimeError(
        `node "${ctx.nodeId}": model "${key}" is not in the graph's models table (${keys.length ? `keys: ${keys.join(', ')}` : 'the table is empty'})`,
        'bad-package',
        { node: ctx.nodeId },
      );
    }
    const pkg = await runtime.openPackage(ref, key);
    const core = [PACKAGE_FILES.modelIndex, PACKAGE_FILES.unet, PACKAGE_FILES.textEncoder, PACKAGE_FILES.vaeDecoder];
    const present = await Promise.all(core.map((f) => pkg.has(f)));
    if (!present.some(Boolean)) {
      throw new RuntimeError(
        `node "${ctx.nodeId}": model "${key}" (${ref.source}) has none of the files of a model package (${core.join(', ')})`,
        'missing-file',
        { node: ctx.nodeId },
      );
    }
    let tokenizer: ClipTokenizer | undefined;
    try {
      tokenizer = await pkg.derived('tokenizer', () => loadTokenizer(pkg));
    } catch (err) {
      throw new RuntimeError(`node "${ctx.nodeId}": tokenizer of model "${key}" could not be read: ${(err as Error).message}`, 'bad-package', { node: ctx.nodeId, file: 'tokenizer/' });
    }
    if (!tokenizer && present[2]) {
      // Some web exports ship only ONNX files; graphs then take the tokenizer from a second package.
      ctx.log.warn(`node "${ctx.nodeId}": model "${key}" has a text encoder but no tokenizer/ folder; its tokenizer output stays empty`);
    }
    const latentRgb = pkg.latentRgb;
    const fileRef = (rel: string, component: string) => packageFileRef(pkg, rel, overridesFor(ref.extra, component));
    const vae: VaeHandle = {
      kind: 'VAE',
      decoder: fileRef(PACKAGE_FILES.vaeDecoder, 'vae_decoder'),
      encoder: (await pkg.has(PACKAGE_FILES.vaeEncoder)) ? fileRef(PACKAGE_FILES.vaeEncoder, 'vae_encoder') : undefined,
      scalingFactor: pkg.vaeScalingFactor,
    };
    // SDXL packages carry a second tokenizer and text encoder; other packages leave these empty.
    // model_index.json says which components a package has (no probe for a file that is not
    // there, which a URL package answers with a 404); without one, look for the file.
    const hasSecond = pkg.listsComponent('text_encoder_2') ?? (await pkg.has('text_encoder_2/model.onnx'));
    const tokenizer2 = hasSecond ? await pkg.derived('tokenizer_2', () => loadTokenizer(pkg, 'tokenizer_2')) : undefined;
    return {
      package: { kind: 'MODEL_PACKAGE', key, package: pkg },
      tokenizer_2: tokenizer2 as ClipTokenizer,
      text_encoder_2: (hasSecond ? { kind: 'TEXT_ENCODER', model: fileRef('text_encoder_2/model.onnx', 'text_encoder_2') } : undefined) as TextEncoderHandle,
      // A package without tokenizer/ (a VAE-only package, say) leaves this output empty; the
      // engine reports it only if something reads it.
      tokenizer: tokenizer as ClipTokenizer,
      text_encoder: { kind: 'TEXT_ENCODER', model: fileRef(PACKAGE_FILES.textEncoder, 'text_encoder') },
      denoiser: { kind: 'DENOISER', model: fileRef(PACKAGE_FILES.unet, 'unet'), ...(latentRgb ? { latentRgb } : {}) },
      vae,
      scheduler_config: pkg.schedulerConfig ?? {},
      vae_scaling_factor: pkg.vaeScalingFactor,
    };
  },
});
