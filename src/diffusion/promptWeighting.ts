/**
 * Prompt weighting in the syntax ComfyUI and AUTOMATIC1111 users type, and the 77-token chunking
 * of long prompts. Pure: no tokenizer, no tensors — the tokenizer is passed in as a function.
 *
 * Syntax (A1111's rules, a superset of ComfyUI's):
 *   `(text)`        weight × 1.1
 *   `[text]`        weight ÷ 1.1
 *   `(text:1.5)`    weight × 1.5 (a number right before the closing `)`; `(a:b:1.5)` keeps "a:b")
 *   nesting multiplies: `((a))` = 1.21, `((a):2)` = 2.2
 *   `\(` `\)` `\[` `\]` `\\` are literal characters
 *   an unmatched `)` or `]` is literal text; a group still open at the end gets its ×1.1 / ÷1.1
 *   `BREAK` (upper case, as a word) ends the current 75-token chunk (A1111)
 */
import { Tensor, type TensorLike } from '../tensor/tensor.ts';

export interface WeightedSegment {
  text: string;
  weight: number;
}

/** A parsed prompt: weighted text runs; a `BREAK` keyword appears as `{ break: true }`. */
export type PromptPart = WeightedSegment | { break: true };

const ROUND_MULTIPLIER = 1.1;
const SQUARE_MULTIPLIER = 1 / 1.1;
const ESCAPABLE = new Set(['(', ')', '[', ']', '\\']);
/** `:` then a number then `)`, as A1111 matches it (whitespace allowed around the number). */
const EXPLICIT_WEIGHT = /^:\s*([+-]?[.\d]+)\s*\)/;

/**
 * Splits a prompt into weighted text runs. Adjacent runs of equal weight are merged; empty runs
 * are dropped, so an empty prompt gives an empty list.
 */
export function parsePromptWeights(prompt: string): PromptPart[] {
  const runs: { text: string; weight: number }[] = [];
  const roundStarts: number[] = [];
  const squareStarts: number[] = [];
  let pending = '';

  const flush = () => {
    if (pending) runs.push({ text: pending, weight: 1 });
    pending = '';
  };
  const scale = (start: number, factor: number) => {
    flush();
    for (let i = start; i < runs.length; i++) runs[i].weight *= factor;
  };

  let i = 0;
  while (i < prompt.length) {
    const ch = prompt[i];
    if (ch === '\\' && i + 1 < prompt.length && ESCAPABLE.has(prompt[i + 1])) {
      pending += prompt[i + 1];
      i += 2;
      continue;
    }
    if (ch === '(') {
      flush();
      roundStarts.push(runs.length);
      i++;
      continue;
    }
    if (ch === '[') {
      flush();
      squareStarts.push(runs.length);
      i++;
      continue;
    }
    if (ch === ':' && roundStarts.length > 0) {
      const match = EXPLICIT_WEIGHT.exec(prompt.slice(i));
      const weight = match ? Number(match[1]) : Number.NaN;
      if (match && Number.isFinite(weight)) {
        scale(roundStarts.pop()!, weight);
        i += match[0].length;
        continue;
      }
    }
    if (ch === ')' && roundStarts.length > 0) {
      scale(roundStarts.pop()!, ROUND_MULTIPLIER);
      i++;
      continue;
    }
    if (ch === ']' && squareStarts.length > 0) {
      scale(squareStarts.pop()!, SQUARE_MULTIPLIER);
      i++;
      continue;
    }
    pending += ch;
    i++;
  }
  flush();
  for (const start of roundStarts) scale(start, ROUND_MULTIPLIER);
  for (const start of squareStarts) scale(start, SQUARE_MULTIPLIER);

  return splitBreaks(mergeEqualWeights(runs));
}

function mergeEqualWeights(runs: WeightedSegment[]): WeightedSegment[] {
  const merged: WeightedSegment[] = [];
  for (const run of runs) {
    if (!run.text) continue;
    const last = merged[merged.length - 1];
    if (last && last.weight === run.weight) last.text += run.text;
    else merged.push({ text: run.text, weight: run.weight });
  }
  return merged;
}

/** `BREAK` as a whole upper-case word (with the spaces around it) splits a run, as in A1111. */
const BREAK_KEYWORD = /\s*\bBREAK\b\s*/;

function splitBreaks(runs: WeightedSegment[]): PromptPart[] {
  const parts: PromptPart[] = [];
  for (const run of runs) {
    const pieces = run.text.split(BREAK_KEYWORD);
    pieces.forEach((piece, index) => {
      if (index > 0) parts.push({ break: true });
      if (piece) parts.push({ text: piece, weight: run.weight });
    });
  }
  return parts;
}

/** Special ids and lengths of a CLIP-style tokenizer. */
export interface ChunkingTokenizer {
  /** Token ids of `text` without BOS/EOS. */
  encodeTokens(text: string): number[];
  bosTokenId: number;
  eosTokenId: number;
  padTokenId: number;
  /** Model max length including BOS and EOS (77 for CLIP). */
  modelMaxLength: number;
}

/** One prompt tokenized into k chunks of `modelMaxLength` each (BOS, ≤75 tokens, EOS, padding). */
export interface TokenChunks {
  /** k × L token ids. */
  ids: number[][];
  /** k × L weights; BOS, EOS and padding have weight 1. */
  weights: number[][];
  /** k × L: 1 for BOS, prompt tokens and EOS; 0 for padding. */
  attentionMask: number[][];
}

/**
 * How a long prompt is cut into chunks of L − 2 tokens:
 * - `comfyui` (default): words (split at spaces) stay whole; a word that does not fit moves to the
 *   next chunk, leaving padding, unless it has 8 tokens or more, which are split (ComfyUI).
 * - `a1111`: tokens fill the chunk; when it is full and a comma lies within the last 20 tokens,
 *   the tokens after that comma move to the next chunk (A1111's comma backtrack).
 * - `fill`: tokens fill each chunk in order (diffusers' long-prompt pipeline).
 */
export const CHUNKING_MODES = ['comfyui', 'a1111', 'fill'] as const;
export type ChunkingMode = (typeof CHUNKING_MODES)[number];

/** ComfyUI splits a word across chunks only from this many tokens on. */
const COMFY_MAX_WORD_LENGTH = 8;
/** A1111's default `comma_padding_backtrack`. */
const A1111_COMMA_BACKTRACK = 20;

interface Chunk {
  tokens: number[];
  weights: number[];
}

type TokenGroup = { ids: number[]; weight: number } | 'break';

/** Token groups: one per word (comfyui) or one per weighted run (others); BREAK markers kept. */
function tokenGroups(parts: readonly PromptPart[], tokenizer: ChunkingTokenizer, byWord: boolean): TokenGroup[] {
  const groups: TokenGroup[] = [];
  for (const part of parts) {
    if ('break' in part) {
      groups.push('break');
      continue;
    }
    const pieces = byWord ? part.text.replace(/\n/g, ' ').split(' ').filter((w) => w !== '') : [part.text];
    for (const piece of pieces) groups.push({ ids: tokenizer.encodeTokens(piece), weight: part.weight });
  }
  return groups;
}

function packChunks(groups: readonly TokenGroup[], perChunk: number, mode: ChunkingMode, commaId: number | undefined): Chunk[] {
  const chunks: Chunk[] = [];
  let current: Chunk = { tokens: [], weights: [] };
  let lastComma = -1;
  const close = () => {
    chunks.push(current);
    current = { tokens: [], weights: [] };
    lastComma = -1;
  };
  for (const group of groups) {
    if (group === 'break') {
      close();
      continue;
    }
    if (mode === 'comfyui') {
      let ids = group.ids;
      const splittable = ids.length >= COMFY_MAX_WORD_LENGTH || ids.length > perChunk;
      while (ids.length > 0) {
        const room = perChunk - current.tokens.length;
        if (ids.length <= room) {
          current.tokens.push(...ids);
          current.weights.push(...ids.map(() => group.weight));
          ids = [];
        } else if (splittable) {
          current.tokens.push(...ids.slice(0, room));
          current.weights.push(...ids.slice(0, room).map(() => group.weight));
          ids = ids.slice(room);
          close();
        } else {
          close();
        }
      }
      continue;
    }
    for (const id of group.ids) {
      if (mode === 'a1111' && id === commaId) {
        lastComma = current.tokens.length;
      } else if (
        mode === 'a1111' &&
        current.tokens.length === perChunk &&
        lastComma !== -1 &&
        current.tokens.length - lastComma <= A1111_COMMA_BACKTRACK
      ) {
        const moved: Chunk = { tokens: current.tokens.splice(lastComma + 1), weights: current.weights.splice(lastComma + 1) };
        close();
        current = moved;
      }
      if (current.tokens.length === perChunk) close();
      current.tokens.push(id);
      current.weights.push(group.weight);
    }
  }
  if (current.tokens.length > 0 || chunks.length === 0) close();
  return chunks;
}

/**
 * Tokenizes weighted runs and packs the tokens into chunks of (L − 2) tokens framed by BOS and
 * EOS and padded to L, the way `mode` says (see CHUNKING_MODES); `BREAK` starts a new chunk in
 * every mode. A prompt with no tokens gives one chunk holding only BOS and EOS.
 */
export function chunkWeightedTokens(
  parts: readonly PromptPart[],
  tokenizer: ChunkingTokenizer,
  mode: ChunkingMode = 'comfyui',
): TokenChunks {
  const length = tokenizer.modelMaxLength;
  const perChunk = length - 2;
  if (!Number.isInteger(length) || perChunk < 1) {
    throw new Error(`Tokenizer model max length must be an integer ≥ 3, got ${length}`);
  }
  if (!CHUNKING_MODES.includes(mode)) throw new Error(`Unknown chunking mode "${mode}"; expected ${CHUNKING_MODES.join(', ')}`);
  const commaId = mode === 'a1111' ? tokenizer.encodeTokens(',')[0] : undefined;
  const chunks = packChunks(tokenGroups(parts, tokenizer, mode === 'comfyui'), perChunk, mode, commaId);

  const result: TokenChunks = { ids: [], weights: [], attentionMask: [] };
  for (const chunk of chunks) {
    const used = chunk.tokens.length + 2;
    const ids = [tokenizer.bosTokenId, ...chunk.tokens, tokenizer.eosTokenId];
    const weights = [1, ...chunk.weights, 1];
    const mask = new Array<number>(used).fill(1);
    for (let p = used; p < length; p++) {
      ids.push(tokenizer.padTokenId);
      weights.push(1);
      mask.push(0);
    }
    result.ids.push(ids);
    result.weights.push(weights);
    result.attentionMask.push(mask);
  }
  return result;
}

/** The chunk an empty prompt tokenizes to: BOS, EOS, padding. */
export function emptyChunk(tokenizer: ChunkingTokenizer): TokenChunks {
  return chunkWeightedTokens([], tokenizer);
}

/** Appends empty-prompt chunks until the prompt has `count` chunks (for batching cond/uncond). */
export function padChunks(chunks: TokenChunks, count: number, tokenizer: ChunkingTokenizer): TokenChunks {
  const empty = emptyChunk(tokenizer);
  const out: TokenChunks = {
    ids: [...chunks.ids],
    weights: [...chunks.weights],
    attentionMask: [...chunks.attentionMask],
  };
  while (out.ids.length < count) {
    out.ids.push([...empty.ids[0]]);
    out.weights.push([...empty.weights[0]]);
    out.attentionMask.push([...empty.attentionMask[0]]);
  }
  return out;
}

/** Tokenizes a weighted prompt: parse, then chunk. */
export function tokenizeWeightedPrompt(prompt: string, tokenizer: ChunkingTokenizer, mode: ChunkingMode = 'comfyui'): TokenChunks {
  return chunkWeightedTokens(parsePromptWeights(prompt), tokenizer, mode);
}

/** Hidden states of k chunks and the empty prompt's chunk (a CONDITIONING value has both). */
export interface ChunkedHiddenStates {
  hiddenStates: TensorLike<'float32'>; // [B, L·k, D]
  emptyChunk?: TensorLike<'float32'>; // [1, L, D]
}

/**
 * Pads [B, L·k, D] hidden states to `chunkCount` chunks by appending the empty prompt's encoding,
 * which is exactly what encoding the prompt with extra empty chunks gives (chunks are encoded
 * independently). Used to batch a positive and a negative prompt of different lengths.
 */
export function padHiddenStatesToChunks(value: ChunkedHiddenStates, chunkCount: number, what = 'conditioning'): Tensor<'float32'> {
  const [batch, total, dim] = value.hiddenStates.shape;
  const hidden = Tensor.from(value.hiddenStates);
  const empty = value.emptyChunk;
  const length = empty?.shape[1] ?? total;
  if (total % length !== 0) throw new Error(`${what}: sequence length ${total} is not a whole number of ${length}-token chunks`);
  const have = total / length;
  if (have >= chunkCount) return hidden;
  if (!empty || empty.shape[2] !== dim) {
    throw new Error(`${what}: has ${have} chunk(s) but ${chunkCount} are needed, and no empty-prompt chunk to pad with`);
  }
  const out = new Float32Array(batch * chunkCount * length * dim);
  for (let b = 0; b < batch; b++) {
    const base = b * chunkCount * length * dim;
    out.set(hidden.data.subarray(b * total * dim, (b + 1) * total * dim), base);
    for (let k = have; k < chunkCount; k++) out.set(empty.data, base + k * length * dim);
  }
  return new Tensor('float32', [batch, chunkCount * length, dim], out);
}

/** Pads each conditioning to the longest one's chunk count (for cond/uncond batching). */
export function matchChunkCounts(values: readonly ChunkedHiddenStates[]): Tensor<'float32'>[] {
  const chunksOf = (v: ChunkedHiddenStates) => v.hiddenStates.shape[1] / (v.emptyChunk?.shape[1] ?? v.hiddenStates.shape[1]);
  const target = Math.max(...values.map(chunksOf));
  return values.map((v, i) => padHiddenStatesToChunks(v, target, `conditioning ${i + 1}`));
}
