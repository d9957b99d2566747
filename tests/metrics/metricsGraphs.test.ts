/**
 * The metric and classifier-guidance nodes in shipped graphs, run by the engine on the real toy
 * models (onnxruntime-node): CLIP score separates matching from mismatched prompts, FID ranks a
 * varied batch closer to the training pictures than a batch of one kind, and classifier guidance
 * steers the unconditional toy model to the requested class; graphs/toy-guidance-sweep.json swept
 * as the editor and `latentloom sweep` sweep it (its meta.extra.sweep: CFG 1, 3, 5, 7.5 × seeds
 * 1..16, 8 pictures each): the CLIP score does not fall as the guidance grows, and FID to the
 * prompt's training pictures is reported for every point.
 */
import type { Runtime } from '../../src/runtime/runtime.ts';
import type { Engine } from '../../src/engine/index.ts';
import type { GraphDocument } from '../../src/graph/document.ts';
import { validateGraph } from '../../src/graph/validate.ts';
import type { Tensor } from '../../src/tensor/tensor.ts';
import { readPicture } from '../toy/analysis.ts';
import { axesOf, readSweepDefinition, summarizeBy } from '../../src/metrics/sweepResults.ts';
import { engineFor, loadExample, nodeRuntime, pngImage, registry, runForPngs, runStoredSweep, withParams } from '../toy/graphRunner.ts';

let runtime: Runtime;
let engine: Engine;
beforeAll(() => {
  runtime = nodeRuntime();
  engine = engineFor(runtime);
});
afterAll(async () => {
  await runtime.release();
});

async function run(graph: GraphDocument): Promise<Record<string, Record<string, unknown>>> {
  const result = await engine.run(graph);
  if (!result.ok) throw new Error(`run failed: ${JSON.stringify(result.error)}`);
  return result.outputs as Record<string, Record<string, unknown>>;
}

const round = (v: number) => Math.round(v * 100) / 100;

describe('graphs/toy-metrics.json (CLIP score and FID through the engine)', () => {
  it('validates', () => {
    const errors = validateGraph(loadExample('toy-metrics.json'), registry).filter((i) => i.severity !== 'warning');
    expect(errors).toEqual([]);
  });

  it('CLIP score: 100 × (attributes right)/3 per picture, as the pictures read; matching ≫ mismatched', async () => {
    const graph = loadExample('toy-metrics.json');
    let pictures: ReturnType<typeof readPicture>[] = [];
    const score = async (text: string) => {
      const out = await run(withParams(graph, { score_prompt: { text } }));
      pictures = (out.preview.png as Uint8Array[]).map((png) => readPicture(pngImage(png).data));
      return { mean: out.clip_score.mean as number, scores: Array.from((out.clip_score.scores as Tensor<'float32'>).data) };
    };
    const matching = await score('a red circle on black');
    const partial = await score('a red square on black');
    const open = await score('a red circle');
    const mismatched = await score('a blue square on white');
    console.log('CLIP score of 8 pictures drawn for "a red circle on black" (CFG 7.5):', {
      matching: round(matching.mean), partial: round(partial.mean), backgroundOpen: round(open.mean), mismatched: round(mismatched.mean),
      pictures: pictures.map((p) => `${p.colour} ${p.shape} on ${p.background}`),
    });
    expect(matching.scores).toHaveLength(8);
    const right = (p: (typeof pictures)[number], want: [string, string, string]) => [p.colour, p.shape, p.background].filter((v, i) => v === want[i]).length;
    const perPicture = (want: [string, string, string]) => pictures.map((p) => (100 * right(p, want)) / 3);
    matching.scores.forEach((s, i) => expect(s, `picture ${i}`).toBeCloseTo(perPicture(['red', 'circle', 'black'])[i], 2));
    partial.scores.forEach((s, i) => expect(s, `picture ${i}`).toBeCloseTo(perPicture(['red', 'square', 'black'])[i], 2));
    mismatched.scores.forEach((s, i) => expect(s, `picture ${i}`).toBeCloseTo(perPicture(['blue', 'square', 'white'])[i], 2));
    // Most pictures follow the prompt at CFG 7.5.
    expect(matching.scores.filter((s) => s > 99).length).toBeGreaterThanOrEqual(6);
    expect(matching.mean).toBeGreaterThan(85);
    expect(mismatched.mean).toBeLessThan(15);
    expect(matching.mean - mismatched.mean).toBeGreaterThan(70);
    expect(partial.mean).toBeLessThan(matching.mean);
    expect(open.mean).toBeLessThan(matching.mean);
  });

  it('FID against the training pictures: a varied batch (empty prompt, 32 images) is far closer than 8 red circles', async () => {
    const graph = loadExample('toy-metrics.json');
    const oneKind = (await run(graph)).fid;
    const varied = (await run(withParams(graph, { prompt: { text: '' }, cfg: { scale: 1 }, noise: { batch: 32 } }))).fid;
    console.log('FID vs the 240 training pictures:', { redCircles8: round(oneKind.fid as number), unconditional32: round(varied.fid as number) });
    expect(oneKind.fid as number).toBeGreaterThan(3 * (varied.fid as number));
    expect((oneKind.mean_term as number) + (oneKind.covariance_term as number)).toBeCloseTo(oneKind.fid as number, 9);
  });
});

describe('graphs/toy-classifier-guidance.json', () => {
  const SEEDS = Array.from({ length: 32 }, (_, i) => 1000 + i);

  async function classesAt(scale: number): Promise<string[]> {
    const base = loadExample('toy-classifier-guidance.json');
    const found: string[] = [];
    for (const seed of SEEDS) {
      const { save } = await runForPngs(engine, withParams(base, { classifier: { scale }, noise: { seed }, scheduler_state: { seed } }));
      const p = readPicture(pngImage(save[0]).data);
      found.push(`${p.colour} ${p.shape}`);
    }
    return found;
  }

  it('validates, and uses the unconditional model (empty prompt, no CFG) with the classifier at scale 3 for class 0 (red circle)', () => {
    const graph = loadExample('toy-classifier-guidance.json');
    expect(validateGraph(graph, registry).filter((i) => i.severity !== 'warning')).toEqual([]);
    expect(graph.nodes.find((n) => n.id === 'prompt')!.params.text).toBe('');
    expect(graph.nodes.some((n) => n.type === 'guidance/cfg')).toBe(false);
    expect(graph.nodes.find((n) => n.id === 'classifier')!.params).toMatchObject({ class_label: 0, scale: 3 });
  });

  it('scale 0 gives varied classes over 32 seeds; scale 3 gives "red circle" in ≥ 90 % of them', async () => {
    const free = await classesAt(0);
    const guided = await classesAt(3);
    const distinct = new Set(free).size;
    const hits = guided.filter((c) => c === 'red circle').length;
    console.log(`classifier guidance over 32 seeds: scale 0 → ${distinct} distinct classes (${free.filter((c) => c === 'red circle').length} red circles); scale 3 → ${hits}/32 red circles`);
    expect(distinct).toBeGreaterThanOrEqual(8);
    expect(free.filter((c) => c === 'red circle').length).toBeLessThan(8);
    expect(hits).toBeGreaterThanOrEqual(29);
  });
});

describe('graphs/toy-guidance-sweep.json (CFG scale vs CLIP score and FID)', () => {
  it('validates and carries its sweep: CFG 1, 3, 5, 7.5 × 16 seeds, CLIP score vs FID to the prompt subset', () => {
    const graph = loadExample('toy-guidance-sweep.json');
    expect(validateGraph(graph, registry).filter((i) => i.severity !== 'warning')).toEqual([]);
    const { definition, error } = readSweepDefinition(graph.meta.extra);
    expect(error).toBeUndefined();
    expect(axesOf(definition!).map((a) => [a.key, a.values.length])).toEqual([['cfg.scale', 4], ['noise.seed', 16]]);
    expect(axesOf(definition!)[0].values).toEqual(['1', '3', '5', '7.5']);
    expect(definition!.plot).toMatchObject({ param: 'cfg.scale', x: 'clip_score.mean', y: 'fid_prompt.fid' });
    expect(graph.nodes.find((n) => n.id === 'reference_prompt')!.params.file).toBe('feature_extractor/reference_stats/red-circle-black.json');
  });

  it('CLIP score is non-decreasing over CFG 1, 3, 5, 7.5 (16 seeds each); FID to the prompt subset is reported', { timeout: 300_000 }, async () => {
    const graph = loadExample('toy-guidance-sweep.json');
    const { results } = await runStoredSweep(engine, graph);
    expect(results).toHaveLength(64);
    const groups = summarizeBy(results, 'cfg.scale');
    expect(groups.map((g) => g.value)).toEqual(['1', '3', '5', '7.5']);
    const clip = groups.map((g) => g.metrics['clip_score.mean']);
    const fidPrompt = groups.map((g) => g.metrics['fid_prompt.fid']);
    const fidAll = groups.map((g) => g.metrics['fid_all.fid']);
    console.log('toy guidance sweep (8 pictures × 16 seeds per scale) at CFG 1, 3, 5, 7.5:', {
      clipScore: clip.map((s) => round(s.mean)), fidToPrompt: fidPrompt.map((s) => round(s.mean)), fidToAll: fidAll.map((s) => round(s.mean)),
    });
    for (const s of [...clip, ...fidPrompt, ...fidAll]) expect(s.n).toBe(16);
    for (let k = 1; k < clip.length; k++) expect(clip[k].mean, `CFG ${groups[k].value} vs ${groups[k - 1].value}`).toBeGreaterThanOrEqual(clip[k - 1].mean - 1e-9);
    expect(clip[3].mean).toBeGreaterThan(clip[0].mean + 2);
    for (const s of fidPrompt) expect(Number.isFinite(s.mean) && s.mean >= 0).toBe(true);
    // Pictures nearer the prompt are nearer its training pictures than the whole set's.
    expect(fidPrompt[3].mean).toBeLessThan(fidAll[3].mean);
  });
});
