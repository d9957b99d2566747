/**
 * `latentloom convert <checkpoint> [--out model.onnx]`: reads a PyTorch or safetensors checkpoint,
 * prints the architecture it recognised and writes the ONNX model (default: beside the input,
 * `.onnx`). The output is written to a temporary file and renamed, so a failure leaves no partial
 * model and never replaces an existing file with a broken one.
 */
import { open, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { convertCheckpoint, ConvertError, type DetectedArchitecture } from '../convert/index.ts';
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

export async function convertCommand(args: ParsedArgs, print: (line: string) => void, log: (line: string) => void): Promise<number> {
  const file = args.positional[0];
  if (!file || args.positional.length > 1) throw new UsageError('convert takes exactly one checkpoint file');
  const started = performance.now();
  try {
    const bytes = await readCheckpoint(file);
    const model = convertCheckpoint(bytes, basename(file));
    const out = resolve(args.out ?? join(dirname(file), `${basename(file, extname(file))}.onnx`));
    const tmp = `${out}.${process.pid}.tmp`;
    try {
      await writeFile(tmp, model.onnx, { flag: 'wx' });
      await rename(tmp, out);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw new ConvertError(`could not write ${out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    log(`${basename(file)}: ${describeArchitecture(model.info)}, ${(model.parameters / 1e6).toFixed(2)} M parameters, converted in ${(performance.now() - started).toFixed(0)} ms`);
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
