import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { readTorchCheckpoint } from '../../src/convert/torchCheckpoint.ts';
import { readSafetensors, isSafetensors } from '../../src/convert/safetensors.ts';
import { unpickleStateDict } from '../../src/convert/pickle.ts';
import { float32ArrayToFloat16Bits } from '../../src/tensor/fp16.ts';
import { maliciousPickle, torchZip } from '../fixtures/torchZip.ts';

describe('PyTorch zip checkpoints', () => {
  it('reads float32 and float16 tensors with their shapes', () => {
    const w = Float32Array.from({ length: 24 }, (_, i) => i / 8 - 1);
    const bytes = torchZip({ 'conv.weight': { shape: [2, 3, 2, 2], data: w }, 'conv.bias': { shape: [2], data: Float32Array.of(0.5, -0.25), dtype: 'float16' } });
    const sd = readTorchCheckpoint(bytes, 'net.pth');
    expect([...sd.keys()]).toEqual(['conv.weight', 'conv.bias']);
    expect(sd.get('conv.weight')!.shape).toEqual([2, 3, 2, 2]);
    expect([...sd.get('conv.weight')!.data]).toEqual([...w]);
    expect([...sd.get('conv.bias')!.data]).toEqual([0.5, -0.25]);
  });

  it('refuses a pickle that names os.system, without running it', () => {
    const marker = join(mkdtempSync(join(tmpdir(), 'll-pickle-')), 'pwned');
    const evil = zipSync({ 'archive/data.pkl': maliciousPickle(`touch ${marker}`) }, { level: 0 });
    expect(() => readTorchCheckpoint(evil, 'evil.pth')).toThrow(/evil\.pth: refused global os\.system/);
    expect(() => unpickleStateDict(maliciousPickle('id'))).toThrow(/refused global os\.system/);
    expect(existsSync(marker)).toBe(false);
  });

  it('turns a truncated zip, a missing storage and a non-zip into clean errors', () => {
    const good = torchZip({ w: { shape: [4], data: Float32Array.of(1, 2, 3, 4) } });
    expect(() => readTorchCheckpoint(good.subarray(0, good.length - 40), 'cut.pth')).toThrow(/cut\.pth is a damaged or truncated zip/);
    expect(() => readTorchCheckpoint(new Uint8Array([0x80, 2, 0x7d, 0x2e]), 'old.pth')).toThrow(/not a PyTorch zip checkpoint/);
    const noStorage = zipSync({ 'archive/data.pkl': readTorchCheckpointPickle(good) }, { level: 0 });
    expect(() => readTorchCheckpoint(noStorage, 'gone.pth')).toThrow(/gone\.pth: tensor "w" points at archive\/data\/0, which is missing/);
  });

  it('finds weights nested under params_ema / state_dict', () => {
    for (const wrap of ['params_ema', 'params', 'state_dict']) {
      const sd = readTorchCheckpoint(torchZip({ 'body.0.weight': { shape: [1], data: Float32Array.of(7) } }, { wrap }), 'esrgan.pth');
      expect([...sd.keys()], wrap).toEqual(['body.0.weight']);
      expect(sd.get('body.0.weight')!.data[0]).toBe(7);
    }
    expect(() => readTorchCheckpoint(torchZip({ w: { shape: [1], data: Float32Array.of(1) } }, { wrap: 'optimizer' }), 'opt.pth')).toThrow(/opt\.pth: no state dict of tensors found/);
  });
});

/** The data.pkl of a fixture zip (to rebuild a zip without its storages). */
function readTorchCheckpointPickle(zip: Uint8Array): Uint8Array {
  return unzipSync(zip)['archive/data.pkl'];
}

describe('safetensors', () => {
  function safetensors(header: Record<string, unknown>, data: Uint8Array): Uint8Array {
    const json = new TextEncoder().encode(JSON.stringify(header));
    const out = new Uint8Array(8 + json.length + data.length);
    new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
    out.set(json, 8);
    out.set(data, 8 + json.length);
    return out;
  }

  it('reads F32, F16 and BF16 tensors', () => {
    const f32 = new Uint8Array(Float32Array.of(1.5, -2).buffer);
    const f16 = new Uint8Array(float32ArrayToFloat16Bits(Float32Array.of(0.25, 4)).buffer);
    const bf16 = new Uint8Array(Uint16Array.of(0x3f80, 0xc000).buffer); // 1, -2
    const data = new Uint8Array([...f32, ...f16, ...bf16]);
    const bytes = safetensors({
      __metadata__: { format: 'pt' },
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      b: { dtype: 'F16', shape: [1, 2], data_offsets: [8, 12] },
      c: { dtype: 'BF16', shape: [2], data_offsets: [12, 16] },
    }, data);
    expect(isSafetensors(bytes)).toBe(true);
    const sd = readSafetensors(bytes, 'm.safetensors');
    expect([...sd.get('a')!.data]).toEqual([1.5, -2]);
    expect([...sd.get('b')!.data]).toEqual([0.25, 4]);
    expect(sd.get('b')!.shape).toEqual([1, 2]);
    expect([...sd.get('c')!.data]).toEqual([1, -2]);
  });

  it('refuses offsets outside the file, size mismatches and absurd header lengths', () => {
    const data = new Uint8Array(8);
    expect(() => readSafetensors(safetensors({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, data), 'cut.safetensors')).toThrow(/cut\.safetensors: tensor "a": data_offsets \[0, 16\] fall outside the 8 data bytes/);
    expect(() => readSafetensors(safetensors({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, data), 'x.safetensors')).toThrow(/needs 12 bytes, data_offsets give 8/);
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 1n << 60n, true);
    expect(() => readSafetensors(huge, 'h.safetensors')).toThrow(/header length \d+ does not fit/);
    expect(() => readSafetensors(safetensors({ a: { dtype: 'Q4', shape: [1], data_offsets: [0, 1] } }, data), 'q.safetensors')).toThrow(/dtype Q4/);
  });
});
