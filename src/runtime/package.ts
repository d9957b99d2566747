/**
 * Model packages: a folder in the Hugging Face ONNX export layout, wherever it lives. A
 * `PackageSource` reads files by relative path; `ModelPackage` reads the small JSON configs
 * (model_index, scheduler, VAE) and hands out model files to the session cache.
 */
import { readOnnxModelInfo } from '../onnx/reader.ts';
import { RuntimeError, type ModelFile } from './types.ts';
import { packageLatentRgb, type LatentRgbMap } from './latentRgb.ts';

export interface DownloadProgress {
  file: string;
  loaded: number;
  /** Undefined when the server does not say. */
  total?: number;
}

export interface PackageSource {
  /** Stable identity: an absolute folder path, a base URL, or `builtin:<id>`. */
  readonly id: string;
  readFile(rel: string): Promise<Uint8Array>;
  exists(rel: string): Promise<boolean>;
  /**
   * A local filesystem path holding `rel` (Node only): folders return theirs, URL sources
   * download into their cache folder first. Lets onnxruntime-node map files instead of copying.
   */
  localPath?(rel: string): Promise<string | undefined>;
  /** Byte size without reading the file, when cheap to know. */
  size?(rel: string): Promise<number | undefined>;
  /** Removes a cached copy of `rel` that turned out bad (URL sources). */
  discard?(rel: string): Promise<void>;
}

/** Standard file locations inside a package. */
export const PACKAGE_FILES = {
  modelIndex: 'model_index.json',
  schedulerConfig: 'scheduler/scheduler_config.json',
  tokenizerDir: 'tokenizer',
  textEncoder: 'text_encoder/model.onnx',
  unet: 'unet/model.onnx',
  vaeDecoder: 'vae_decoder/model.onnx',
  vaeEncoder: 'vae_encoder/model.onnx',
  vaeDecoderConfig: 'vae_decoder/config.json',
  vaeEncoderConfig: 'vae_encoder/config.json',
} as const;

export const DEFAULT_VAE_SCALING_FACTOR = 0.18215;

/** Models whose file is larger than this are assumed to carry their weights inline. */
const EXTERNAL_PROBE_LIMIT = 128 * 1024 * 1024;

function dirOf(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i < 0 ? '' : rel.slice(0, i + 1);
}

async function readJson(source: PackageSource, rel: string): Promise<Record<string, unknown> | undefined> {
  if (!(await source.exists(rel))) return undefined;
  const text = new TextDecoder().decode(await source.readFile(rel));
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The parser's message quotes the text: a "config" that is really another file must not be shown.
    throw new RuntimeError(`model package ${source.id}: file ${rel} is not valid JSON`, 'bad-package', { file: rel });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RuntimeError(`model package ${source.id}: file ${rel} is not a JSON object`, 'bad-package', { file: rel });
  }
  return value as Record<string, unknown>;
}

/** A ModelFile for `rel` inside `source`: by local path where there is one, else by bytes. */
export async function packageModelFile(source: PackageSource, rel: string): Promise<ModelFile> {
  let bytesPromise: Promise<Uint8Array> | undefined;
  const read = () => (bytesPromise ??= source.readFile(rel));
  const exists = () => source.exists(rel);
  const file: ModelFile = {
    key: `${source.id}#${rel}`,
    label: rel,
    where: source.id,
    read,
    exists,
    size: async () => (source.size ? source.size(rel) : undefined),
    ...(source.discard
      ? {
          async discard() {
            bytesPromise = undefined;
            await source.discard!(rel);
          },
        }
      : {}),
    async externalData() {
      const size = source.size ? await source.size(rel) : undefined;
      if (size !== undefined && size > EXTERNAL_PROBE_LIMIT) return [];
      let names: string[];
      try {
        names = readOnnxModelInfo(await read(), rel).externalDataFiles;
      } catch {
        return []; // the session's own load failure will be diagnosed with the reader's message
      }
      const present: { path: string; read(): Promise<Uint8Array> }[] = [];
      for (const name of names) {
        const companion = dirOf(rel) + name;
        if (await source.exists(companion)) present.push({ path: name, read: () => source.readFile(companion) });
      }
      return present;
    },
  };
  if (source.localPath && (await exists())) {
    // Make companions local too (URL sources download them) so onnxruntime finds them beside the model.
    const companions = await file.externalData!();
    for (const c of companions) await source.localPath(dirOf(rel) + c.path);
    file.path = await source.localPath(rel);
    bytesPromise = undefined; // read only to find companions; don't hold it
  }
  return file;
}

export class ModelPackage {
  private readonly memo = new Map<string, Promise<unknown>>();

  private constructor(
    readonly source: PackageSource,
    readonly modelIndex: Record<string, unknown> | undefined,
    readonly schedulerConfig: Record<string, unknown> | undefined,
    readonly vaeConfig: Record<string, unknown> | undefined,
  ) {}

  static async open(source: PackageSource): Promise<ModelPackage> {
    const [modelIndex, schedulerConfig, vaeDecoderConfig] = await Promise.all([
      readJson(source, PACKAGE_FILES.modelIndex),
      readJson(source, PACKAGE_FILES.schedulerConfig),
      readJson(source, PACKAGE_FILES.vaeDecoderConfig),
    ]);
    return new ModelPackage(source, modelIndex, schedulerConfig, vaeDecoderConfig);
  }

  get id(): string {
    return this.source.id;
  }

  /** Latent scaling factor: vae_decoder/config.json, then model_index.json, then SD's 0.18215. */
  get vaeScalingFactor(): number {
    for (const cfg of [this.vaeConfig, this.modelIndex]) {
      const v = cfg?.scaling_factor ?? cfg?.vae_scaling_factor;
      if (typeof v === 'number' && Number.isFinite(v) && v > 0) return v;
    }
    return DEFAULT_VAE_SCALING_FACTOR;
  }

  /** How this package's latents look as RGB without the VAE (live previews); see latentRgb.ts. */
  get latentRgb(): LatentRgbMap | undefined {
    return packageLatentRgb(this.modelIndex, this.id);
  }

  /**
   * Whether model_index.json lists `component` (e.g. SDXL's `text_encoder_2`); undefined when the
   * package has no model_index.json, so callers must look for the files themselves.
   */
  listsComponent(component: string): boolean | undefined {
    if (!this.modelIndex) return undefined;
    const entry = this.modelIndex[component];
    // diffusers writes [library, class], and [null, null] for a component the pipeline lacks.
    return Array.isArray(entry) ? entry.some((v) => v !== null) : entry !== undefined && entry !== null;
  }

  /**
   * A value derived from this package's files, built once per package (e.g. the tokenizer, so
   * repeated runs do not re-parse its vocabulary). A failed build is not kept.
   */
  derived<T>(key: string, build: () => Promise<T>): Promise<T> {
    let p = this.memo.get(key) as Promise<T> | undefined;
    if (!p) {
      p = build();
      this.memo.set(key, p);
      p.catch(() => this.memo.delete(key));
    }
    return p;
  }

  has(rel: string): Promise<boolean> {
    return this.source.exists(rel);
  }

  readFile(rel: string): Promise<Uint8Array> {
    return this.source.readFile(rel);
  }

  file(rel: string): Promise<ModelFile> {
    return packageModelFile(this.source, rel);
  }
}
