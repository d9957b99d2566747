/** The default ComfyUI txt2img workflow, in API and UI form, becomes the same valid LatentLoom graph. */
import { validateGraph } from '../../src/graph/validate.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { detectComfyFormat, importComfyWorkflow } from '../../src/interop/comfy/index.ts';
import { convert, fixture, shape } from './helpers.ts';
import { collapsedZones } from '../../src/graph/zoneCollapse.ts';
import { zoneMembers } from '../../src/ui/analysis/graphAnalysis.ts';

const registry = defaultRegistry();

describe('ComfyUI txt2img import', () => {
  it('detects the API and the UI form, and not a LatentLoom graph', () => {
    expect(detectComfyFormat(fixture('txt2img-api.json'))).toBe('api');
    expect(detectComfyFormat(fixture('txt2img-ui.json'))).toBe('ui');
    expect(detectComfyFormat({ format: 'latentloom.graph', version: 1, nodes: [], edges: [] })).toBeUndefined();
    expect(detectComfyFormat([1, 2])).toBeUndefined();
  });

  it('converts the API form into a graph that validates', () => {
    const graph = convert(fixture('txt2img-api.json'));
    const errors = validateGraph(graph, registry).filter((i) => i.severity !== 'warning');
    expect(errors).toEqual([]);
    expect(graph.models).toEqual({ toy: { source: 'builtin:toy-shapes', title: 'toy-shapes.safetensors' } });
    const byType = (t: string) => graph.nodes.filter((n) => n.type === t);
    expect(byType('flow/repeat-input')).toHaveLength(1);
    expect(byType('text/prompt').map((n) => n.params.text).sort()).toEqual(['', 'a red circle on black']);
    expect(byType('noise/gaussian')[0].params).toMatchObject({ seed: 42, width: 64, height: 64, batch: 1, downscale: 4 });
    expect(byType('sampling/scheduler')[0].params).toMatchObject({ scheduler: 'EulerDiscreteScheduler', steps: 10, sigma_schedule: 'normal', denoise: 1 });
    expect(byType('guidance/cfg')[0].params.scale).toBe(7.5);
    expect(byType('image/save')[0].params.filename_prefix).toBe('ComfyUI');
  });

  it('opens each KSampler as a collapsed zone titled KSampler, in both forms', () => {
    for (const name of ['txt2img-api.json', 'txt2img-ui.json']) {
      const graph = convert(fixture(name));
      const pair = graph.nodes.filter((n) => n.type === 'flow/repeat-input' || n.type === 'flow/repeat-output');
      expect(pair.map((n) => n.ui?.collapsed)).toEqual([true, true]);
      expect(pair[0].title).toBe('KSampler');
      expect(collapsedZones(graph, zoneMembers(graph))).toEqual([pair[0].zone]);
    }
  });

  it('converts the UI form to the same graph as the API form (control_after_generate skipped)', () => {
    expect(shape(convert(fixture('txt2img-ui.json')))).toEqual(shape(convert(fixture('txt2img-api.json'))));
  });

  it('takes the body of a POST /prompt request', () => {
    const body = { prompt: fixture('txt2img-api.json'), client_id: 'abc' };
    expect(detectComfyFormat(body)).toBe('api');
    expect(shape(convert(body))).toEqual(shape(convert(fixture('txt2img-api.json'))));
  });

  it('places the UI form\'s nodes after their ComfyUI positions', () => {
    const graph = convert(fixture('txt2img-ui.json'));
    const x = (id: string) => graph.nodes.find((n) => n.id === id)!.ui!.x;
    expect(x('n4_load')).toBeLessThan(x('n6_prompt'));
    expect(x('n6_prompt')).toBeLessThan(x('n3_scheduler'));
    expect(x('n3_loop_out')).toBeLessThan(x('n8_decode'));
    expect(x('n8_decode')).toBeLessThan(x('n9_save'));
  });

  it('reads links saved as objects (newer ComfyUI frontends)', () => {
    const ui = fixture('txt2img-ui.json');
    ui.links = (ui.links as unknown[][]).map(([id, from, fromSlot, to, toSlot, type]) => ({ id, origin_id: from, origin_slot: fromSlot, target_id: to, target_slot: toSlot, type }));
    expect(shape(convert(ui))).toEqual(shape(convert(fixture('txt2img-api.json'))));
  });

  it('reads an old boolean control_after_generate and a missing one alike', () => {
    const ui = fixture('txt2img-ui.json');
    const ks = (ui.nodes as { id: number; widgets_values: unknown[] }[]).find((n) => n.id === 3)!;
    const expected = shape(convert(fixture('txt2img-api.json')));
    ks.widgets_values = [42, true, 10, 7.5, 'euler', 'normal', 1];
    expect(shape(convert(ui))).toEqual(expected);
    ks.widgets_values = [42, 10, 7.5, 'euler', 'normal', 1];
    expect(shape(convert(ui))).toEqual(expected);
  });

  it('maps samplers and schedulers onto the LatentLoom scheduler', () => {
    const api = fixture('txt2img-api.json') as Record<string, { inputs: Record<string, unknown> }>;
    api['3'].inputs.sampler_name = 'dpmpp_2m';
    api['3'].inputs.scheduler = 'karras';
    const params = convert(api).nodes.find((n) => n.type === 'sampling/scheduler')!.params;
    expect(params).toMatchObject({ scheduler: 'DPMSolverMultistepScheduler', sigma_schedule: 'karras' });
    expect(JSON.parse(params.config as string)).toEqual({ algorithm_type: 'dpmsolver++', solver_order: 2 });
    api['3'].inputs.sampler_name = 'ddim';
    api['3'].inputs.scheduler = 'ddim_uniform';
    const result = importComfyWorkflow(api);
    expect(result.warnings.join('\n')).toMatch(/DDIMScheduler/);
  });

  it('maps other checkpoint names with a models table', () => {
    const api = fixture('txt2img-api.json') as Record<string, { inputs: Record<string, unknown> }>;
    api['4'].inputs.ckpt_name = 'v1-5-pruned-emaonly.safetensors';
    const graph = convert(api, { models: { 'v1-5-pruned-emaonly.safetensors': '/models/sd15-onnx' } });
    expect(Object.values(graph.models).map((m) => m.source)).toEqual(['/models/sd15-onnx']);
    expect(graph.nodes.find((n) => n.type === 'noise/gaussian')!.params.downscale).toBe(8);
  });
});
