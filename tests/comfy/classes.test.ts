/** The classes beyond txt2img: LoadImage, ImageScale, VAEEncode, LatentUpscale, PreviewImage, KSamplerAdvanced. */
import { validateGraph } from '../../src/graph/validate.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { importComfyWorkflow } from '../../src/interop/comfy/index.ts';
import { comfyDenoise } from '../../src/interop/comfy/classes/ksampler.ts';
import { convert, fixture, shape } from './helpers.ts';

const registry = defaultRegistry();
type Api = Record<string, { class_type: string; inputs: Record<string, unknown> }>;

describe('ComfyUI img2img classes', () => {
  it('converts LoadImage → ImageScale → VAEEncode → KSampler (denoise 0.6) → LatentUpscale → VAEDecode → PreviewImage', () => {
    const graph = convert(fixture('img2img-api.json'));
    expect(validateGraph(graph, registry).filter((i) => i.severity !== 'warning')).toEqual([]);
    const of = (t: string) => graph.nodes.find((n) => n.type === t)!;
    expect(of('image/load').params.source).toBe('input.png');
    expect(of('image/resize').params).toMatchObject({ method: 'bilinear', by: 'size', width: 64, height: 64 });
    expect(of('sampling/scheduler').params).toMatchObject({ scheduler: 'EulerAncestralDiscreteScheduler', sigma_schedule: 'karras', steps: 16, denoise: 0.625 });
    // The img2img start: noise shaped like the encoded latent, added at the first timestep.
    const into = (node: string) => graph.edges.filter((e) => e.to.node === node).map((e) => `${e.from.node}.${e.from.port}->${e.to.port}`);
    const encode = of('vae/encode').id;
    expect(into(of('sampling/add-noise').id)).toContain(`${encode}.latent->latent`);
    expect(into(of('noise/gaussian').id)).toEqual([`${encode}.latent->latent`]);
    // 128 px on toy-shapes (4 px per cell) is a 32-cell latent: latent/upscale counts 8 px per cell.
    expect(of('latent/upscale').params).toMatchObject({ by: 'size', width: 256, height: 256 });
    expect(graph.nodes.some((n) => n.type === 'image/preview')).toBe(true);
  });

  it('denoise < 1 runs ComfyUI\'s `steps` steps: the tail of a floor(steps / denoise)-step schedule', () => {
    for (const [steps, denoise] of [[10, 0.6], [20, 0.75], [7, 0.33], [30, 0.05], [9, 0.99]]) {
      const d = comfyDenoise(steps, denoise);
      expect(d.steps).toBe(Math.floor(steps / denoise));
      expect(Math.floor(d.steps * d.denoise)).toBe(steps);
    }
  });

  it('KSamplerAdvanced over the whole schedule is KSampler at denoise 1', () => {
    const plain = fixture('txt2img-api.json') as Api;
    const advanced = fixture('txt2img-api.json') as Api;
    advanced['3'] = {
      class_type: 'KSamplerAdvanced',
      inputs: {
        add_noise: 'enable', noise_seed: 42, steps: 10, cfg: 7.5, sampler_name: 'euler', scheduler: 'normal',
        start_at_step: 0, end_at_step: 10000, return_with_leftover_noise: 'disable',
        model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0],
      },
    };
    expect(shape(convert(advanced))).toEqual(shape(convert(plain)));
    (advanced['3'].inputs as Record<string, unknown>).start_at_step = 4;
    const cut = convert(advanced).nodes.find((n) => n.type === 'sampling/scheduler')!;
    expect(cut.params).toMatchObject({ steps: 10, sigma_schedule: 'normal', start_at_step: 4, end_at_step: 10000, leftover_noise: false });
    (advanced['3'].inputs as Record<string, unknown>).start_at_step = 10;
    expect(() => importComfyWorkflow(advanced)).toThrow(/node 3 \(KSamplerAdvanced\): start_at_step 10 to end_at_step 10000 of 10 steps leaves no step to run/);
  });

  it('keeps a centre crop and refuses an unknown crop by name', () => {
    const w = fixture('img2img-api.json') as Api;
    w['3'].inputs.crop = 'center';
    expect(convert(w).nodes.find((n) => n.type === 'image/resize')!.params).toMatchObject({ crop: 'center', by: 'size' });
    w['3'].inputs.crop = 'top';
    expect(() => importComfyWorkflow(w)).toThrow(/node 3 \(ImageScale\): crop "top" is not supported; supported: disabled, center/);
  });
});
