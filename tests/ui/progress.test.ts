/** Progress as people read it: node i/N, step k/K with an ETA, downloads in MB and MB/s. */
import { RunStore } from '../../src/ui/run/runStore.ts';
import { formatDuration, formatMB, progressText, runProgressLine } from '../../src/ui/run/progress.ts';

const MB = 1024 * 1024;

function clockedStore() {
  let t = 0;
  const runs = new RunStore(() => t);
  return { runs, at: (ms: number) => (t = ms) };
}

describe('run progress line', () => {
  it('node i/N, the node, step k/K and an ETA from the step rate', () => {
    const { runs, at } = clockedStore();
    runs.begin(['load', 'denoise', 'decode']);
    expect(runProgressLine(runs.getSnapshot(), 0)).toBe('node 1/3');
    runs.nodeFinish('load', 5, true);
    runs.nodeStart('denoise');
    runs.nodeProgress('denoise', 1, 20);
    at(1000);
    runs.nodeProgress('denoise', 5, 20);
    expect(runProgressLine(runs.getSnapshot(), 1000)).toBe('node 2/3 · denoise · step 5/20 · ETA 4 s');
    expect(runProgressLine(runs.getSnapshot(), 1000, (id) => id.toUpperCase())).toBe('node 2/3 · DENOISE · step 5/20 · ETA 4 s');
    runs.nodeFinish('denoise', 10, false);
    runs.nodeStart('decode');
    expect(runProgressLine(runs.getSnapshot(), 1000)).toBe('node 3/3 · decode');
    runs.end();
    expect(runProgressLine(runs.getSnapshot(), 1000)).toBe('');
  });

  it('a model download shows MB, MB/s and the time left', () => {
    const { runs, at } = clockedStore();
    runs.begin(['load', 'denoise']);
    runs.nodeStart('denoise');
    runs.nodeProgress('denoise', 0, 100 * MB, 'bytes');
    at(2000);
    runs.nodeProgress('denoise', 20 * MB, 100 * MB, 'bytes');
    const status = runs.getSnapshot().nodes.denoise;
    expect(progressText(status, 2000)).toBe('20.0 / 100 MB · 10.0 MB/s');
    expect(runProgressLine(runs.getSnapshot(), 2000)).toBe('node 1/2 · denoise · ↓ 20.0 / 100 MB · 10.0 MB/s · ETA 8 s');
    // The download is done and sampling starts: steps get their own clock.
    runs.nodeProgress('denoise', 1, 4);
    at(2500);
    runs.nodeProgress('denoise', 2, 4);
    expect(progressText(runs.getSnapshot().nodes.denoise, 2500)).toBe('2/4');
    expect(runProgressLine(runs.getSnapshot(), 2500)).toBe('node 1/2 · denoise · step 2/4 · ETA 1 s');
  });

  it('formats sizes and durations', () => {
    expect(formatMB(1.5 * MB)).toBe('1.5 MB');
    expect(formatMB(1700 * MB)).toBe('1700 MB');
    expect(formatMB(40_179)).toBe('39 KB');
    expect(formatDuration(400)).toBe('0 s');
    expect(formatDuration(61_000)).toBe('1 min 1 s');
    expect(formatDuration(3_720_000)).toBe('1 h 2 min');
  });
});

describe('download progress reaches the editor as bytes', () => {
  it('a node reporting bytes gives a node-progress event with unit "bytes"; counts carry none', async () => {
    const { createEngine } = await import('../../src/engine/engine.ts');
    const { createRegistry } = await import('../../src/graph/registry.ts');
    const registry = createRegistry([{
      type: 'test/download', version: 1, title: 'Download', description: 'reports download progress', category: 'test', inputs: {}, outputs: { n: { type: 'INT' } }, params: {},
      isOutput: true,
      run(ctx) {
        ctx.progress(5 * MB, 10 * MB, undefined, 'bytes');
        ctx.progress(1, 2);
        return { n: 1 };
      },
    }]);
    const events: { type: string; unit?: string; value?: number }[] = [];
    const result = await createEngine({ registry }).run(
      { format: 'latentloom.graph', version: 1, meta: {}, models: {}, nodes: [{ id: 'd', type: 'test/download', version: 1, params: {} }], edges: [] },
      { onEvent: (e) => events.push(e as never) },
    );
    expect(result.ok).toBe(true);
    const progress = events.filter((e) => e.type === 'node-progress');
    expect(progress.map((e) => [e.value, e.unit])).toEqual([[5 * MB, 'bytes'], [1, undefined]]);
  });
});

describe('model manager download line', () => {
  it('MB, percent and MB/s instead of bytes', async () => {
    const { downloadText } = await import('../../src/ui/run/progress.ts');
    expect(downloadText(12.3 * MB, 45 * MB, 2000, 2.3 * MB)).toBe('12.3 / 45.0 MB (27%) · 5.0 MB/s');
    expect(downloadText(3 * MB, undefined, 0)).toBe('3.0 MB');
    expect(downloadText(20 * 1024, 2 * MB, 1000)).toBe('20 KB / 2.0 MB (0%) · 20 KB/s');
    expect(downloadText(20 * 1024, 40 * 1024, 1000)).toBe('20 / 40 KB (50%) · 20 KB/s');
  });
});
