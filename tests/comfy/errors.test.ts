/** Clean import errors, and the UI form's reroutes, muted and bypassed nodes and primitives. */
import { importComfyWorkflow, SUPPORTED_CLASSES } from '../../src/interop/comfy/index.ts';
import { convert, fixture, shape } from './helpers.ts';

type Api = Record<string, { class_type: string; inputs: Record<string, unknown> }>;
interface UiNode { id: number; type: string; mode: number; inputs?: { name: string; type: string; link: number | null; widget?: unknown }[]; outputs?: unknown[]; widgets_values?: unknown[] }
interface Ui { nodes: UiNode[]; links: unknown[][] }

const api = () => fixture('txt2img-api.json') as Api;
const ui = () => fixture('txt2img-ui.json') as unknown as Ui;

describe('ComfyUI import errors', () => {
  it('an unsupported class names the class, its node id and the supported list', () => {
    const w = api();
    w['10'] = { class_type: 'LoraLoader', inputs: { model: ['4', 0], clip: ['4', 1] } };
    expect(() => importComfyWorkflow(w)).toThrow(/node 10: ComfyUI class "LoraLoader" is not supported; supported: .*KSampler/);
    expect(SUPPORTED_CLASSES).toEqual(expect.arrayContaining(['CheckpointLoaderSimple', 'CLIPTextEncode', 'EmptyLatentImage', 'KSampler', 'VAEDecode', 'SaveImage', 'PreviewImage']));
  });

  it('an unknown sampler or scheduler is named with the supported ones', () => {
    const w = api();
    w['3'].inputs.sampler_name = 'dpmpp_sde_gpu';
    expect(() => importComfyWorkflow(w)).toThrow(/node 3 \(KSampler\): sampler_name "dpmpp_sde_gpu" is not supported; supported: euler, euler_ancestral/);
    const s = api();
    s['3'].inputs.scheduler = 'beta';
    expect(() => importComfyWorkflow(s)).toThrow(/scheduler "beta" is not supported/);
  });

  it('a seed beyond 2^53 − 1 is refused, a large exact one kept', () => {
    const w = api();
    w['3'].inputs.seed = 18446744073709551615;
    expect(() => importComfyWorkflow(w)).toThrow(/node 3 \(KSampler\): seed 18446744073709552000 is not an integer/);
    w['3'].inputs.seed = 156680208700286;
    expect(convert(w).nodes.find((n) => n.type === 'noise/gaussian')!.params.seed).toBe(156680208700286);
  });

  it('an unknown checkpoint is named, with how to map it', () => {
    const w = api();
    w['4'].inputs.ckpt_name = 'dreamshaper_8.safetensors';
    expect(() => importComfyWorkflow(w)).toThrow(/node 4 \(CheckpointLoaderSimple\): checkpoint "dreamshaper_8.safetensors" is not known; map it .*--models/);
  });

  it('a checkpoint in a subfolder is known by its file name', () => {
    const w = api();
    w['4'].inputs.ckpt_name = 'toys\\toy-shapes.ckpt';
    expect(Object.values(convert(w).models).map((m) => m.source)).toEqual(['builtin:toy-shapes']);
  });

  it('a link to a missing node is named', () => {
    const w = api();
    w['8'].inputs.samples = ['33', 0];
    expect(() => importComfyWorkflow(w)).toThrow(/node 8 \(VAEDecode\): input samples links to node 33, which is not in the workflow/);
    const u = ui();
    u.links.find((l) => l[0] === 9)![1] = 77;
    expect(() => importComfyWorkflow(u)).toThrow(/node 9 \(SaveImage\), input images: link 9 comes from node 77/);
  });

  it('a missing required input and non-ComfyUI JSON are clean errors', () => {
    const w = api();
    delete w['3'].inputs.positive;
    expect(() => importComfyWorkflow(w)).toThrow(/node 3 \(KSampler\): input positive is not connected/);
    expect(() => importComfyWorkflow({ hello: 1 })).toThrow(/not a ComfyUI workflow/);
  });
});

describe('ComfyUI UI form: reroutes, muted, bypassed, primitives', () => {
  const expected = () => shape(convert(api()));

  it('follows a Reroute between the decoder and the save node', () => {
    const u = ui();
    u.nodes.push({ id: 20, type: 'Reroute', mode: 0, inputs: [{ name: '', type: '*', link: 9 }], outputs: [{ name: '', type: 'IMAGE', links: [21] }] });
    u.links.find((l) => l[0] === 9)!.splice(3, 2, 20, 0);
    u.links.push([21, 20, 0, 9, 0, 'IMAGE']);
    u.nodes.find((n) => n.id === 9)!.inputs![0].link = 21;
    expect(shape(convert(u))).toEqual(expected());
  });

  it('drops a muted node (and what it fed) and passes through a bypassed one', () => {
    const muted = ui();
    muted.nodes.push({ id: 30, type: 'PreviewImage', mode: 2, inputs: [{ name: 'images', type: 'IMAGE', link: 31 }] });
    muted.links.push([31, 8, 0, 30, 0, 'IMAGE']);
    expect(shape(convert(muted))).toEqual(expected());

    const bypassed = ui();
    // An ImageScale between decode and save, bypassed: the save gets the decoded image.
    bypassed.nodes.push({ id: 40, type: 'ImageScale', mode: 4, inputs: [{ name: 'image', type: 'IMAGE', link: 9 }], widgets_values: ['bilinear', 128, 128, 'disabled'] });
    bypassed.links.find((l) => l[0] === 9)!.splice(3, 2, 40, 0);
    bypassed.links.push([41, 40, 0, 9, 0, 'IMAGE']);
    bypassed.nodes.find((n) => n.id === 9)!.inputs![0].link = 41;
    expect(shape(convert(bypassed))).toEqual(expected());
  });

  it('takes a widget value from a PrimitiveNode', () => {
    const u = ui();
    u.nodes.push({ id: 50, type: 'PrimitiveNode', mode: 0, outputs: [{ name: 'INT', type: 'INT', links: [51], widget: { name: 'seed' } }], widgets_values: [1234, 'fixed'] });
    u.links.push([51, 50, 0, 3, 4, 'INT']);
    u.nodes.find((n) => n.id === 3)!.inputs!.push({ name: 'seed', type: 'INT', link: 51, widget: { name: 'seed' } });
    const graph = convert(u);
    expect(graph.nodes.find((n) => n.type === 'noise/gaussian')!.params.seed).toBe(1234);
    expect(graph.nodes.find((n) => n.type === 'sampling/init-state')!.params.seed).toBe(1234);
  });
});
