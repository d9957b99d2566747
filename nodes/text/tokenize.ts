/**
 * `text/tokenize`: a prompt → TOKENS with per-token weights from the `(word:1.2)` syntax
 * (src/diffusion/promptWeighting.ts). Prompts longer than the model length are split into chunks
 * of at most (L − 2) tokens (as ComfyUI, A1111 or plainly: the `chunking` param), each framed by
 * BOS/EOS and padded, laid side by side: ids [1, L·k].
 */
import {
  CHUNKING_MODES,
  chunkWeightedTokens,
  emptyChunk,
  padChunks,
  parsePromptWeights,
  type ChunkingMode,
  type ChunkingTokenizer,
  type PromptPart,
  type TokenChunks,
} from '../../src/diffusion/promptWeighting.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import type { TokensValue } from '../types.ts';
import { defineNode } from '../define.ts';

/** What the node needs of a TOKENIZER value (ClipTokenizer has it). */
export interface TokenizerLike extends ChunkingTokenizer {
  id?: string;
}

export function isTokenizerLike(value: unknown): value is TokenizerLike {
  const t = value as Partial<TokenizerLike> | null;
  return (
    typeof t === 'object' &&
    t !== null &&
    typeof t.encodeTokens === 'function' &&
    Number.isInteger(t.bosTokenId) &&
    Number.isInteger(t.eosTokenId) &&
    Number.isInteger(t.padTokenId) &&
    Number.isInteger(t.modelMaxLength)
  );
}

/** Lays k chunks of one or more prompts out as a [B, L·k] TOKENS value. */
export function chunksToTokens(prompts: readonly TokenChunks[], tokenizer: TokenizerLike): TokensValue {
  const length = tokenizer.modelMaxLength;
  const count = Math.max(...prompts.map((p) => p.ids.length));
  const padded = prompts.map((p) => padChunks(p, count, tokenizer));
  const total = prompts.length * count * length;
  const ids = new Int32Array(total);
  const mask = new Int32Array(total);
  const weights = new Float32Array(total);
  let anyWeighted = false;
  let o = 0;
  for (const prompt of padded) {
    for (let k = 0; k < count; k++) {
      for (let j = 0; j < length; j++, o++) {
        ids[o] = prompt.ids[k][j];
        mask[o] = prompt.attentionMask[k][j];
        weights[o] = prompt.weights[k][j];
        if (weights[o] !== 1) anyWeighted = true;
      }
    }
  }
  const shape = [prompts.length, count * length];
  const empty = emptyChunk(tokenizer);
  return {
    ids: new Tensor('int32', shape, ids),
    attentionMask: new Tensor('int32', shape, mask),
    weights: anyWeighted ? new Tensor('float32', shape, weights) : undefined,
    tokenizerId: tokenizer.id,
    chunkLength: length,
    emptyChunkIds: new Tensor('int32', [1, length], Int32Array.from(empty.ids[0])),
  };
}

export const textTokenize = defineNode({
  type: 'text/tokenize',
  version: 1,
  title: 'Tokenize',
  category: 'text',
  description:
    'Prompt → token ids with (word:1.2) / (word) / [word] weights; long prompts become several 77-token chunks.',
  inputs: { tokenizer: { type: 'TOKENIZER' }, text: { type: 'TEXT' } },
  outputs: { tokens: { type: 'TOKENS' } },
  params: {
    weighting: {
      kind: 'boolean',
      default: true,
      description: 'Read (word:1.2), (word), [word] and BREAK; off keeps brackets as plain text.',
    },
    chunking: {
      kind: 'enum',
      options: CHUNKING_MODES,
      default: 'comfyui',
      label: 'Long prompts',
      description: 'comfyui: words stay whole across chunks; a1111: cut after a recent comma; fill: cut every 75 tokens.',
    },
    min_chunks: {
      kind: 'int',
      default: 1,
      min: 1,
      max: 32,
      label: 'Min chunks',
      description: 'Pad with empty chunks to at least this many (to match a longer prompt it is batched with).',
    },
  },
  run(ctx, inputs, params) {
    const tokenizer = inputs.tokenizer;
    if (!isTokenizerLike(tokenizer)) {
      throw new Error(`text/tokenize (node "${ctx.nodeId}"): input \`tokenizer\` is not a tokenizer (connect a TOKENIZER output)`);
    }
    const text = inputs.text ?? '';
    if (typeof text !== 'string') throw new Error(`text/tokenize (node "${ctx.nodeId}"): input \`text\` must be text, got ${typeof text}`);
    const parts: PromptPart[] = params.weighting ? parsePromptWeights(text) : [{ text, weight: 1 }];
    const chunks = padChunks(chunkWeightedTokens(parts, tokenizer, params.chunking as ChunkingMode), params.min_chunks, tokenizer);
    return { tokens: chunksToTokens([chunks], tokenizer) };
  },
});
