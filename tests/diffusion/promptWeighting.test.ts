import {
  chunkWeightedTokens,
  matchChunkCounts,
  padChunks,
  padHiddenStatesToChunks,
  parsePromptWeights,
  tokenizeWeightedPrompt,
  type ChunkingTokenizer,
  type PromptPart,
} from '../../src/diffusion/promptWeighting.ts';
import { Tensor } from '../../src/tensor/tensor.ts';

function expectParts(actual: PromptPart[], expected: ([string, number] | 'BREAK')[]) {
  expect(actual.length).toBe(expected.length);
  expected.forEach((want, i) => {
    const got = actual[i];
    if (want === 'BREAK') {
      expect(got).toEqual({ break: true });
      return;
    }
    expect('text' in got ? got.text : '<break>').toBe(want[0]);
    expect('weight' in got ? got.weight : NaN).toBeCloseTo(want[1], 10);
  });
}

describe('parsePromptWeights', () => {
  it('keeps plain text at weight 1', () => {
    expectParts(parsePromptWeights('normal text'), [['normal text', 1]]);
  });

  it('gives an empty prompt no parts', () => {
    expect(parsePromptWeights('')).toEqual([]);
  });

  it('multiplies (word) by 1.1 and divides [word] by 1.1', () => {
    expectParts(parsePromptWeights('an (important) word'), [
      ['an ', 1],
      ['important', 1.1],
      [' word', 1],
    ]);
    expectParts(parsePromptWeights('a [minor] detail'), [
      ['a ', 1],
      ['minor', 1 / 1.1],
      [' detail', 1],
    ]);
  });

  it('reads explicit weights, with spaces around the number and signs', () => {
    expectParts(parsePromptWeights('(cat:1.5) and (dog: 0.25 )'), [
      ['cat', 1.5],
      [' and ', 1],
      ['dog', 0.25],
    ]);
    expectParts(parsePromptWeights('(x:-1)'), [['x', -1]]);
    expectParts(parsePromptWeights('(x:.5)'), [['x', 0.5]]);
  });

  it('multiplies nested groups', () => {
    expectParts(parsePromptWeights('((a))'), [['a', 1.21]]);
    expectParts(parsePromptWeights('((a):2)'), [['a', 2.2]]);
    expectParts(parsePromptWeights('([a])'), [['a', 1]]);
    expectParts(parsePromptWeights('(red (cat:2) hat)'), [
      ['red ', 1.1],
      ['cat', 2.2],
      [' hat', 1.1],
    ]);
  });

  it('matches the mixed example of A1111 (nested, explicit, square, unbalanced by scope)', () => {
    expectParts(parsePromptWeights('a (((house:1.3)) [on] a (hill:0.5), sun, (((sky))).'), [
      ['a ', 1],
      ['house', 1.3 * 1.1 * 1.1],
      [' ', 1.1],
      ['on', 1],
      [' a ', 1.1],
      ['hill', 0.55],
      [', sun, ', 1.1],
      ['sky', 1.1 ** 4],
      ['.', 1.1],
    ]);
  });

  it('treats escaped brackets and backslashes as text', () => {
    expectParts(parsePromptWeights('\\(literal\\]'), [['(literal]', 1]]);
    expectParts(parsePromptWeights('a \\\\ b'), [['a \\ b', 1]]);
    // A backslash before another character stays as it is.
    expectParts(parsePromptWeights('c:\\dir'), [['c:\\dir', 1]]);
    expectParts(parsePromptWeights('(\\(x\\):2)'), [['(x)', 2]]);
  });

  it('weights a group left open until the end and keeps unmatched closers as text', () => {
    expectParts(parsePromptWeights('(unbalanced'), [['unbalanced', 1.1]]);
    expectParts(parsePromptWeights('[[faint'), [['faint', 1 / 1.21]]);
    expectParts(parsePromptWeights('smile) ]'), [['smile) ]', 1]]);
  });

  it('merges adjacent runs of equal weight', () => {
    expectParts(parsePromptWeights('(unnecessary)(parens)'), [['unnecessaryparens', 1.1]]);
  });

  it('keeps colons that are not a weight', () => {
    expectParts(parsePromptWeights('(a:b:1.5)'), [['a:b', 1.5]]);
    // As in A1111 and ComfyUI, a number after the last colon is always read as the weight.
    expectParts(parsePromptWeights('(ratio 16:9)'), [['ratio 16', 9]]);
    expectParts(parsePromptWeights('(ratio 16:9 wide)'), [['ratio 16:9 wide', 1.1]]);
    expectParts(parsePromptWeights('time: 1.5)'), [['time: 1.5)', 1]]);
    expectParts(parsePromptWeights('(v:1.2.3)'), [['v:1.2.3', 1.1]]);
  });

  it('splits on the BREAK keyword only as a whole word', () => {
    expectParts(parsePromptWeights('a cat BREAK (a dog:1.2)'), [['a cat', 1], 'BREAK', ['a dog', 1.2]]);
    expectParts(parsePromptWeights('BREAKFAST break'), [['BREAKFAST break', 1]]);
  });
});

/** A toy tokenizer: one token per character, id = char code (enough to check chunk packing). */
const charTokenizer: ChunkingTokenizer = {
  encodeTokens: (text) => [...text.replace(/\s+/g, '')].map((c) => c.charCodeAt(0)),
  bosTokenId: 1,
  eosTokenId: 2,
  padTokenId: 0,
  modelMaxLength: 6,
};

describe('chunkWeightedTokens', () => {
  it('frames a short prompt with BOS/EOS, pads it and carries weights', () => {
    const chunks = tokenizeWeightedPrompt('a(b:2)', charTokenizer);
    expect(chunks.ids).toEqual([[1, 97, 98, 2, 0, 0]]);
    expect(chunks.weights).toEqual([[1, 1, 2, 1, 1, 1]]);
    expect(chunks.attentionMask).toEqual([[1, 1, 1, 1, 0, 0]]);
  });

  it('gives the empty prompt one chunk of BOS, EOS and padding', () => {
    const chunks = tokenizeWeightedPrompt('', charTokenizer);
    expect(chunks.ids).toEqual([[1, 2, 0, 0, 0, 0]]);
    expect(chunks.attentionMask).toEqual([[1, 1, 0, 0, 0, 0]]);
  });

  it('splits long prompts into chunks of L − 2 tokens, weights following their tokens', () => {
    const chunks = tokenizeWeightedPrompt('abc(defgh:0.5)i', charTokenizer);
    expect(chunks.ids).toEqual([
      [1, 97, 98, 99, 100, 2],
      [1, 101, 102, 103, 104, 2],
      [1, 105, 2, 0, 0, 0],
    ]);
    expect(chunks.weights).toEqual([
      [1, 1, 1, 1, 0.5, 1],
      [1, 0.5, 0.5, 0.5, 0.5, 1],
      [1, 1, 1, 1, 1, 1],
    ]);
  });

  it('does not add an empty chunk when the tokens fill the last chunk exactly', () => {
    expect(tokenizeWeightedPrompt('abcdefgh', charTokenizer).ids).toHaveLength(2);
  });

  it('starts a new chunk at BREAK', () => {
    const chunks = tokenizeWeightedPrompt('ab BREAK c', charTokenizer);
    expect(chunks.ids).toEqual([
      [1, 97, 98, 2, 0, 0],
      [1, 99, 2, 0, 0, 0],
    ]);
  });

  it('keeps words whole in comfyui mode, moving a word that does not fit to the next chunk', () => {
    // Chunks hold 4 tokens; words "ab", "cde", "fg".
    expect(tokenizeWeightedPrompt('ab cde fg', charTokenizer).ids).toEqual([
      [1, 97, 98, 2, 0, 0],
      [1, 99, 100, 101, 2, 0],
      [1, 102, 103, 2, 0, 0],
    ]);
    expect(tokenizeWeightedPrompt('ab cde fg', charTokenizer, 'fill').ids).toEqual([
      [1, 97, 98, 99, 100, 2],
      [1, 101, 102, 103, 2, 0],
    ]);
  });

  it('splits a word in comfyui mode when it cannot fit any chunk', () => {
    expect(tokenizeWeightedPrompt('a bcdefg', charTokenizer).ids).toEqual([
      [1, 97, 98, 99, 100, 2],
      [1, 101, 102, 103, 2, 0],
    ]);
  });

  it('moves the tokens after a recent comma to the next chunk in a1111 mode', () => {
    expect(tokenizeWeightedPrompt('ab,cd e', charTokenizer, 'a1111').ids).toEqual([
      [1, 97, 98, 44, 2, 0],
      [1, 99, 100, 101, 2, 0],
    ]);
    expect(tokenizeWeightedPrompt('ab,cd e', charTokenizer, 'fill').ids).toEqual([
      [1, 97, 98, 44, 99, 2],
      [1, 100, 101, 2, 0, 0],
    ]);
  });

  it('rejects an unknown chunking mode', () => {
    expect(() => tokenizeWeightedPrompt('a', charTokenizer, 'word' as never)).toThrow(/Unknown chunking mode "word"/);
  });

  it('pads a prompt with empty chunks to a given count', () => {
    const padded = padChunks(tokenizeWeightedPrompt('ab', charTokenizer), 3, charTokenizer);
    expect(padded.ids).toEqual([
      [1, 97, 98, 2, 0, 0],
      [1, 2, 0, 0, 0, 0],
      [1, 2, 0, 0, 0, 0],
    ]);
    expect(padded.attentionMask[2]).toEqual([1, 1, 0, 0, 0, 0]);
  });

  it('rejects a tokenizer whose length leaves no room for tokens', () => {
    expect(() => chunkWeightedTokens([], { ...charTokenizer, modelMaxLength: 2 })).toThrow(/max length/);
  });
});

describe('padHiddenStatesToChunks / matchChunkCounts', () => {
  // Chunks of length 2, D = 1.
  const empty = Tensor.float32([1, 2, 1], [7, 8]);
  const short = { hiddenStates: Tensor.float32([2, 2, 1], [1, 2, 3, 4]), emptyChunk: empty };
  const long = { hiddenStates: Tensor.float32([1, 6, 1], [1, 2, 3, 4, 5, 6]), emptyChunk: empty };

  it('appends the empty chunk to every batch item', () => {
    const padded = padHiddenStatesToChunks(short, 3);
    expect(padded.shape).toEqual([2, 6, 1]);
    expect([...padded.data]).toEqual([1, 2, 7, 8, 7, 8, 3, 4, 7, 8, 7, 8]);
  });

  it('pads everything to the longest', () => {
    const [a, b] = matchChunkCounts([short, long]);
    expect(a.shape).toEqual([2, 6, 1]);
    expect(b.shape).toEqual([1, 6, 1]);
    expect([...b.data]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('says when there is nothing to pad with', () => {
    expect(() => padHiddenStatesToChunks({ hiddenStates: short.hiddenStates }, 2, 'negative')).toThrow(
      /negative: has 1 chunk\(s\) but 2 are needed/,
    );
  });
});
