/**
 * graphs/sd-turbo.json and graphs/sd15.json name real models by URL; here they validate and run
 * end to end with their models pointed at tiny stand-in packages of the same layout and I/O
 * (tests/fixtures/tinySd.ts, random weights), at 64×64 — the wiring, not the weights, is tested.
 */
import { makeTinySdPackages } from '../fixtures/tinySd.ts';
import type { GraphDocument } from '../../src/graph/document.ts';
import type { Runtime } from '../../src/runtime/runtime.ts';
import { engineFor, loadExample, nodeRuntime, pngImage, runForPngs, withParams } from './graphRunner.ts';

const fixtures = makeTinySdPackages(['sd15', 'sd-turbo']);
let runtime: Runtime;
beforeAll(() => {
  runtime = nodeRuntime();
});
afterAll(async () => {
  await runtime.release();
  fixtures.cleanup();
});

function pointModelsAt(graph: GraphDocument, dir: string): GraphDocument {
  const copy = structuredClone(graph);
  for (const ref of Object.values(copy.models)) ref.source = dir;
  return copy;
}

describe('real-model example graphs', () => {
  it('sd-turbo.json: one Euler ancestral step, no CFG', async () => {
    const graph = loadExample('sd-turbo.json');
    expect(graph.nodes.find((n) => n.id === 'scheduler')!.params).toMatchObject({ scheduler: 'EulerAncestralDiscreteScheduler', steps: 1 });
    expect(graph.nodes.some((n) => n.type === 'guidance/cfg')).toBe(false);
    const small = withParams(pointModelsAt(graph, fixtures.packages['sd-turbo'].dir), { noise: { width: 64, height: 64 } });
    const { save } = await runForPngs(engineFor(runtime), small);
    const img = pngImage(save[0]);
    expect([img.width, img.height]).toEqual([64, 64]);
  });

  it('sd15.json: DPM++ 2M Karras, 25 steps, CFG 7.5', async () => {
    const graph = loadExample('sd15.json');
    expect(graph.nodes.find((n) => n.id === 'scheduler')!.params).toMatchObject({ scheduler: 'DPMSolverMultistepScheduler', steps: 25 });
    expect(JSON.parse(String(graph.nodes.find((n) => n.id === 'scheduler')!.params.config))).toMatchObject({ use_karras_sigmas: true, algorithm_type: 'dpmsolver++' });
    expect(graph.nodes.find((n) => n.id === 'cfg')!.params.scale).toBe(7.5);
    const small = withParams(pointModelsAt(graph, fixtures.packages.sd15.dir), { noise: { width: 64, height: 64 }, scheduler: { steps: 3 } });
    const { save } = await runForPngs(engineFor(runtime), small);
    const img = pngImage(save[0]);
    expect([img.width, img.height]).toEqual([64, 64]);
  });
});
