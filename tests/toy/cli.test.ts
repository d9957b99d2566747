/** `latentloom run graphs/toy-*.json --out DIR` writes the pictures, in-process through the CLI. */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/cli.ts';
import { readPicture } from './analysis.ts';
import { GRAPHS_DIR, pngImage } from './graphRunner.ts';

let out: string;
beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'toy-cli-'));
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

const EXPECTED: Record<string, string[]> = {
  'toy-txt2img.json': ['toy-txt2img_00001.png'],
  'toy-img2img.json': ['toy-img2img_00001.png'],
  'toy-schedulers.json': ['toy-ddim_00001.png', 'toy-dpmpp_00001.png', 'toy-euler_a_00001.png', 'toy-heun_00001.png'],
  'toy-cascade.json': ['toy-cascade_00001.png'],
  'toy-upscale.json': ['toy-upscale-bicubic_00001.png', 'toy-upscale_00001.png'],
};

describe('latentloom run on the toy graphs', () => {
  it.each(Object.keys(EXPECTED).map((f) => [f]))('%s', async (file) => {
    const dir = join(out, file.replace('.json', ''));
    const lines: string[] = [];
    const code = await runCli(['run', join(GRAPHS_DIR, file), '--out', dir, '--json'], { print: (l) => lines.push(l), log: () => {} });
    expect(code, lines.join('\n')).toBe(0);
    const report = JSON.parse(lines.join('\n')) as { ok: boolean };
    expect(report.ok).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(EXPECTED[file]);
    const first = pngImage(new Uint8Array(readFileSync(join(dir, EXPECTED[file].at(-1)!))));
    expect([first.width, first.height]).toEqual([64, 64]);
    expect(readPicture(first.data).shapeIou).toBeGreaterThan(0.5);
  });
});
