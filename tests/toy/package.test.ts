/** The committed public/models/toy-shapes* packages are exactly what the builder makes, and stay small. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { TOY_DIFFUSION_PACKAGE_IDS, toyPackages, writeToyPackages, type ToyPackageId } from '../../src/toy/toyPackage.ts';

const MODELS_DIR = join(import.meta.dirname, '../../public/models');

function listFiles(root: string, dir = root): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(root, path) : [relative(root, path).split('\\').join('/')];
  });
}

let built: Map<ToyPackageId, Map<string, Uint8Array>>;
let seconds = 0;
/** Where this test's build was written (as `npm run build:models` writes it, but into a temp dir). */
let rebuiltRoot: string;
beforeAll(() => {
  const started = performance.now();
  built = toyPackages();
  seconds = (performance.now() - started) / 1000;
  rebuiltRoot = mkdtempSync(join(tmpdir(), 'toy-shapes-'));
  writeToyPackages(rebuiltRoot, built);
});
afterAll(() => rmSync(rebuiltRoot, { recursive: true, force: true }));

describe('toy-shapes packages', () => {
  it('rebuild byte for byte into what is committed, under 10 MB in all, in under 20 s', () => {
    console.log(`toy-shapes build: ${seconds.toFixed(1)} s`);
    let total = 0;
    for (const [id, files] of built) {
      const dir = join(MODELS_DIR, id);
      expect(existsSync(dir), `${dir} is missing: run npm run build:models`).toBe(true);
      expect(listFiles(dir).sort(), id).toEqual([...files.keys()].sort());
      expect(listFiles(join(rebuiltRoot, id)).sort(), id).toEqual([...files.keys()].sort());
      for (const rel of files.keys()) {
        const committed = readFileSync(join(dir, rel));
        const rebuilt = readFileSync(join(rebuiltRoot, id, rel));
        expect(Buffer.compare(committed, rebuilt), `${id}/${rel} differs from the builder's output: run npm run build:models`).toBe(0);
        total += rebuilt.length;
      }
    }
    expect(total).toBeLessThan(10e6);
    expect(seconds).toBeLessThan(20);
  });

  it('have the Stable Diffusion export layout and configs', () => {
    for (const id of TOY_DIFFUSION_PACKAGE_IDS) {
      const files = built.get(id)!;
      for (const rel of ['model_index.json', 'scheduler/scheduler_config.json', 'tokenizer/tokenizer.json', 'tokenizer/vocab.json', 'tokenizer/merges.txt',
        'text_encoder/model.onnx', 'unet/model.onnx', 'vae_decoder/model.onnx', 'vae_decoder/config.json']) {
        expect(files.has(rel), `${id}/${rel}`).toBe(true);
      }
      const text = (rel: string) => JSON.parse(new TextDecoder().decode(files.get(rel)));
      expect(text('scheduler/scheduler_config.json')).toMatchObject({ beta_schedule: 'scaled_linear', beta_start: 0.00085, beta_end: 0.012, num_train_timesteps: 1000 });
      expect(text('vae_decoder/config.json').scaling_factor).toBeGreaterThan(0);
    }
    const main = built.get('toy-shapes')!;
    expect(main.has('vae_encoder/model.onnx')).toBe(true);
    expect(JSON.parse(new TextDecoder().decode(main.get('vae_encoder/config.json'))).scaling_factor).toBe(
      JSON.parse(new TextDecoder().decode(main.get('vae_decoder/config.json'))).scaling_factor,
    );
  });
});
