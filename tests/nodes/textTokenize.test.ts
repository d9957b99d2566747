import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeDefinition, RunContext } from '../../src/graph/nodeSpec.ts';
import { ClipTokenizer } from '../../src/diffusion/clipTokenizer.ts';
import { textTokenize } from '../../nodes/text/tokenize.ts';
import type { TokensValue } from '../../nodes/types.ts';

const FOLDER = join(process.cwd(), '../shared/data/clip-tokenizer-sd15');
const hasTokenizer = existsSync(join(FOLDER, 'vocab.json'));
if (!hasTokenizer) console.warn(`text/tokenize tests skipped: ${FOLDER} is absent (shared test data)`);

const ctx = { nodeId: 'tok', signal: new AbortController().signal } as RunContext;
const BOS = 49406;
const EOS = 49407;

describe.skipIf(!hasTokenizer)('text/tokenize on the SD 1.5 CLIP tokenizer', () => {
  let tokenizer: ClipTokenizer;
  beforeAll(async () => {
    tokenizer = await ClipTokenizer.fromFolder(FOLDER);
  });

  async function tokenize(text: string, params: { weighting?: boolean; min_chunks?: number; chunking?: string } = {}) {
    const out = await (textTokenize as NodeDefinition).run(ctx, { tokenizer, text }, { weighting: true, min_chunks: 1, chunking: 'comfyui', ...params });
    return (out as { tokens: TokensValue }).tokens;
  }

  it('gives the reference ids, padded with EOS to 77, and no weights for a plain prompt', async () => {
    const tokens = await tokenize('a photo of a cat');
    expect(tokens.ids.shape).toEqual([1, 77]);
    expect([...tokens.ids.data.slice(0, 8)]).toEqual([BOS, 320, 1125, 539, 320, 2368, EOS, EOS]);
    expect([...tokens.attentionMask.data].filter((m) => m === 1)).toHaveLength(7);
    expect(tokens.weights).toBeUndefined();
    expect(tokens.chunkLength).toBe(77);
    expect([...tokens.emptyChunkIds!.data.slice(0, 3)]).toEqual([BOS, EOS, EOS]);
    expect(tokens.tokenizerId).toBe(tokenizer.id);
  });

  it('weights tokens without changing ids', async () => {
    const tokens = await tokenize('a (photo:1.3) of a [cat]');
    expect([...tokens.ids.data.slice(0, 7)]).toEqual([BOS, 320, 1125, 539, 320, 2368, EOS]);
    const w = [...tokens.weights!.data.slice(0, 8)];
    [1, 1, 1.3, 1, 1, 1 / 1.1, 1, 1].forEach((v, i) => expect(w[i]).toBeCloseTo(v, 6));
    expect(tokens.weights!.data.slice(8).every((v) => v === 1)).toBe(true);
  });

  it('splits a prompt over 75 tokens into 77-token chunks laid side by side', async () => {
    const words = Array.from({ length: 100 }, (_, i) => (i === 80 ? '(dog:1.4)' : 'cat')).join(' ');
    const tokens = await tokenize(words);
    expect(tokens.ids.shape).toEqual([1, 154]);
    const ids = [...tokens.ids.data];
    expect(ids[0]).toBe(BOS);
    expect(ids.slice(1, 76).every((id) => id === 2368)).toBe(true);
    expect(ids[76]).toBe(EOS);
    expect(ids[77]).toBe(BOS);
    // Words 75..99 fill the second chunk after its BOS; word 80 sits at 77 + 1 + 5.
    expect(ids[77 + 6]).toBe(tokenizer.encodeTokens('dog')[0]);
    expect(tokens.weights!.data[77 + 6]).toBeCloseTo(1.4, 6);
    expect(ids[77 + 26]).toBe(EOS);
    expect(tokens.attentionMask.data[77 + 26]).toBe(1);
    expect(tokens.attentionMask.data[77 + 27]).toBe(0);
  });

  it('moves a multi-token word that straddles the chunk boundary in comfyui mode, not in fill mode', async () => {
    const word = tokenizer.encodeTokens('photorealistic');
    expect(word.length).toBeGreaterThan(1);
    const text = `${'cat '.repeat(74)}photorealistic dog`;
    const comfy = [...(await tokenize(text)).ids.data];
    expect(comfy[75]).toBe(EOS); // 74 cats, then EOS and padding
    expect(comfy.slice(78, 78 + word.length)).toEqual(word);
    const fill = [...(await tokenize(text, { chunking: 'fill' })).ids.data];
    expect(fill[75]).toBe(word[0]);
    expect(fill[76]).toBe(EOS);
  });

  it('keeps escaped brackets, and all brackets when weighting is off', async () => {
    const escaped = await tokenize('\\(cat\\)');
    expect([...escaped.ids.data.slice(1, 4)]).toEqual(tokenizer.encodeTokens('(cat)'));
    const literal = await tokenize('(cat:1.5)', { weighting: false });
    const expected = tokenizer.encodeTokens('(cat:1.5)');
    expect([...literal.ids.data.slice(1, 1 + expected.length)]).toEqual(expected);
    expect(literal.weights).toBeUndefined();
  });

  it('pads with empty chunks up to min_chunks', async () => {
    const tokens = await tokenize('a cat', { min_chunks: 3 });
    expect(tokens.ids.shape).toEqual([1, 231]);
    expect([...tokens.ids.data.slice(154, 157)]).toEqual([BOS, EOS, EOS]);
  });

  it('names the node when the tokenizer input is not a tokenizer', async () => {
    await expect(
      (async () => (textTokenize as NodeDefinition).run(ctx, { tokenizer: {}, text: 'x' }, { weighting: true, min_chunks: 1, chunking: 'comfyui' }))(),
    ).rejects.toThrow(/text\/tokenize \(node "tok"\): input `tokenizer` is not a tokenizer/);
  });
});
