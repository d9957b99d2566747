/** The committed public/models/toy-shapes/ is exactly what the builder makes, and stays small. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { toyPackageFiles } from '../../src/toy/toyPackage.ts';

const PACKAGE_DIR = join(import.meta.dirname, '../../public/models/toy-shapes');

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [relative(PACKAGE_DIR, path).split('\\').join('/')];
  });
}

let built: Map<string, Uint8Array>;
let seconds = 0;
beforeAll(() => {
  const started = performance.now();
  built = toyPackageFiles();
  seconds = (performance.now() - started) / 1000;
});

describe('toy-shapes package', () => {
  it('rebuilds byte for byte into what is committed, under 10 MB', () => {
    expect(existsSync(PACKAGE_DIR), `${PACKAGE_DIR} is missing: run npm run build:models`).toBe(true);
    console.log(`toy-shapes build: ${seconds.toFixed(1)} s`);
    expect(listFiles(PACKAGE_DIR).sort()).toEqual([...built.keys()].sort());
    let total = 0;
    for (const [rel, bytes] of built) {
      const committed = readFileSync(join(PACKAGE_DIR, rel));
      expect(Buffer.compare(committed, Buffer.from(bytes)), `${rel} differs from the builder's output: run npm run build:models`).toBe(0);
      total += bytes.length;
    }
    expect(total).toBeLessThan(10e6);
    expect(seconds).toBeLessThan(20);
  });

  it('has the Stable Diffusion export layout and configs', () => {
    for (const rel of ['model_index.json', 'scheduler/scheduler_config.json', 'tokenizer/tokenizer.json', 'tokenizer/vocab.json', 'tokenizer/merges.txt',
      'text_encoder/model.onnx', 'unet/model.onnx', 'vae_encoder/model.onnx', 'vae_decoder/model.onnx']) {
      expect(built.has(rel), rel).toBe(true);
    }
    const text = (rel: string) => JSON.parse(new TextDecoder().decode(built.get(rel)));
    expect(text('scheduler/scheduler_config.json')).toMatchObject({ beta_schedule: 'scaled_linear', beta_start: 0.00085, beta_end: 0.012, num_train_timesteps: 1000 });
    const vae = text('vae_decoder/config.json');
    expect(vae.scaling_factor).toBeGreaterThan(0);
    expect(text('vae_encoder/config.json').scaling_factor).toBe(vae.scaling_factor);
  });
});
