/**
 * `text/encode`: TOKENS → CONDITIONING through a CLIP text encoder (ONNX, via the runtime).
 *
 * Each chunk of L tokens is encoded on its own and the hidden states are laid side by side,
 * [B, L·k, D], as ComfyUI and A1111 do for long prompts. The empty prompt is encoded in the same
 * batch; prompt weights are then applied to the hidden states as ComfyUI does:
 *     z ← z_empty + (z − z_empty) · w     (per token, z_empty at the same position in its chunk)
 * ComfyUI's rule (the default) keeps weight-1 tokens exactly as they were. The `weighting` param
 * also offers A1111's rule: z ← z · w, then each chunk rescaled to its unweighted mean. The pooled
 * output, when the model has one, comes from each prompt's first chunk.
 */
import { requireRuntime } from '../../src/runtime/runtime.ts';
import type { ModelSession, TensorMeta } from '../../src/runtime/types.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import type { ConditioningValue, TokensValue } from '../types.ts';
import { defineNode } from '../define.ts';

function pickOutput(outputs: readonly TensorMeta[], preferred: string | undefined, standard: readonly string[]): string | undefined {
  if (preferred) return preferred;
  return standard.find((name) => outputs.some((o) => o.name === name));
}

/** Rows [R, L] of token ids (and masks) run through the encoder, in groups the model accepts. */
async function encodeRows(
  session: ModelSession,
  rows: Int32Array,
  masks: Int32Array,
  rowCount: number,
  length: number,
  names: { ids: string; mask?: string; hidden: string; pooled?: string },
  nodeId: string,
  signal: AbortSignal,
): Promise<{ hidden: Float32Array; dim: number; pooled?: Float32Array; pooledDim: number }> {
  const idsMeta = session.inputs.find((i) => i.name === names.ids);
  const fixedBatch = typeof idsMeta?.shape?.[0] === 'number' ? (idsMeta.shape[0] as number) : undefined;
  const group = fixedBatch ?? rowCount;
  let hidden: Float32Array | undefined;
  let pooled: Float32Array | undefined;
  let dim = 0;
  let pooledDim = 0;
  for (let start = 0; start < rowCount; start += group) {
    const n = Math.min(group, rowCount - start);
    // A fixed-batch model gets its batch filled by repeating the last row; extra outputs are dropped.
    const feedIds = new Int32Array(group * length);
    const feedMask = new Int32Array(group * length);
    for (let r = 0; r < group; r++) {
      const src = (start + Math.min(r, n - 1)) * length;
      feedIds.set(rows.subarray(src, src + length), r * length);
      feedMask.set(masks.subarray(src, src + length), r * length);
    }
    const feeds: Record<string, Tensor> = { [names.ids]: new Tensor('int32', [group, length], feedIds) };
    if (names.mask) feeds[names.mask] = new Tensor('int32', [group, length], feedMask);
    const wanted = names.pooled ? [names.hidden, names.pooled] : [names.hidden];
    const out = await session.run(feeds, { nodeId, outputs: wanted, signal });
    const h = out[names.hidden];
    if (h.dtype !== 'float32' || h.shape.length !== 3 || h.shape[0] !== group || h.shape[1] !== length) {
      throw new Error(`output \`${names.hidden}\` is ${h.dtype}[${h.shape.join(', ')}]; expected float [${group}, ${length}, D]`);
    }
    dim = h.shape[2];
    hidden ??= new Float32Array(rowCount * length * dim);
    hidden.set((h.data as Float32Array).subarray(0, n * length * dim), start * length * dim);
    const p = names.pooled ? out[names.pooled] : undefined;
    if (p && p.dtype === 'float32') {
      pooledDim = p.size / group;
      pooled ??= new Float32Array(rowCount * pooledDim);
      pooled.set((p.data as Float32Array).subarray(0, n * pooledDim), start * pooledDim);
    }
  }
  return { hidden: hidden!, dim, pooled, pooledDim };
}

/** z ← z_empty + (z − z_empty) · w for every token of [B, L·k, D] hidden states. */
export function applyTokenWeights(
  hidden: Float32Array,
  weights: Float32Array,
  empty: Float32Array,
  chunkLength: number,
  dim: number,
): void {
  for (let t = 0; t < weights.length; t++) {
    const w = weights[t];
    if (w === 1) continue;
    const base = t * dim;
    const emptyBase = (t % chunkLength) * dim;
    for (let d = 0; d < dim; d++) {
      const e = empty[emptyBase + d];
      hidden[base + d] = e + (hidden[base + d] - e) * w;
    }
  }
}

/**
 * A1111's rule, per prompt and chunk: z ← z · w, then rescaled so the chunk's mean over all tokens
 * and channels is what it was before weighting.
 */
export function applyTokenWeightsA1111(hidden: Float32Array, weights: Float32Array, chunkLength: number, dim: number): void {
  const chunkSize = chunkLength * dim;
  for (let start = 0; start < hidden.length; start += chunkSize) {
    let before = 0;
    let after = 0;
    for (let t = 0; t < chunkLength; t++) {
      const w = weights[start / dim + t];
      for (let d = 0; d < dim; d++) {
        const i = start + t * dim + d;
        before += hidden[i];
        hidden[i] *= w;
        after += hidden[i];
      }
    }
    // A chunk whose weighted mean is 0 cannot be rescaled; leave it multiplied only.
    const ratio = after !== 0 ? before / after : 1;
    for (let i = start; i < start + chunkSize; i++) hidden[i] *= ratio;
  }
}

function checkTokens(tokens: TokensValue | undefined, where: string, needEmpty: boolean): { batch: number; total: number; length: number } {
  if (!tokens?.ids || tokens.ids.shape.length !== 2) {
    throw new Error(`${where}: input \`tokens\` must hold ids [B, L]`);
  }
  const [batch, total] = tokens.ids.shape;
  const length = tokens.chunkLength ?? total;
  if (!Number.isInteger(length) || length < 1 || total % length !== 0) {
    throw new Error(`${where}: token length ${total} is not a whole number of ${length}-token chunks`);
  }
  if (needEmpty && tokens.weights && (!tokens.emptyChunkIds || tokens.emptyChunkIds.size !== length)) {
    throw new Error(`${where}: weighted tokens need the empty prompt's ids (emptyChunkIds) to weight against`);
  }
  return { batch, total, length };
}

export const textEncode = defineNode({
  type: 'text/encode',
  needsRuntime: true,
  version: 1,
  title: 'Encode text',
  category: 'text',
  description: 'CLIP text encoder: tokens → hidden states [B, 77·k, D], prompt weights applied as ComfyUI does.',
  inputs: { encoder: { type: 'TEXT_ENCODER' }, tokens: { type: 'TOKENS' } },
  outputs: { conditioning: { type: 'CONDITIONING' } },
  params: {
    weighting: {
      kind: 'enum',
      options: ['comfyui', 'a1111'],
      default: 'comfyui',
      label: 'Weighting',
      description: 'comfyui: lerp from the empty prompt; a1111: multiply, then restore each chunk’s mean.',
    },
  },
  async run(ctx, inputs, params) {
    const where = `text/encode (node "${ctx.nodeId}")`;
    const handle = inputs.encoder;
    if (handle?.kind !== 'TEXT_ENCODER') throw new Error(`${where}: input \`encoder\` is not a TEXT_ENCODER`);
    const tokens = inputs.tokens;
    const { batch, total, length } = checkTokens(tokens, where, params.weighting !== 'a1111');
    const chunks = total / length;
    const runtime = requireRuntime(ctx.services, ctx.nodeId);
    const session = await runtime.session(handle.model, { nodeId: ctx.nodeId });

    const idsName = session.inputs.find((i) => i.name === 'input_ids')?.name ?? session.inputs[0]?.name;
    const maskName = session.inputs.find((i) => i.name === 'attention_mask')?.name;
    const hiddenName = pickOutput(session.outputs, handle.hiddenStateOutput, ['last_hidden_state']) ?? session.outputs[0]?.name;
    const pooledName = pickOutput(session.outputs, handle.pooledOutput, ['pooler_output', 'text_embeds']);
    if (!idsName || !hiddenName) throw new Error(`${where}: ${session.label} has no input or no output`);

    // Rows: every chunk of every prompt, then the empty prompt (when known).
    const withEmpty = tokens.emptyChunkIds !== undefined && tokens.emptyChunkIds.size === length;
    const rowCount = batch * chunks + (withEmpty ? 1 : 0);
    const rows = new Int32Array(rowCount * length);
    const masks = new Int32Array(rowCount * length);
    rows.set(tokens.ids.data);
    masks.set(tokens.attentionMask?.data ?? new Int32Array(total * batch).fill(1));
    if (withEmpty) {
      rows.set(tokens.emptyChunkIds!.data, batch * total);
      // The empty prompt attends to BOS and EOS only.
      masks.fill(1, batch * total, batch * total + 2);
    }
    let encoded;
    try {
      encoded = await encodeRows(session, rows, masks, rowCount, length, { ids: idsName, mask: maskName, hidden: hiddenName, pooled: pooledName }, ctx.nodeId, ctx.signal);
    } catch (err) {
      throw new Error(`${where}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const { dim } = encoded;
    // Rows are [B·k, L, D] in prompt-major order, which is already [B, k·L, D].
    const hidden = encoded.hidden.slice(0, batch * total * dim);
    const empty = withEmpty ? encoded.hidden.slice(batch * total * dim) : undefined;
    if (tokens.weights && params.weighting === 'a1111') applyTokenWeightsA1111(hidden, tokens.weights.data, length, dim);
    else if (tokens.weights) applyTokenWeights(hidden, tokens.weights.data, empty!, length, dim);

    const conditioning: ConditioningValue = {
      hiddenStates: new Tensor('float32', [batch, total, dim], hidden),
      attentionMask: tokens.attentionMask,
    };
    if (empty) conditioning.emptyChunk = new Tensor('float32', [1, length, dim], empty);
    if (encoded.pooled) {
      const pooled = new Float32Array(batch * encoded.pooledDim);
      for (let b = 0; b < batch; b++) {
        pooled.set(encoded.pooled.subarray(b * chunks * encoded.pooledDim, (b * chunks + 1) * encoded.pooledDim), b * encoded.pooledDim);
      }
      conditioning.pooled = new Tensor('float32', [batch, encoded.pooledDim], pooled);
    }
    return { conditioning };
  },
});
