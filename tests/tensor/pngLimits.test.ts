/**
 * Hostile PNGs are refused before they take the memory they ask for: a huge declared size before
 * anything inflates, image data and compressed text as soon as they inflate past their limit.
 * Each refusal must come within 2 s and raise the process's peak memory by little.
 */
import { describe, expect, it } from 'vitest';
import { decodePng, encodePng, readPngText } from '../../src/tensor/png.ts';
import { PNG_MAX_TEXT_BYTES } from '../../src/tensor/pngLimits.ts';
import { hugeHeaderPng, idatBombPng, ztxtBombPng, pngChunk } from './pngBombs.ts';
import { deflateSync } from 'node:zlib';

/** Runs `work`, which must throw; returns the error, the time taken and the growth of peak RSS. */
function refusal(work: () => unknown): { error: Error; ms: number; peakGrowthMiB: number } {
  const before = process.resourceUsage().maxRSS;
  const start = performance.now();
  let error: Error | undefined;
  try {
    work();
  } catch (e) {
    error = e as Error;
  }
  const ms = performance.now() - start;
  const peakGrowthMiB = (process.resourceUsage().maxRSS - before) / 1024;
  if (!error) throw new Error('expected a refusal, the PNG was accepted');
  return { error, ms, peakGrowthMiB };
}

describe('PNG limits', () => {
  it('refuses a 16384×16384 header (whose data really inflates to 768 MiB) before inflating anything', () => {
    const file = hugeHeaderPng(16384, 16384);
    const r = refusal(() => decodePng(file, 'huge.png'));
    expect(r.error.message).toMatch(/^huge\.png: PNG is 16384×16384 \(256\.0 Mpixel\), more than .*64 Mpixel allowed$/);
    expect(r.ms).toBeLessThan(2000);
    expect(r.peakGrowthMiB).toBeLessThan(64);
  });

  it('refuses a side over 16384 even when the pixel count is small', () => {
    expect(() => decodePng(hugeHeaderPng(20000, 1), 'wide.png')).toThrow(/wide\.png: PNG is 20000×1 .*16384 pixels per side/);
  });

  it('refuses image data that inflates past what a 1024×1024 header declares (a 4 GiB bomb)', () => {
    const file = idatBombPng(4);
    expect(file.length).toBeLessThan(8 * 1024 * 1024);
    const r = refusal(() => decodePng(file, 'idat-bomb.png'));
    expect(r.error.message).toBe('idat-bomb.png: PNG image data inflates past the 3146752 bytes its 1024×1024 header declares (a compression bomb?)');
    expect(r.ms).toBeLessThan(2000);
    expect(r.peakGrowthMiB).toBeLessThan(200);
  });

  it('refuses a zTXt chunk that inflates to 4 GiB, in readPngText and decodePng alike', () => {
    const file = ztxtBombPng(4);
    for (const read of [() => readPngText(file, 'ztxt-bomb.png'), () => decodePng(file, 'ztxt-bomb.png')]) {
      const r = refusal(read);
      expect(r.error.message).toBe(`ztxt-bomb.png: PNG zTXt chunk "latentloom.graph" inflates past ${PNG_MAX_TEXT_BYTES / 2 ** 20} MiB of text (a compression bomb?)`);
      expect(r.ms).toBeLessThan(2000);
      expect(r.peakGrowthMiB).toBeLessThan(200);
    }
  });

  it('counts the text budget over all compressed chunks of a file, not per chunk', () => {
    const base = encodePng({ width: 1, height: 1, channels: 3, data: new Uint8Array(3) });
    const ztxt = (k: string) => pngChunk('zTXt', Buffer.concat([Buffer.from(k), Buffer.from([0, 0]), deflateSync(Buffer.alloc(PNG_MAX_TEXT_BYTES / 2 + 1, 32))]));
    const file = Buffer.concat([base.subarray(0, 33), ztxt('a'), ztxt('b'), base.subarray(33)]);
    expect(() => readPngText(file, 'two.png')).toThrow(/two\.png: PNG zTXt chunk "b" inflates past/);
  });

  it('still decodes image data that is short by nothing and text under the limit', () => {
    const data = new Uint8Array(64 * 48 * 3).map((_, i) => (i * 7) & 255);
    const graph = JSON.stringify({ nodes: 'x'.repeat(100_000) });
    const decoded = decodePng(encodePng({ width: 64, height: 48, channels: 3, data }, { text: { 'latentloom.graph': graph } }));
    expect(decoded.text['latentloom.graph']).toBe(graph);
    expect(decoded.data[4 * 5 + 1]).toBe(data[3 * 5 + 1]);
  });
});
