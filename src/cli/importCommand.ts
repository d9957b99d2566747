/**
 * `latentloom import <workflow> [--out graph.json] [--models FILE]`: converts a ComfyUI workflow
 * (API or UI JSON, or a ComfyUI PNG) into a LatentLoom graph file; prints it without --out.
 * Also where `--models FILE` (checkpoint name → model package) is read for run and validate.
 */
import { rename, unlink, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { openRegularFile } from '../security/fileAccess.ts';
import { saveGraphText } from '../persistence/save.ts';
import type { ImportOptions, ModelMapping } from '../interop/comfy/index.ts';
import { UsageError, type ParsedArgs } from './args.ts';
import { formatIssue } from './format.ts';
import { loadGraphFile, type LoadFileOptions } from './loadFile.ts';

/** Reads `--models FILE`: `{ "name.safetensors": "<source>" | { "source": …, "downscale": 8 } }`. */
export async function loadFileOptions(args: ParsedArgs): Promise<LoadFileOptions> {
  if (args.models === undefined) return {};
  let json: unknown;
  try {
    const bytes = await openRegularFile(resolve(args.models), 'json', args.models);
    json = JSON.parse(new TextDecoder().decode(bytes!));
  } catch (error) {
    throw new UsageError(`--models ${args.models}: ${(error as Error).message}`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new UsageError(`--models ${args.models}: expected a JSON object of checkpoint name → model package`);
  const models = Object.create(null) as Record<string, string | ModelMapping>;
  for (const [name, value] of Object.entries(json)) {
    if (typeof value === 'string') models[name] = value;
    else if (value && typeof value === 'object' && typeof (value as ModelMapping).source === 'string') {
      const { source, downscale } = value as ModelMapping;
      if (downscale !== undefined && (!Number.isInteger(downscale) || downscale < 1)) throw new UsageError(`--models ${args.models}: "${name}".downscale must be a positive integer`);
      models[name] = { source, ...(downscale !== undefined ? { downscale } : {}) };
    } else throw new UsageError(`--models ${args.models}: "${name}" must be a package source or { "source": …, "downscale": … }`);
  }
  const comfy: ImportOptions = { models };
  return { comfy };
}

export async function importCommand(args: ParsedArgs, print: (line: string) => void, log: (line: string) => void): Promise<number> {
  const file = args.positional[0];
  if (!file || args.positional.length > 1) throw new UsageError('import takes exactly one ComfyUI workflow file');
  const loaded = await loadGraphFile(file, await loadFileOptions(args));
  if (!loaded.ok) {
    for (const issue of loaded.issues) log(`${file}: ${formatIssue(issue)}`);
    return 1;
  }
  const converted = loaded.warnings.some((w) => w.code === 'converted');
  for (const issue of loaded.warnings) log(`${file}: ${formatIssue(issue)}`);
  if (!converted) log(`${file}: already a LatentLoom graph; written as loaded`);
  const text = saveGraphText(loaded.graph);
  if (args.out === undefined) {
    print(text);
    return 0;
  }
  const out = resolve(args.out);
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, text.endsWith('\n') ? text : `${text}\n`, { flag: 'wx' });
    await rename(tmp, out);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    log(`latentloom import: could not write ${out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    return 1;
  }
  log(`${file}: ${loaded.graph.nodes.length} nodes, ${loaded.graph.edges.length} edges written to ${out}`);
  print(out);
  return 0;
}
