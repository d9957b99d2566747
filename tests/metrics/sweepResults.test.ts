/** Sweep results: scalar outputs, summaries per swept value, CSV/JSON export, the stored sweep, param values by kind. */
import { sweepCombinations, withParamValues } from '../../src/metrics/sweepPlan.ts';
import { axesOf, metricNames, numericOutputs, readSweepDefinition, summarizeBy, sweepCsv, sweepJson, type SweepPointResult } from '../../src/metrics/sweepResults.ts';
import { loadExample, registry } from '../toy/graphRunner.ts';

const results: SweepPointResult[] = [
  { point: 0, values: { 'cfg.scale': '1', 'noise.seed': '1' }, metrics: { 'clip.mean': 80, 'fid.fid': 2 } },
  { point: 1, values: { 'cfg.scale': '1', 'noise.seed': '2' }, metrics: { 'clip.mean': 90, 'fid.fid': 4 } },
  { point: 2, values: { 'cfg.scale': '7.5', 'noise.seed': '1' }, metrics: { 'clip.mean': 100, 'fid.fid': 1 } },
  { point: 3, values: { 'cfg.scale': '7.5', 'noise.seed': '2' }, metrics: {}, error: 'node "decode": out of memory, "really"' },
];

describe('sweep results', () => {
  it('keeps the finite numbers of a run as node.port', () => {
    expect(numericOutputs({ clip: { mean: 95.5, scores: { dtype: 'float32' } }, fid: { fid: 1.25, mean_term: NaN }, save: { files: ['a.png'] } }))
      .toEqual({ 'clip.mean': 95.5, 'fid.fid': 1.25 });
  });

  it('summarises each metric per value of a swept param (mean, sample sd, count), leaving failed points out', () => {
    const byScale = summarizeBy(results, 'cfg.scale');
    expect(byScale.map((g) => g.value)).toEqual(['1', '7.5']);
    expect(byScale[0].metrics['clip.mean']).toEqual({ mean: 85, sd: Math.sqrt(50), n: 2 });
    expect(byScale[1].metrics['clip.mean']).toEqual({ mean: 100, sd: 0, n: 1 });
    const bySeed = summarizeBy(results, 'noise.seed');
    expect(bySeed.map((g) => [g.value, g.metrics['fid.fid'].mean])).toEqual([['1', 1.5], ['2', 4]]);
    expect(summarizeBy(results, 'prompt.text')).toEqual([]);
    expect(metricNames(results)).toEqual(['clip.mean', 'fid.fid']);
  });

  it('exports CSV (one row per point, quoted where needed) and JSON (plan, points, summaries)', () => {
    const csv = sweepCsv(['cfg.scale', 'noise.seed'], results);
    expect(csv.split('\r\n')).toEqual([
      'point,cfg.scale,noise.seed,clip.mean,fid.fid,error',
      '0,1,1,80,2,',
      '1,1,2,90,4,',
      '2,7.5,1,100,1,',
      '3,7.5,2,,,"node ""decode"": out of memory, ""really"""',
      '',
    ]);
    const axes = [{ key: 'cfg.scale', values: ['1', '7.5'] }, { key: 'noise.seed', values: ['1', '2'] }];
    const json = JSON.parse(sweepJson(axes, false, results, 'toy.json'));
    expect(json).toMatchObject({ format: 'latentloom.sweep', version: 1, graph: 'toy.json', zip: false, axes });
    expect(json.points).toHaveLength(4);
    expect(json.points[3].error).toMatch(/out of memory/);
    expect(json.summary['cfg.scale'][0].metrics['clip.mean'].mean).toBe(85);
    expect(json.summary['noise.seed'][1].metrics['fid.fid']).toEqual({ mean: 4, sd: 0, n: 1 });
  });

  it('reads the sweep a graph stores under meta.extra.sweep, naming a malformed field', () => {
    expect(readSweepDefinition(undefined)).toEqual({});
    expect(readSweepDefinition({ other: 1 })).toEqual({});
    const ok = readSweepDefinition({ sweep: { axes: [{ param: 'cfg.scale', values: '1,3' }, { param: 'noise.seed', values: '1..3' }], metrics: ['clip.mean'], plot: { x: 'clip.mean', y: 'fid.fid' } } });
    expect(ok.error).toBeUndefined();
    expect(axesOf(ok.definition!)).toEqual([{ key: 'cfg.scale', values: ['1', '3'] }, { key: 'noise.seed', values: ['1', '2', '3'] }]);
    expect(readSweepDefinition({ sweep: [] }).error).toMatch(/^meta\.extra\.sweep: expected an object/);
    expect(readSweepDefinition({ sweep: { axes: [] } }).error).toMatch(/^meta\.extra\.sweep\.axes: expected a list/);
    expect(readSweepDefinition({ sweep: { axes: [{ param: 'seed', values: '1' }] } }).error).toMatch(/axes\[0\]\.param: expected "NODE\.PARAM"/);
    expect(readSweepDefinition({ sweep: { axes: [{ param: 'a.b', values: 3 }] } }).error).toMatch(/axes\[0\]\.values/);
    expect(readSweepDefinition({ sweep: { axes: [{ param: 'a.b', values: '1' }], zip: 'yes' } }).error).toMatch(/\.zip: expected true or false/);
    expect(readSweepDefinition({ sweep: { axes: [{ param: 'a.b', values: '1' }], metrics: [1] } }).error).toMatch(/\.metrics/);
    expect(readSweepDefinition({ sweep: { axes: [{ param: 'a.b', values: '1' }], plot: { x: 3 } } }).error).toMatch(/\.plot\.x: expected a string/);
  });
});

describe('sweep points on a graph', () => {
  const graph = loadExample('toy-txt2img.json');
  const kinds = (type: string) => registry.get(type)?.params;

  it('the product varies the first axis slowest; each point sets its params by kind on a copy', () => {
    const points = sweepCombinations([{ key: 'cfg.scale', values: ['1', '7.5'] }, { key: 'prompt.text', values: ['42', 'a red circle'] }], false);
    expect(points).toEqual([
      { 'cfg.scale': '1', 'prompt.text': '42' }, { 'cfg.scale': '1', 'prompt.text': 'a red circle' },
      { 'cfg.scale': '7.5', 'prompt.text': '42' }, { 'cfg.scale': '7.5', 'prompt.text': 'a red circle' },
    ]);
    expect(graph.nodes.find((n) => n.id === 'cfg')!.params.scale).toBe(7.5);
    const doc = withParamValues(graph, Object.entries(points[0]), kinds);
    expect(doc.nodes.find((n) => n.id === 'cfg')!.params.scale).toBe(1);
    expect(doc.nodes.find((n) => n.id === 'prompt')!.params.text).toBe('42');
    expect(graph.nodes.find((n) => n.id === 'cfg')!.params.scale).toBe(7.5);
  });

  it('names what is wrong: no node, no param (listing the node\'s), a value of the wrong kind', () => {
    expect(() => withParamValues(graph, [['nope.scale', '1']], kinds)).toThrow('sweep nope.scale=1: the graph has no node "nope"');
    expect(() => withParamValues(graph, [['cfg.colour', '1']], kinds)).toThrow(/node "cfg" \(guidance\/cfg\) has no param "colour" \(params: .*scale/);
    expect(() => withParamValues(graph, [['cfg.scale', 'high']], kinds)).toThrow('sweep cfg.scale=high: "high" is not a number');
    expect(() => withParamValues(graph, [['cfg.__proto__', '1']], kinds)).toThrow(/has no param "__proto__"/);
    expect(() => withParamValues(graph, [['scale', '1']], kinds)).toThrow(/expected NODE\.PARAM=VALUE/);
  });
});
