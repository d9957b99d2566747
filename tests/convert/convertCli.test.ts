/** `latentloom convert` through the real process. */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readOnnxModelInfo } from '../../src/onnx/index.ts';
import { readFileSync } from 'node:fs';
import { runCliProcess } from '../cli/hostileHarness.ts';

const TAESD = resolve(__dirname, '../../../shared/data/taesd');
const have = existsSync(join(TAESD, 'taef2_decoder.pth'));
if (!have && process.env.CI) throw new Error(`${TAESD} is missing; CI needs ../shared/data`);

describe('latentloom convert', () => {
  it.skipIf(!have)('prints the architecture and writes an ONNX model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'll-convert-'));
    const out = join(dir, 'taef2_decoder.onnx');
    const r = await runCliProcess(['convert', join(TAESD, 'taef2_decoder.pth'), '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/taef2_decoder\.pth: taesd-decoder \(latent channels 32, width 64, GroupNorm mid-blocks\), 1\.34 M parameters/);
    expect(r.stdout.trim()).toBe(out);
    const info = readOnnxModelInfo(readFileSync(out));
    expect(info.inputs.map((i) => i.name)).toEqual(['latent']);
    expect(info.outputs.map((o) => o.name)).toEqual(['image']);
    expect(readdirSync(dir)).toEqual(['taef2_decoder.onnx']);
  });

  it('converts a TF.js model.json (UpscalerJS ESRGAN medium ×4) and names its range', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'll-convert-'));
    const out = join(dir, 'x4.onnx');
    const modelJson = resolve(__dirname, '../../node_modules/@upscalerjs/esrgan-medium/models/x4/model.json');
    const r = await runCliProcess(['convert', modelJson, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/model\.json: TF\.js layers model ×4 \(\d+ layers, works on \[0, 255\], @upscalerjs\/esrgan-medium; the ONNX takes and gives \[0, 1\]\), 0\.70 M parameters/);
    const info = readOnnxModelInfo(readFileSync(out));
    expect(info.inputs.map((i) => i.name)).toEqual(['image']);
    expect(readdirSync(dir)).toEqual(['x4.onnx']);
    const bad = join(dir, 'model.json');
    writeFileSync(bad, 'root:x:0:0');
    const refused = await runCliProcess(['convert', bad, '--out', join(dir, 'bad.onnx')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe('latentloom convert: model.json: is not valid JSON');
  });

  it('refuses a file that is not a checkpoint in one line, writing nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'll-convert-'));
    const notModel = join(dir, 'notes.pth');
    writeFileSync(notModel, 'root:x:0:0:root:/root:/bin/bash\n');
    const r = await runCliProcess(['convert', notModel, '--out', join(dir, 'm.onnx')]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`latentloom convert: notes.pth is neither a PyTorch zip checkpoint nor a safetensors file`);
    expect(r.stderr).not.toContain('root:x');
    expect(readdirSync(dir)).toEqual(['notes.pth']);
  });
});
