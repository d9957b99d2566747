/**
 * Watching GPU → CPU copies in the engine worker, for the resident-tensor test and benchmark:
 * the app's own counts (`latentloomResidentStats`, src/worker/engineWorker.ts) and, from outside
 * the app, every `GPUBuffer.mapAsync(MAP_READ)` — how WebGPU reads a buffer back, whoever asks
 * (onnxruntime-web's downloads included).
 */
import type { Worker } from 'playwright-core';

export interface CopyCounts {
  /** The app's downloads of resident tensors (the loop's latents) to the CPU. */
  downloads: number;
  /** Among them, those made for zone previews. */
  previewDownloads: number;
  /** WebGPU session outputs the app had copied to the CPU (text encodings, the decoded image…). */
  outputDownloads: number;
  /** GPUBuffer.mapAsync calls for reading. */
  readbacks: number;
}

/** Starts counting GPU buffer readbacks in the worker (idempotent). */
export async function watchGpuReadbacks(worker: Worker): Promise<void> {
  await worker.evaluate(() => {
    const g = self as unknown as { __llReadbacks?: number; GPUBuffer?: { prototype: Record<string, unknown> }; GPUMapMode?: { READ: number } };
    g.__llReadbacks ??= 0;
    const proto = g.GPUBuffer?.prototype;
    if (!proto || proto.__llReadWrapped) return;
    const mapAsync = proto.mapAsync as (mode: number, ...rest: unknown[]) => Promise<void>;
    proto.mapAsync = function (this: unknown, mode: number, ...rest: unknown[]) {
      if (mode & (g.GPUMapMode?.READ ?? 1)) g.__llReadbacks = (g.__llReadbacks ?? 0) + 1;
      return mapAsync.call(this, mode, ...rest);
    };
    proto.__llReadWrapped = true;
  });
}

/** The counts so far (cumulative: subtract two readings for one run). */
export async function copyCounts(worker: Worker): Promise<CopyCounts> {
  return worker.evaluate(() => {
    const g = self as unknown as { __llReadbacks?: number; latentloomResidentStats?: { downloads: number; previewDownloads: number; outputDownloads: number } };
    const stats = g.latentloomResidentStats;
    if (!stats) throw new Error('the engine worker exposes no latentloomResidentStats (is the build current?)');
    return { downloads: stats.downloads, previewDownloads: stats.previewDownloads, outputDownloads: stats.outputDownloads, readbacks: g.__llReadbacks ?? 0 };
  });
}

export function countsSince(before: CopyCounts, after: CopyCounts): CopyCounts {
  return {
    downloads: after.downloads - before.downloads,
    previewDownloads: after.previewDownloads - before.previewDownloads,
    outputDownloads: after.outputDownloads - before.outputDownloads,
    readbacks: after.readbacks - before.readbacks,
  };
}

/** Turns the GPU-resident path on or off for the next WebGPU backend the worker starts. */
export async function setResidentTensors(worker: Worker, on: boolean): Promise<void> {
  await worker.evaluate((value) => {
    (self as unknown as { LATENTLOOM_RESIDENT_TENSORS?: boolean }).LATENTLOOM_RESIDENT_TENSORS = value;
  }, on);
}

/** max and mean |a − b| over the RGB bytes of two RGBA images. */
export function rgbDiff(a: Uint8Array, b: Uint8Array): { max: number; mean: number } {
  if (a.length !== b.length) throw new Error(`images differ in size: ${a.length} vs ${b.length} bytes`);
  let max = 0;
  let sum = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    if ((i & 3) === 3) continue;
    const d = Math.abs(a[i] - b[i]);
    max = Math.max(max, d);
    sum += d;
    n++;
  }
  return { max, mean: sum / n };
}
