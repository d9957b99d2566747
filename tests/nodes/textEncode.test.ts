/**
 * text/encode on real onnxruntime-node sessions of a small CLIP-shaped text encoder written with
 * src/onnx (embedding + position embedding, causal averaging across positions, tanh; pooled =
 * mean), fed by the real SD 1.5 tokenizer.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeDefinition, RunContext } from '../../src/graph/nodeSpec.ts';
import { ClipTokenizer } from '../../src/diffusion/clipTokenizer.ts';
import { matchChunkCounts, tokenizeWeightedPrompt } from '../../src/diffusion/promptWeighting.ts';
import { applyTokenWeights, applyTokenWeightsA1111, textEncode } from '../../nodes/text/encode.ts';
import { chunksToTokens, textTokenize } from '../../nodes/text/tokenize.ts';
import type { ConditioningValue, TokensValue } from '../../nodes/types.ts';
import { OnnxGraphBuilder } from '../../src/onnx/index.ts';
import { createNodeBackend } from '../../src/runtime/backends/node.ts';
import { packageFileRef, type TextEncoderHandle } from '../../src/runtime/handles.ts';
import { createNodeRuntime } from '../../src/runtime/node/index.ts';
import type { Runtime } from '../../src/runtime/runtime.ts';
import { Tensor } from '../../src/tensor/tensor.ts';

const FOLDER = join(process.cwd(), '../shared/data/clip-tokenizer-sd15');
const hasTokenizer = existsSync(join(FOLDER, 'vocab.json'));
if (!hasTokenizer) console.warn(`text/encode tests skipped: ${FOLDER} is absent (shared test data)`);

const L = 77;
const D = 6;
const TABLE = 1009;

function seeded(n: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  });
}

/** input_ids [batch, 77] → last_hidden_state [batch, 77, 6], pooler_output [batch, 6]. */
function writeEncoder(dir: string, batchDim: number | string): void {
  const g = new OnnxGraphBuilder();
  const ids = g.input('input_ids', 'int64', [batchDim, L]);
  const wrapped = g.op('Mod', [ids, g.constant(new Tensor('int64', [1], BigInt64Array.from([BigInt(TABLE)])))]);
  const embedded = g.op('Gather', [g.constant(Tensor.float32([TABLE, D], seeded(TABLE * D, 1))), wrapped], { axis: 0 });
  const positioned = g.op('Add', [embedded, g.constant(Tensor.float32([L, D], seeded(L * D, 2)))]);
  // Causal mean over earlier positions, so padding after EOS depends on the prompt (as in CLIP).
  const causal = new Float32Array(L * L);
  for (let i = 0; i < L; i++) for (let j = 0; j <= i; j++) causal[i * L + j] = 1 / (i + 1);
  const mixed = g.op('MatMul', [g.constant(Tensor.float32([L, L], causal)), positioned]);
  const hidden = g.op('Tanh', [g.op('Add', [positioned, mixed])]);
  g.output(g.op('Identity', [hidden]), 'last_hidden_state', 'float32', [batchDim, L, D]);
  g.output(g.op('ReduceMean', [hidden], { axes: [1], keepdims: 0 }), 'pooler_output', 'float32', [batchDim, D]);
  mkdirSync(join(dir, 'text_encoder'), { recursive: true });
  writeFileSync(join(dir, 'text_encoder', 'model.onnx'), g.toBytes());
}

describe.skipIf(!hasTokenizer)('text/encode', () => {
  const dynamicDir = mkdtempSync(join(tmpdir(), 'latentloom-te-'));
  const fixedDir = mkdtempSync(join(tmpdir(), 'latentloom-te1-'));
  let runtime: Runtime;
  let tokenizer: ClipTokenizer;
  let encoder: TextEncoderHandle;
  let fixedEncoder: TextEncoderHandle;

  beforeAll(async () => {
    writeEncoder(dynamicDir, 'batch');
    writeEncoder(fixedDir, 1);
    runtime = createNodeRuntime({ backend: createNodeBackend({ intraOpNumThreads: 1 }) });
    tokenizer = await ClipTokenizer.fromFolder(FOLDER);
    encoder = { kind: 'TEXT_ENCODER', model: packageFileRef(await runtime.openPackage({ source: dynamicDir }), 'text_encoder/model.onnx') };
    fixedEncoder = { kind: 'TEXT_ENCODER', model: packageFileRef(await runtime.openPackage({ source: fixedDir }), 'text_encoder/model.onnx') };
  });
  afterAll(async () => {
    await runtime.release();
  });

  const ctx = () =>
    ({ nodeId: 'enc', signal: new AbortController().signal, services: { runtime }, progress() {} }) as unknown as RunContext;

  async function tokenize(text: string): Promise<TokensValue> {
    const out = await (textTokenize as NodeDefinition).run(ctx(), { tokenizer, text }, { weighting: true, min_chunks: 1, chunking: 'comfyui' });
    return (out as { tokens: TokensValue }).tokens;
  }
  async function encode(tokens: TokensValue, handle = encoder, weighting = 'comfyui'): Promise<ConditioningValue> {
    const out = await (textEncode as NodeDefinition).run(ctx(), { encoder: handle, tokens }, { weighting });
    return (out as { conditioning: ConditioningValue }).conditioning;
  }
  /** The model run directly on one row of 77 ids. */
  async function direct(ids: ArrayLike<number>): Promise<Float32Array> {
    const session = await runtime.session(encoder.model);
    const out = await session.run({ input_ids: new Tensor('int32', [1, L], Int32Array.from(ids)) });
    return out.last_hidden_state.data as Float32Array;
  }
  const expectClose = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-6) => {
    expect(a.length).toBe(b.length);
    let m = 0;
    for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
    expect(m).toBeLessThan(tol);
  };

  it('encodes one chunk to [1, 77, D] with a pooled output, equal to the model run directly', async () => {
    const tokens = await tokenize('a photo of a cat');
    const cond = await encode(tokens);
    expect(cond.hiddenStates.shape).toEqual([1, L, D]);
    expect(cond.pooled?.shape).toEqual([1, D]);
    expectClose(cond.hiddenStates.data, await direct(tokens.ids.data));
    expectClose(cond.emptyChunk!.data, await direct(tokens.emptyChunkIds!.data));
  });

  it('applies weights as z_empty + (z − z_empty)·w, leaving weight-1 tokens untouched', async () => {
    const plain = await encode(await tokenize('a cat on a mat'));
    const weighted = await encode(await tokenize('a (cat:1.5) on a [mat]'));
    const empty = plain.emptyChunk!.data;
    const z = plain.hiddenStates.data;
    const out = weighted.hiddenStates.data;
    const weightOf = [1, 1, 1.5, 1, 1, 1 / 1.1]; // BOS a cat on a mat
    for (let t = 0; t < L; t++) {
      const w = weightOf[t] ?? 1;
      for (let d = 0; d < D; d++) {
        const e = empty[t * D + d];
        expect(out[t * D + d]).toBeCloseTo(e + (z[t * D + d] - e) * w, 5);
      }
    }
    // Weighted tokens really moved.
    expect(Math.abs(out[2 * D] - z[2 * D])).toBeGreaterThan(1e-4);
  });

  it('applies A1111 weighting when asked: z·w rescaled to the chunk’s unweighted mean', async () => {
    const plain = await encode(await tokenize('a cat on a mat'));
    const weighted = await encode(await tokenize('a (cat:1.5) on a [mat]'), encoder, 'a1111');
    const z = plain.hiddenStates.data;
    const weightOf = [1, 1, 1.5, 1, 1, 1 / 1.1];
    let before = 0;
    let after = 0;
    for (let t = 0; t < L; t++) {
      for (let d = 0; d < D; d++) {
        before += z[t * D + d];
        after += z[t * D + d] * (weightOf[t] ?? 1);
      }
    }
    for (let t = 0; t < L; t++) {
      for (let d = 0; d < D; d++) {
        expect(weighted.hiddenStates.data[t * D + d]).toBeCloseTo(z[t * D + d] * (weightOf[t] ?? 1) * (before / after), 5);
      }
    }
  });

  it('encodes each 77-token chunk on its own and concatenates along the sequence', async () => {
    const tokens = await tokenize(Array.from({ length: 100 }, (_, i) => (i % 7 === 0 ? 'dog' : 'cat')).join(' '));
    const cond = await encode(tokens);
    expect(cond.hiddenStates.shape).toEqual([1, 2 * L, D]);
    expectClose(cond.hiddenStates.data.subarray(0, L * D), await direct(tokens.ids.data.subarray(0, L)));
    expectClose(cond.hiddenStates.data.subarray(L * D), await direct(tokens.ids.data.subarray(L)));
  });

  it('batches a short and a long prompt by padding the short one with empty chunks', async () => {
    const short = tokenizeWeightedPrompt('a (cat:1.2)', tokenizer);
    const long = tokenizeWeightedPrompt(Array.from({ length: 90 }, () => 'cat').join(' '), tokenizer);
    const cond = await encode(chunksToTokens([short, long], tokenizer));
    expect(cond.hiddenStates.shape).toEqual([2, 2 * L, D]);
    // The short prompt's padding chunk is the empty prompt's encoding.
    expectClose(cond.hiddenStates.data.subarray(L * D, 2 * L * D), cond.emptyChunk!.data);
    const alone = await encode(await tokenize('a (cat:1.2)'));
    expectClose(cond.hiddenStates.data.subarray(0, L * D), alone.hiddenStates.data, 1e-5);
    expect(cond.pooled?.shape).toEqual([2, D]);
    // Padding the separately encoded short prompt afterwards gives the same [1, 154, D].
    const [padded] = matchChunkCounts([alone, cond]);
    expectClose(padded.data, cond.hiddenStates.data.subarray(0, 2 * L * D), 1e-5);
  });

  it('gives the same result on a model with a fixed batch of 1', async () => {
    const tokens = await tokenize('(a red:1.3) ' + 'car '.repeat(80));
    const dynamic = await encode(tokens);
    const fixed = await encode(tokens, fixedEncoder);
    expectClose(fixed.hiddenStates.data, dynamic.hiddenStates.data, 1e-5);
    expectClose(fixed.pooled!.data, dynamic.pooled!.data, 1e-5);
  });

  it('rejects weighted tokens without the empty prompt, and a non-encoder input', async () => {
    const tokens = await tokenize('(cat:2)');
    await expect(encode({ ...tokens, emptyChunkIds: undefined })).rejects.toThrow(/node "enc".*emptyChunkIds/);
    await expect(encode(tokens, {} as TextEncoderHandle)).rejects.toThrow(/input `encoder` is not a TEXT_ENCODER/);
  });
});

describe('applyTokenWeightsA1111', () => {
  it('multiplies, then restores each chunk’s mean', () => {
    // Two chunks of length 2, D = 1: [1, 3 ×2] has sum 4 → 7, scaled by 4/7; the second is unweighted.
    const hidden = Float32Array.from([1, 3, 5, 7]);
    applyTokenWeightsA1111(hidden, Float32Array.from([1, 2, 1, 1]), 2, 1);
    [4 / 7, 24 / 7, 5, 7].forEach((v, i) => expect(hidden[i]).toBeCloseTo(v, 6));
  });
});

describe('applyTokenWeights', () => {
  it('interpolates from the empty prompt at the same chunk position', () => {
    // Two chunks of length 2, D = 1.
    const hidden = Float32Array.from([1, 2, 3, 4]);
    applyTokenWeights(hidden, Float32Array.from([1, 2, 0.5, 1]), Float32Array.from([10, 20]), 2, 1);
    expect([...hidden]).toEqual([1, 20 + (2 - 20) * 2, 10 + (3 - 10) * 0.5, 4]);
  });
});
