/** Untrusted workflows: prototype keys, odd values and deep chains give clean errors, never a crash. */
import { ComfyImportError, importComfyWorkflow } from '../../src/interop/comfy/index.ts';
import { fixture } from './helpers.ts';

type Api = Record<string, { class_type: string; inputs: Record<string, unknown> }>;

function outcome(json: unknown): string {
  try {
    importComfyWorkflow(json, { models: JSON.parse('{"__proto__": "x"}') as Record<string, string> });
    return 'ok';
  } catch (error) {
    expect(error).toBeInstanceOf(ComfyImportError);
    return (error as Error).message;
  }
}

describe('hostile ComfyUI workflows', () => {
  it('prototype names as ids, classes, samplers, checkpoints and links', () => {
    expect(outcome(JSON.parse('{"__proto__": {"class_type": "KSampler", "inputs": {}}}'))).toMatch(/input model is not connected/);
    const w = fixture('txt2img-api.json') as Api;
    w['3'].inputs.sampler_name = 'constructor';
    expect(outcome(w)).toMatch(/sampler_name "constructor" is not supported/);
    const c = fixture('txt2img-api.json') as Api;
    c['9'].class_type = 'toString';
    expect(outcome(c)).toMatch(/class "toString" is not supported/);
    const k = fixture('txt2img-api.json') as Api;
    k['4'].inputs.ckpt_name = '__proto__';
    expect(outcome(k)).toBe('ok');
    const mapped = importComfyWorkflow(k, { models: JSON.parse('{"__proto__": "builtin:toy-shapes"}') as Record<string, string> });
    expect(Object.keys(mapped.document.models as object)).toEqual(['toy']);
    const other = importComfyWorkflow(k, { models: JSON.parse('{"__proto__": "/m/x"}') as Record<string, string> });
    expect(Object.keys(other.document.models as object)).toEqual(['model___proto__']);
    delete k['4'].inputs.ckpt_name;
    expect(outcome(k)).toMatch(/input ckpt_name must be text/);
    const l = fixture('txt2img-api.json') as Api;
    l['8'].inputs.samples = ['constructor', 0];
    expect(outcome(l)).toMatch(/links to node constructor, which is not in the workflow/);
  });

  it('wrong value types and self links', () => {
    const w = fixture('txt2img-api.json') as Api;
    w['3'].inputs.steps = '10; rm -rf /';
    expect(outcome(w)).toMatch(/input steps must be a number/);
    const s = fixture('txt2img-api.json') as Api;
    s['8'].inputs.samples = ['8', 0];
    expect(outcome(s)).toMatch(/node 8 \(VAEDecode\) depends on itself/);
    expect(outcome({ nodes: [{ id: 1, type: 'SaveImage', inputs: [{ name: 'images', type: 'IMAGE', link: 5 }] }], links: [] })).toMatch(/link 5 is not in the workflow's links/);
  });

  it('a chain of 15 000 upscales converts or is refused cleanly', () => {
    const w = fixture('txt2img-api.json') as Api;
    let prev = '3';
    for (let i = 0; i < 15_000; i++) {
      const id = String(100 + i);
      w[id] = { class_type: 'LatentUpscale', inputs: { samples: [prev, 0], upscale_method: 'nearest-exact', width: 64, height: 64, crop: 'disabled' } };
      prev = id;
    }
    w['8'].inputs.samples = [prev, 0];
    expect(typeof outcome(w)).toBe('string');
  });
});
