/**
 * Server overhead (issue 11): ComfyUI's default workflow on toy-shapes (64×64), queued on a
 * `latentloom serve` process by a WebSocket client the way websockets_api_example.py does it,
 * timed from the client's POST /prompt to `executing` with node null, against the engine's own
 * run time of the same prompt in that server (`engine_ms` of execution_success). At 20 and 100
 * steps; medians after warm-up runs. Goal: ≤ 1.1×.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchFigure } from './run.ts';
import { ComfyClient } from '../server/comfyClient.ts';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/latentloom.mjs');

function prompt(seed: number, steps: number): unknown {
  const p = JSON.parse(readFileSync(join(ROOT, 'tests/fixtures/comfy/txt2img-api.json'), 'utf8')) as Record<string, { inputs: Record<string, unknown> }>;
  Object.assign(p['3'].inputs, { seed, steps });
  return p;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(client: ComfyClient, steps: number, runs: number, seed0: number): Promise<{ served: number; engine: number }> {
  const served: number[] = [];
  const engine: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    const start = performance.now();
    const id = await client.queuePrompt(prompt(seed0 + i, steps));
    const messages = await client.waitDone(id);
    const ms = performance.now() - start;
    const success = messages.find((m) => m.type === 'execution_success');
    if (!success) throw new Error(`prompt ${id} failed: ${JSON.stringify(messages.at(-2))}`);
    if (i >= 3) {
      served.push(ms);
      engine.push(Number(success.data.engine_ms));
    }
    client.messages.length = 0;
    client.binary.length = 0;
  }
  return { served: median(served), engine: median(engine) };
}

export async function figures(): Promise<BenchFigure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'latentloom-bench-serve-'));
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--out', join(dir, 'out'), '--input', join(dir, 'in')], { cwd: ROOT });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c) => {
        out += c;
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`latentloom serve exited with ${code}`)));
    });
    const client = await new ComfyClient(url).connect();
    const at20 = await measure(client, 20, 21, 100);
    const at100 = await measure(client, 100, 9, 1000);
    client.close();
    return [
      { name: 'toy default workflow, 20 steps: engine run in the server', value: at20.engine, unit: 'ms' },
      { name: 'same, POST /prompt → executing null at the client', value: at20.served, unit: 'ms', note: `${(at20.served - at20.engine).toFixed(1)} ms per prompt` },
      { name: 'server overhead, 20 steps (served ÷ engine)', value: at20.served / at20.engine, unit: '×', note: 'goal ≤ 1.1' },
      { name: '100 steps: engine / served', value: at100.engine, unit: 'ms', note: `served ${at100.served.toFixed(1)} ms` },
      { name: 'server overhead, 100 steps (served ÷ engine)', value: at100.served / at100.engine, unit: '×' },
    ];
  } finally {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}
