/**
 * Server overhead (issue 11): ComfyUI's default workflow on toy-shapes (64×64, 20 steps) timed
 * from the client's POST /prompt to the WebSocket's `executing` with node null, against the same
 * converted graph run by an engine directly with the same services (files written, same seed
 * change every run). Runs are interleaved; medians of 15 after a warm-up. Goal: ≤ 1.1×.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchFigure } from './run.ts';
import { createComfyServer } from '../../src/server/serveCommand.ts';
import { importComfyWorkflow } from '../../src/interop/comfy/index.ts';
import { loadGraph } from '../../src/persistence/load.ts';
import { createEngine } from '../../src/engine/engine.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { cliServices } from '../../src/cli/services.ts';
import { createNodeRuntime } from '../../src/runtime/node/index.ts';
import { createNodeBackend } from '../../src/runtime/backends/node.ts';
import { ComfyClient } from '../server/comfyClient.ts';

const ROOT = join(import.meta.dirname, '../..');
const REPEATS = 15;

function prompt(seed: number, steps = 20): Record<string, { inputs: Record<string, unknown> }> {
  const p = JSON.parse(readFileSync(join(ROOT, 'tests/fixtures/comfy/txt2img-api.json'), 'utf8')) as Record<string, { inputs: Record<string, unknown> }>;
  Object.assign(p['3'].inputs, { seed, steps });
  return p;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function figures(): Promise<BenchFigure[]> {
  const dir = await mkdtemp(join(tmpdir(), 'latentloom-bench-serve-'));
  const server = await createComfyServer({ port: 0, outDir: join(dir, 'served'), inputDir: join(dir, 'input'), previews: process.env.BENCH_PREVIEWS !== '0' });
  const client = await new ComfyClient(server.url).connect();
  const runtime = createNodeRuntime({ backend: createNodeBackend() });
  const engine = createEngine({ registry: defaultRegistry(), services: cliServices(join(dir, 'direct'), runtime) });
  const direct = async (seed: number, steps = 20) => {
    const loaded = loadGraph(importComfyWorkflow(prompt(seed, steps)).document);
    if (!loaded.ok) throw new Error('the converted workflow does not load');
    const start = performance.now();
    const r = await engine.run(loaded.graph);
    if (!r.ok) throw new Error(r.error?.message);
    return performance.now() - start;
  };
  const served = async (seed: number, steps = 20) => {
    const start = performance.now();
    const id = await client.queuePrompt(prompt(seed, steps));
    await client.waitDone(id);
    const ms = performance.now() - start;
    client.messages.length = 0;
    client.binary.length = 0;
    return ms;
  };
  try {
    await direct(1);
    await served(1);
    const d: number[] = [];
    const s: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      d.push(await direct(100 + i));
      s.push(await served(200 + i));
    }
    const ratio = median(s) / median(d);
    // The same at 100 steps: the overhead is per prompt (HTTP, conversion, messages), not per step.
    const d100: number[] = [];
    const s100: number[] = [];
    for (let i = 0; i < 7; i++) {
      d100.push(await direct(300 + i, 100));
      s100.push(await served(400 + i, 100));
    }
    return [
      { name: 'engine run, converted default workflow (toy, 20 steps)', value: median(d), unit: 'ms', note: `min ${Math.min(...d).toFixed(1)}` },
      { name: 'server POST /prompt → executing null', value: median(s), unit: 'ms', note: `min ${Math.min(...s).toFixed(1)}` },
      { name: 'server overhead (served ÷ engine)', value: ratio, unit: '×', note: `goal ≤ 1.1; ${(median(s) - median(d)).toFixed(1)} ms per prompt` },
      { name: 'same at 100 steps: engine / served', value: median(d100), unit: 'ms', note: `served ${median(s100).toFixed(1)} ms` },
      { name: 'server overhead at 100 steps (served ÷ engine)', value: median(s100) / median(d100), unit: '×' },
    ];
  } finally {
    client.close();
    await server.close();
    await runtime.release();
    await rm(dir, { recursive: true, force: true });
  }
}
