/**
 * The memory budget through the real `latentloom` process: a node asked for a tensor larger than
 * the budget is refused before allocating, in one line naming the node, the shape and both sizes.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ROOT, runCliProcess, unreadableLines } from './hostileHarness.ts';

const GRAPH = join(ROOT, 'graphs/toy-upscale.json');
const OUT = join(ROOT, 'tests/artifacts/memory-budget-out');

/** Runs the CLI; expects a clean refusal within 20 s and returns its non-empty output lines. */
async function refusal(args: string[], env?: NodeJS.ProcessEnv): Promise<string[]> {
  const r = await runCliProcess(['run', GRAPH, '--out', OUT, ...args], { env: { ...process.env, ...env } });
  const text = `${r.stderr}${r.stdout}`;
  expect(r.timedOut, text).toBe(false);
  expect(r.ms).toBeLessThan(20_000);
  expect(r.code, text).toBe(1);
  expect(unreadableLines(text), text).toEqual([]);
  expect(r.peakRssMiB, text).toBeLessThan(1024);
  return text.split('\n').filter((line) => line.trim() !== '');
}

describe('memory budget through the real CLI', () => {
  it('refuses noise for a 64 × 16384² batch (256 GiB) under the default budget', async () => {
    const lines = await refusal(['--output', 'noise', '--set', 'noise.batch=64', '--set', 'noise.width=16384', '--set', 'noise.height=16384', '--set', 'noise.downscale=1']);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Error in node "noise" \[over-memory-budget\]: .*noise\/gaussian \(node "noise"\): a \[64,4,16384,16384\] float32 tensor needs 256\.0 GiB, over the memory budget of \d+\.\d GiB$/);
  }, 30_000);

  it('refuses image/resize to 16384² (3 GiB) under --memory-budget 2GiB', async () => {
    const lines = await refusal(['--output', 'bicubic', '--memory-budget', '2GiB', '--set', 'bicubic.by=size', '--set', 'bicubic.width=16384', '--set', 'bicubic.height=16384']);
    const errors = lines.filter((line) => !/^\[\d+\/\d+\]/.test(line));
    expect(errors).toEqual(['Error in node "bicubic" [over-memory-budget]: Node "bicubic" (image/resize) failed: image/resize (node "bicubic"): a [1,3,16384,16384] float32 tensor needs 3.0 GiB, over the memory budget of 2.0 GiB']);
  }, 30_000);

  it('takes the budget from LATENTLOOM_MEMORY_BUDGET', async () => {
    const lines = await refusal(['--output', 'noise'], { LATENTLOOM_MEMORY_BUDGET: '1KiB' });
    expect(lines.join('\n')).toMatch(/a \[1,4,16,16\] float32 tensor needs 4\.0 KiB, over the memory budget of 1\.0 KiB/);
  }, 30_000);

  it('refuses a budget that is not a size as bad usage', async () => {
    const r = await runCliProcess(['run', GRAPH, '--out', OUT, '--memory-budget', 'lots']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--memory-budget must be a size such as 6GiB or 512MiB, got "lots"/);
  }, 30_000);
});
