/**
 * VAELoader, CLIPSetLastLayer, LatentUpscaleBy, ImageScaleBy, the centre crop of LatentUpscale /
 * ImageScale, UpscaleModelLoader, ImageUpscaleWithModel, ImageInvert and RepeatLatentBatch.
 */
import { validateGraph } from '../../src/graph/validate.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { importComfyWorkflow, readWidgets } from '../../src/interop/comfy/index.ts';
import type { GraphDocument } from '../../src/graph/document.ts';
import { engineFor, nodeRuntime, pngImage, runForPngs } from '../toy/graphRunner.ts';
import { convert, fixture } from './helpers.ts';

const registry = defaultRegistry();
type Api = Record<string, { class_type: string; inputs: Record<string, unknown> }>;
const api = () => fixture('txt2img-api.json') as Api;
const of = (g: GraphDocument, type: string) => g.nodes.filter((n) => n.type === type);
const into = (g: GraphDocument, node: string) => g.edges.filter((e) => e.to.node === node).map((e) => `${e.from.node}.${e.from.port}->${e.to.port}`).sort();

function valid(g: GraphDocument): GraphDocument {
  expect(validateGraph(g, registry).filter((i) => i.severity !== 'warning')).toEqual([]);
  return g;
}

describe('ComfyUI loaders', () => {
  it('VAELoader maps its file through the model table: the toy name gives the toy package\'s VAE', () => {
    const w = api();
    w['10'] = { class_type: 'VAELoader', inputs: { vae_name: 'toy-shapes.safetensors' } };
    w['8'].inputs.vae = ['10', 0];
    const g = valid(convert(w));
    expect(of(g, 'model/load').map((n) => n.params.model)).toEqual(['toy', 'toy']);
    expect(into(g, of(g, 'vae/decode')[0].id)).toContain('n10_load.vae->vae');
    const mapped = api();
    mapped['10'] = { class_type: 'VAELoader', inputs: { vae_name: 'vae-ft-mse.safetensors' } };
    mapped['8'].inputs.vae = ['10', 0];
    expect(convert(mapped, { models: { 'vae-ft-mse.safetensors': '/models/sd15' } }).models).toMatchObject({ 'vae-ft-mse': { source: '/models/sd15' } });
    expect(() => importComfyWorkflow(mapped)).toThrow(/node 10 \(VAELoader\): VAE "vae-ft-mse.safetensors" is not known; map it .*--models/);
  });

  it('CLIPSetLastLayer -1 passes the CLIP through; another layer is refused by node and class', () => {
    const w = api();
    w['10'] = { class_type: 'CLIPSetLastLayer', inputs: { clip: ['4', 1], stop_at_clip_layer: -1 } };
    w['6'].inputs.clip = ['10', 0];
    const g = valid(convert(w));
    expect(into(g, 'n6_encode')).toContain('n4_load.text_encoder->encoder');
    w['10'].inputs.stop_at_clip_layer = -2;
    expect(() => importComfyWorkflow(w)).toThrow(/node 10 \(CLIPSetLastLayer\): stop_at_clip_layer -2 \(CLIP skip\) is not supported/);
  });

  it('UpscaleModelLoader: built-in names, mapped files, and an error for others; ImageUpscaleWithModel wires both', () => {
    const w = api();
    w['10'] = { class_type: 'UpscaleModelLoader', inputs: { model_name: 'esrgan-slim-x2.pth' } };
    w['11'] = { class_type: 'ImageUpscaleWithModel', inputs: { upscale_model: ['10', 0], image: ['8', 0] } };
    w['9'].inputs.images = ['11', 0];
    const g = valid(convert(w));
    expect(of(g, 'model/load-upscaler')[0].params.source).toBe('builtin:esrgan-slim-x2');
    expect(into(g, of(g, 'image/upscale-model')[0].id)).toEqual(['n10_upscaler.upscaler->upscaler', 'n8_decode.image->image']);
    w['10'].inputs.model_name = 'RealESRGAN_x4plus.pth';
    expect(of(convert(w, { models: { 'RealESRGAN_x4plus.pth': 'models/RealESRGAN_x4plus.pth' } }), 'model/load-upscaler')[0].params.source).toBe('models/RealESRGAN_x4plus.pth');
    expect(() => importComfyWorkflow(w)).toThrow(/node 10 \(UpscaleModelLoader\): upscale model "RealESRGAN_x4plus.pth" is not known; map it .*--models/);
  });
});

describe('ComfyUI resize and batch classes', () => {
  it('LatentUpscaleBy and ImageScaleBy resize by a factor', () => {
    const w = api();
    w['10'] = { class_type: 'LatentUpscaleBy', inputs: { samples: ['3', 0], upscale_method: 'bicubic', scale_by: 1.5 } };
    w['8'].inputs.samples = ['10', 0];
    w['11'] = { class_type: 'ImageScaleBy', inputs: { image: ['8', 0], upscale_method: 'lanczos', scale_by: 0.5 } };
    w['9'].inputs.images = ['11', 0];
    const g = valid(convert(w));
    expect(of(g, 'latent/upscale')[0].params).toMatchObject({ method: 'bicubic', by: 'scale', scale: 1.5 });
    expect(of(g, 'image/resize')[0].params).toMatchObject({ method: 'lanczos', by: 'scale', scale: 0.5 });
    w['11'].inputs.upscale_method = 'bislerp';
    expect(() => importComfyWorkflow(w)).toThrow(/node 11 \(ImageScaleBy\): upscale_method "bislerp" is not supported/);
    w['11'].inputs.upscale_method = 'area';
    w['10'].inputs.scale_by = 0;
    expect(() => importComfyWorkflow(w)).toThrow(/node 10 \(LatentUpscaleBy\): scale_by must be a positive number/);
  });

  it('LatentUpscale keeps crop "center"', () => {
    const w = api();
    w['10'] = { class_type: 'LatentUpscale', inputs: { samples: ['3', 0], upscale_method: 'bilinear', width: 64, height: 32, crop: 'center' } };
    w['8'].inputs.samples = ['10', 0];
    expect(of(valid(convert(w)), 'latent/upscale')[0].params).toMatchObject({ by: 'size', crop: 'center', width: 128, height: 64 });
  });

  it('ImageInvert and RepeatLatentBatch', () => {
    const w = api();
    w['10'] = { class_type: 'RepeatLatentBatch', inputs: { samples: ['3', 0], amount: 3 } };
    w['8'].inputs.samples = ['10', 0];
    w['11'] = { class_type: 'ImageInvert', inputs: { image: ['8', 0] } };
    w['9'].inputs.images = ['11', 0];
    const g = valid(convert(w));
    expect(of(g, 'latent/repeat-batch')[0].params).toEqual({ amount: 3 });
    expect(into(g, of(g, 'image/invert')[0].id)).toEqual(['n8_decode.image->image']);
    w['10'].inputs.amount = 0;
    expect(() => importComfyWorkflow(w)).toThrow(/node 10 \(RepeatLatentBatch\): amount must be an integer in \[1, 64\]/);
  });

  it('UI widget orders', () => {
    expect(readWidgets('LatentUpscaleBy', ['nearest-exact', 1.5])).toEqual({ upscale_method: 'nearest-exact', scale_by: 1.5 });
    expect(readWidgets('ImageScaleBy', ['lanczos', 2])).toEqual({ upscale_method: 'lanczos', scale_by: 2 });
    expect(readWidgets('RepeatLatentBatch', [2])).toEqual({ amount: 2 });
    expect(readWidgets('VAELoader', ['vae.safetensors'])).toEqual({ vae_name: 'vae.safetensors' });
    expect(readWidgets('CLIPSetLastLayer', [-2])).toEqual({ stop_at_clip_layer: -2 });
    expect(readWidgets('UpscaleModelLoader', ['4x.pth'])).toEqual({ model_name: '4x.pth' });
  });

  it('runs: RepeatLatentBatch ×2 → decode → ImageInvert → ImageScaleBy 0.5, and an ESRGAN ×2 upscale', async () => {
    const w = api();
    w['10'] = { class_type: 'RepeatLatentBatch', inputs: { samples: ['3', 0], amount: 2 } };
    w['8'].inputs.samples = ['10', 0];
    w['11'] = { class_type: 'ImageInvert', inputs: { image: ['8', 0] } };
    w['12'] = { class_type: 'ImageScaleBy', inputs: { image: ['11', 0], upscale_method: 'area', scale_by: 0.5 } };
    w['9'].inputs.images = ['12', 0];
    w['13'] = { class_type: 'UpscaleModelLoader', inputs: { model_name: 'esrgan-slim-x2' } };
    w['14'] = { class_type: 'ImageUpscaleWithModel', inputs: { upscale_model: ['13', 0], image: ['12', 0] } };
    w['15'] = { class_type: 'SaveImage', inputs: { filename_prefix: 'up', images: ['14', 0] } };
    const plain = api();
    const runtime = nodeRuntime();
    try {
      const engine = engineFor(runtime);
      const reference = pngImage(Object.values(await runForPngs(engine, convert(plain))).flat()[0]);
      const out = await runForPngs(engine, convert(w));
      const small = out.n9_save.map(pngImage);
      expect(small).toHaveLength(2);
      expect([small[0].width, small[0].height]).toEqual([32, 32]);
      expect(small[1].data).toEqual(small[0].data);
      // Inverted: the mean brightness flips around 1/2.
      const mean = (d: Float32Array) => d.reduce((a, b) => a + b, 0) / d.length;
      expect(mean(small[0].data)).toBeCloseTo(1 - mean(reference.data), 1);
      const up = out.n15_save.map(pngImage);
      expect(up).toHaveLength(2);
      expect([up[0].width, up[0].height]).toEqual([64, 64]);
    } finally {
      await runtime.release();
    }
  }, 120_000);
});
