/** `latentloom run | validate | import` on ComfyUI workflows (JSON and ComfyUI PNGs). */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/cli.ts';
import { encodePng } from '../../src/tensor/png.ts';
import { loadGraph } from '../../src/persistence/load.ts';
import { readPicture } from '../toy/analysis.ts';
import { pngImage } from '../toy/graphRunner.ts';
import { COMFY_FIXTURES, fixture } from './helpers.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'comfy-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { print: (l) => out.push(l), log: (l) => err.push(l) });
  return { code, out, err };
}

/** A ComfyUI-saved PNG: a tiny picture with the API form under `prompt` and the UI form under `workflow`. */
function comfyPng(): string {
  const path = join(dir, 'ComfyUI_00001_.png');
  const png = encodePng({ width: 1, height: 1, channels: 4, data: new Uint8Array([0, 0, 0, 255]) }, {
    text: {
      prompt: readFileSync(join(COMFY_FIXTURES, 'txt2img-api.json'), 'utf8'),
      workflow: readFileSync(join(COMFY_FIXTURES, 'txt2img-ui.json'), 'utf8'),
    },
  });
  writeFileSync(path, png);
  return path;
}

describe('latentloom on ComfyUI workflows', () => {
  it('run converts an API workflow, says so, and writes the 64×64 picture', async () => {
    const out = join(dir, 'run-api');
    const r = await cli(['run', join(COMFY_FIXTURES, 'txt2img-api.json'), '--out', out]);
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(r.err.join('\n')).toMatch(/warning.*converted from a ComfyUI workflow \(API format\)/);
    expect(readdirSync(out)).toEqual(['ComfyUI_00001.png']);
    const picture = pngImage(new Uint8Array(readFileSync(join(out, 'ComfyUI_00001.png'))));
    expect([picture.width, picture.height]).toEqual([64, 64]);
    expect(readPicture(picture.data)).toMatchObject({ colour: 'red', shape: 'circle' });
  }, 120_000);

  it('run converts an img2img workflow whose LoadImage reads next to the workflow', async () => {
    const work = join(dir, 'img2img');
    const w = fixture('img2img-api.json') as Record<string, { class_type: string; inputs: Record<string, unknown> }>;
    w['10'] = { class_type: 'SaveImage', inputs: { images: ['9', 0], filename_prefix: 'img2img' } };
    const r0 = await cli(['run', join(COMFY_FIXTURES, 'txt2img-api.json'), '--out', work]);
    expect(r0.code).toBe(0);
    writeFileSync(join(work, 'input.png'), readFileSync(join(work, 'ComfyUI_00001.png')));
    writeFileSync(join(work, 'img2img.json'), JSON.stringify(w));
    const r = await cli(['run', join(work, 'img2img.json'), '--out', work]);
    expect(r.code, r.err.join('\n')).toBe(0);
    const picture = pngImage(new Uint8Array(readFileSync(join(work, 'img2img_00001.png'))));
    expect([picture.width, picture.height]).toEqual([128, 128]);
  }, 120_000);

  it('validate takes the UI form and a ComfyUI PNG', async () => {
    const ui = await cli(['validate', join(COMFY_FIXTURES, 'txt2img-ui.json')]);
    expect(ui.code, ui.out.join('\n')).toBe(0);
    expect(ui.out.join('\n')).toMatch(/converted from a ComfyUI workflow \(UI format\)[\s\S]*valid \(/);
    const png = await cli(['validate', comfyPng()]);
    expect(png.code, png.out.join('\n')).toBe(0);
    expect(png.out.join('\n')).toMatch(/API format/);
  });

  it('validate reports a workflow that cannot be converted', async () => {
    const w = fixture('txt2img-api.json') as Record<string, { inputs: Record<string, unknown> }>;
    w['3'].inputs.sampler_name = 'uni_pc';
    const path = join(dir, 'bad.json');
    writeFileSync(path, JSON.stringify(w));
    const r = await cli(['validate', path]);
    expect(r.code).toBe(1);
    expect(r.out.join('\n')).toMatch(/cannot be converted: node 3 \(KSampler\): sampler_name "uni_pc"/);
  });

  it('import --out writes a graph that loads; --models maps a checkpoint', async () => {
    const out = join(dir, 'imported.json');
    const r = await cli(['import', join(COMFY_FIXTURES, 'txt2img-ui.json'), '--out', out]);
    expect(r.code, r.err.join('\n')).toBe(0);
    const loaded = loadGraph(readFileSync(out, 'utf8'));
    expect(loaded.ok).toBe(true);
    expect((await cli(['validate', out])).code).toBe(0);

    const w = fixture('txt2img-api.json') as Record<string, { inputs: Record<string, unknown> }>;
    w['4'].inputs.ckpt_name = 'my-model.safetensors';
    const workflow = join(dir, 'mapped.json');
    writeFileSync(workflow, JSON.stringify(w));
    expect((await cli(['import', workflow])).code).toBe(1);
    const models = join(dir, 'models.json');
    writeFileSync(models, JSON.stringify({ 'my-model.safetensors': { source: 'builtin:toy-shapes', downscale: 4 } }));
    const mapped = await cli(['import', workflow, '--models', models]);
    expect(mapped.code, mapped.err.join('\n')).toBe(0);
    const graph = JSON.parse(mapped.out.join('\n')) as { models: Record<string, { source: string }> };
    expect(Object.values(graph.models).map((m) => m.source)).toEqual(['builtin:toy-shapes']);
  });
});
