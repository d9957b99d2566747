/** The Sweep tab's form: pickers' choices for a graph, and the round trip with meta.extra.sweep. */
import { defaultRegistry } from '../../nodes/index.ts';
import { createEngineWorkerApi } from '../../src/worker/engineApi.ts';
import { NodeCatalog } from '../../src/ui/catalog.ts';
import { readSweepDefinition } from '../../src/metrics/sweepResults.ts';
import { definitionOf, formFor, metricChoices, paramChoices } from '../../src/ui/sweep/sweepForm.ts';
import { loadExample } from '../toy/graphRunner.ts';

let catalog: NodeCatalog;
beforeAll(async () => {
  catalog = new NodeCatalog(await createEngineWorkerApi({ registry: defaultRegistry(), services: {} }).describeNodes());
});
const info = (type: string) => catalog.get(type);

describe('sweep form', () => {
  it('offers the graph\'s sweepable params, numbers first, and the number outputs of its metric nodes', () => {
    const graph = loadExample('toy-guidance-sweep.json');
    const params = paramChoices(graph, info);
    expect(params).toEqual(expect.arrayContaining(['cfg.scale', 'noise.seed', 'scheduler.steps', 'prompt.text']));
    expect(params.indexOf('cfg.scale')).toBeLessThan(params.indexOf('prompt.text'));
    // Port lists and model pickers are no sweep axes.
    expect(params).not.toContain('loop_in.state');
    expect(metricChoices(graph, info)).toEqual(expect.arrayContaining(['clip_score.mean', 'fid_prompt.fid', 'fid_prompt.mean_term', 'fid_all.fid']));
    expect(metricChoices(graph, info)).not.toContain('scheduler.steps');
  });

  it('reads the stored sweep into the form and writes the same definition back', () => {
    const graph = loadExample('toy-guidance-sweep.json');
    const stored = readSweepDefinition(graph.meta.extra).definition!;
    const form = formFor(stored, paramChoices(graph, info), metricChoices(graph, info));
    expect(form).toMatchObject({ plotParam: 'cfg.scale', plotMetric: 'clip_score.mean', scatterX: 'clip_score.mean', scatterY: 'fid_prompt.fid' });
    expect(definitionOf(form)).toEqual(stored);
    // An empty second axis is left out; a lone scatter axis is no scatter.
    const edited = { ...form, axes: [form.axes[0], { param: '', values: '' }], scatterY: '' };
    expect(definitionOf(edited)).toEqual({ axes: [stored.axes[0]], metrics: stored.metrics, plot: { param: 'cfg.scale', metric: 'clip_score.mean' } });
  });

  it('guesses a first sweep for a graph without one: its first number param, its metrics', () => {
    const graph = loadExample('toy-metrics.json');
    const form = formFor(undefined, paramChoices(graph, info), metricChoices(graph, info));
    expect(form.axes).toEqual([{ param: paramChoices(graph, info)[0], values: '1..4' }]);
    expect(form.metrics).toEqual(expect.arrayContaining(['clip_score.mean', 'fid.fid']));
    expect(form.plotMetric).toBe(form.metrics[0]);
  });
});

describe('sweep pickers on a huge graph', () => {
  it('list at most MAX_CHOICES entries, metric nodes first', async () => {
    const { MAX_CHOICES } = await import('../../src/ui/sweep/sweepForm.ts');
    const count = 20_000;
    const nodes = Array.from({ length: count }, (_, i) => ({ id: `n${i}`, type: i === count - 1 ? 'metric' : 'add', params: {} }));
    const edges = Array.from({ length: count - 2 }, (_, i) => ({ from: { node: `n${i}`, port: 'out' }, to: { node: `n${i + 1}`, port: 'a' } }));
    const doc = { nodes, edges } as unknown as Parameters<typeof metricChoices>[0];
    const types = {
      add: { params: { bias: { kind: 'float' } }, outputs: { out: { type: 'FLOAT' } }, category: 'math' },
      metric: { params: {}, outputs: { score: { type: 'FLOAT' } }, category: 'metrics' },
    } as unknown as Record<string, ReturnType<Parameters<typeof metricChoices>[1]>>;
    const lookup = (t: string) => types[t];
    const metrics = metricChoices(doc, lookup);
    expect(metrics[0]).toBe(`n${count - 1}.score`);
    expect(metrics).toContain(`n${count - 2}.out`);
    expect(metrics.length).toBeLessThanOrEqual(MAX_CHOICES);
    const params = paramChoices(doc, lookup);
    expect(params.length).toBe(MAX_CHOICES);
    expect(params[0]).toBe('n0.bias');
  });
});
