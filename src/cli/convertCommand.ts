/**
 * `latentloom convert <checkpoint | model.json> [--out model.onnx]`: reads a PyTorch or
 * safetensors checkpoint, or a TF.js layers model (model.json and the shards beside it), prints the architecture it recognised and writes the ONNX model (default: beside the input,
 * `.onnx`). The output is written to a temporary file and renamed, so a failure leaves no partial
 * model and never replaces an existing file with a broken one.
 */
import { open, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { convertCheckpoint, ConvertError, type DetectedArchitecture } from '../convert/index.ts';
import { buildTfjsOnnx, parseTfjsModelJson } from '../convert/tfjs.ts';
import { BUILTIN_UPSCALERS } from '../../nodes/model/upscalerSource.ts';
import { isTfjsModelFile } from '../../nodes/model/convertedModel.ts';
import { UsageError, type ParsedArgs } from './args.ts';

/** Checkpoints this converts are small models; a larger file is refused before it is read. */
const MAX_CHECKPOINT_BYTES = 2 * 1024 ** 3;

async function readCheckpoint(path: string): Promise<Uint8Array> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new ConvertError(`${path} does not exist`);
  if (!info.isFile()) throw new ConvertError(`${path} is not a regular file`);
  if (info.size > MAX_CHECKPOINT_BYTES) throw new ConvertError(`${path} is ${(info.size / 1024 ** 3).toFixed(1)} GiB, over the ${MAX_CHECKPOINT_BYTES / 1024 ** 3} GiB limit for conversion`);
  const handle = await open(path, 'r');
  try {
    return new Uint8Array(await handle.readFile());
  } finally {
    await handle.close();
  }
}

function describeArchitecture(info: DetectedArchitecture): string {
  switch (info.architecture) {
    case 'rrdbnet': return `rrdbnet ×${info.scale} (${info.blocks} RRDB blocks, ${info.features} features, growth ${info.growth}, ${info.layout} key layout)`;
    case 'srvggnet-compact': return `srvggnet-compact ×${info.scale} (${info.convs} convs, ${info.features} features)`;
    default: return `${info.architecture} (latent channels ${info.latentChannels}, width ${info.width}${info.midBlockNorm ? ', GroupNorm mid-blocks' : ''})`;
  }
}

/**
 * A TF.js model.json and its shards as ONNX. The file does not say what range its images use:
 * the UpscalerJS packages' models work on [0, 255] (recognised by their package folder), others
 * are taken as [0, 1].
 */
async function convertTfjs(file: string): Promise<{ onnx: Uint8Array; describe: string; parameters: number }> {
  const model = parseTfjsModelJson(new TextDecoder().decode(await readCheckpoint(file)), basename(file));
  const shards = new Map<string, Uint8Array>();
  for (const name of model.weightsManifest.flatMap((g) => g.paths)) shards.set(name, await readCheckpoint(join(dirname(file), name)));
  const real = resolve(file).replace(/\\/g, '/');
  const builtin = Object.values(BUILTIN_UPSCALERS).find((m) => real.includes(`/node_modules/${m.npm}/`));
  const range: [number, number] = builtin?.valueRange ?? [0, 1];
  const { onnx, info, parameters } = buildTfjsOnnx(model, shards, basename(file), range);
  return { onnx, parameters, describe: `TF.js layers model ×${info.scale} (${info.layers} layers, works on [${range.join(', ')}]${builtin ? `, ${builtin.npm}` : ''}; the ONNX takes and gives [0, 1])` };
}

export async function convertCommand(args: ParsedArgs, print: (line: string) => void, log: (line: string) => void): Promise<number> {
  const file = args.positional[0];
  if (!file || args.positional.length > 1) throw new UsageError('convert takes exactly one checkpoint or model.json file');
  const started = performance.now();
  try {
    let model: { onnx: Uint8Array; parameters: number };
    let described: string;
    if (isTfjsModelFile(file)) {
      const tfjs = await convertTfjs(file);
      model = tfjs;
      described = tfjs.describe;
    } else {
      const checkpoint = convertCheckpoint(await readCheckpoint(file), basename(file));
      model = checkpoint;
      described = describeArchitecture(checkpoint.info);
    }
    const out = resolve(args.out ?? join(dirname(file), `${isTfjsModelFile(file) ? basename(dirname(resolve(file))) : basename(file, extname(file))}.onnx`));
    const tmp = `${out}.${process.pid}.tmp`;
    try {
      await writeFile(tmp, model.onnx, { flag: 'wx' });
      await rename(tmp, out);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw new ConvertError(`could not write ${out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    log(`${basename(file)}: ${described}, ${(model.parameters / 1e6).toFixed(2)} M parameters, converted in ${(performance.now() - started).toFixed(0)} ms`);
    print(out);
    return 0;
  } catch (err) {
    if (err instanceof ConvertError) {
      log(`latentloom convert: ${err.message}`);
      return 1;
    }
    throw err;
  }
}
