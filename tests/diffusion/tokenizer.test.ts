import { existsSync, readFileSync } from 'node:fs';
import { ClipTokenizer } from '../../src/diffusion/clipTokenizer.ts';
import { parseMergesText } from '../../src/diffusion/tokenizer/hfFiles.ts';

const DATA = '../shared/data';
const SD15 = `${DATA}/clip-tokenizer-sd15`;
const TURBO = `${DATA}/clip-tokenizer-sd-turbo`;
const OPENAI_BPE = `${DATA}/clip-bpe-openai/bpe_simple_vocab_16e6.txt.gz`;
const haveSd15 = existsSync(`${SD15}/vocab.json`);
const haveTurbo = existsSync(`${TURBO}/tokenizer.json`);
const haveOpenAi = existsSync(OPENAI_BPE);
if (!haveSd15) console.warn(`SKIP: ${SD15} is absent; the real-vocabulary CLIP tokenizer tests are skipped`);
if (!haveTurbo) console.warn(`SKIP: ${TURBO} is absent; the SD-Turbo tokenizer tests are skipped`);
if (!haveOpenAi) console.warn(`SKIP: ${OPENAI_BPE} is absent; the OpenAI BPE consistency tests are skipped`);

const read = (path: string): Uint8Array => readFileSync(path);

// Public reference ids (BOS and EOS included, no padding), from the reference CLIP tokenizer.
const KNOWN: [string, number[]][] = [
  ['a photo of a cat', [49406, 320, 1125, 539, 320, 2368, 49407]],
  ['An astronaut riding a horse', [49406, 550, 18376, 6765, 320, 4558, 49407]],
  ['how are you doing?', [49406, 829, 631, 592, 1960, 286, 49407]],
];

describe.runIf(haveSd15)('ClipTokenizer on the SD 1.5 tokenizer folder', () => {
  let folder: ClipTokenizer;
  let slow: ClipTokenizer;
  let fast: ClipTokenizer;
  beforeAll(async () => {
    folder = await ClipTokenizer.fromFolder(SD15);
    slow = ClipTokenizer.fromFiles({ 'vocab.json': read(`${SD15}/vocab.json`), 'merges.txt': read(`${SD15}/merges.txt`) }, { source: 'sd15-slow' });
    fast = ClipTokenizer.fromFiles({ 'tokenizer.json': read(`${SD15}/tokenizer.json`) }, { source: 'sd15-fast' });
  });

  it.each(KNOWN)('encodes %j to the published ids, from vocab+merges and from tokenizer.json alone', (text, expected) => {
    for (const tok of [folder, slow, fast]) expect(tok.encode(text, { padding: false }).ids).toEqual(expected);
  });

  it('reads special tokens and length from the files', () => {
    for (const tok of [folder, slow, fast]) {
      expect([tok.bosTokenId, tok.eosTokenId, tok.padTokenId, tok.modelMaxLength]).toEqual([49406, 49407, 49407, 77]);
      expect(tok.vocabSize).toBe(49408);
    }
    expect(slow.id).toBe(fast.id);
  });

  it('pads to 77 with the pad token and masks the padding', () => {
    const { ids, attentionMask } = folder.encode('a photo of a cat');
    expect(ids).toHaveLength(77);
    expect(ids.slice(0, 7)).toEqual(KNOWN[0][1]);
    expect(ids.slice(7).every((id) => id === 49407)).toBe(true);
    expect(attentionMask).toEqual([...new Array(7).fill(1), ...new Array(70).fill(0)]);
    expect(folder.encode('')).toEqual({ ids: [49406, ...new Array(76).fill(49407)], attentionMask: [1, 1, ...new Array(75).fill(0)] });
  });

  it('truncates long prompts to 77 with EOS last', () => {
    const text = Array.from({ length: 120 }, (_, i) => `cat${i % 10}`).join(' '); // cat + digit: 2 tokens each
    const tokens = folder.encodeTokens(text);
    expect(tokens.length).toBe(240);
    const { ids, attentionMask } = folder.encode(text);
    expect(ids).toHaveLength(77);
    expect(ids[0]).toBe(49406);
    expect(ids[76]).toBe(49407);
    expect(ids.slice(1, 76)).toEqual(tokens.slice(0, 75));
    expect(attentionMask.every((m) => m === 1)).toBe(true);
    expect(folder.encode(text, { truncation: false }).ids).toHaveLength(242);
    expect(folder.encode('a photo of a cat', { maxLength: 5 }).ids).toEqual([49406, 320, 1125, 539, 49407]);
  });

  it('normalizes like the fast CLIP tokenizer: case, whitespace runs, NFC, contractions, digits', () => {
    const ids = (t: string) => folder.encodeTokens(t);
    expect(ids('  A\tPHOTO \n of   a CAT ')).toEqual(ids('a photo of a cat'));
    expect(ids('cafe\u0301')).toEqual(ids('café')); // decomposed é composes under NFC
    expect(folder.idsToTokens(ids("it's"))).toEqual(['it</w>', "'s</w>"]);
    expect(folder.idsToTokens(ids('2024'))).toEqual(['2</w>', '0</w>', '2</w>', '4</w>']); // each digit alone
    expect(folder.idsToTokens(ids('cat!!'))).toEqual(['cat</w>', '!!</w>']);
  });

  it('encodes emoji and accents through byte-level symbols, and decodes back', () => {
    const text = 'A café crème 🐱 naïve Ünïcödé 猫';
    const ids = folder.encodeTokens(text);
    expect(ids.every((id) => Number.isInteger(id) && id >= 0 && id < 49406)).toBe(true);
    expect(folder.idsToTokens(ids)).toContain('ðŁĲ±</w>'); // 🐱 = F0 9F 90 B1 as byte-level characters
    expect(folder.decode(folder.encode(text).ids)).toBe(text.toLowerCase());
    expect(folder.decode(ids.slice(0, 2))).toBe('a café');
  });

  it('appends </w> to the last symbol of each word (published: "toy" → 5988, the bare token "toy" is 14387)', () => {
    expect(folder.encodeTokens('toy')).toEqual([5988]);
    expect(folder.tokenToId('toy')).toBe(14387);
    expect(folder.tokenToId('toy</w>')).toBe(5988);
  });

  it('encodes a batch into [B, 77] int32 tensors', () => {
    const { ids, attentionMask } = folder.encodeBatch(['a photo of a cat', '']);
    expect(ids.dtype).toBe('int32');
    expect(ids.shape).toEqual([2, 77]);
    expect(Array.from(ids.data.subarray(0, 8))).toEqual([...KNOWN[0][1], 49407]);
    expect(Array.from(ids.data.subarray(77, 80))).toEqual([49406, 49407, 49407]);
    expect(Array.from(attentionMask.data.subarray(77, 80))).toEqual([1, 1, 0]);
  });

  it('matches BOS/EOS typed in the text as special tokens', () => {
    expect(folder.encodeTokens('a<|endoftext|>cat')).toEqual([320, 49407, 2368]);
  });

  it('is fast: 200 long prompts in well under a second', () => {
    const prompt = 'masterpiece, best quality, a highly detailed portrait of an astronaut riding a horse on mars, 8k, trending on artstation';
    const start = performance.now();
    for (let i = 0; i < 200; i++) folder.encode(`${prompt} ${i}`);
    expect(performance.now() - start).toBeLessThan(1000);
  });

  it('reads a different pad token from tokenizer_config.json (SD 2.x style "!")', () => {
    const tok = ClipTokenizer.fromFiles({
      'vocab.json': read(`${SD15}/vocab.json`), 'merges.txt': read(`${SD15}/merges.txt`),
      'tokenizer_config.json': JSON.stringify({ pad_token: '!', model_max_length: 10 }),
    });
    expect(tok.encode('a cat')).toEqual({ ids: [49406, 320, 2368, 49407, 0, 0, 0, 0, 0, 0], attentionMask: [1, 1, 1, 1, 0, 0, 0, 0, 0, 0] });
  });
});

describe.runIf(haveTurbo)('ClipTokenizer on the SD-Turbo folder (tokenizer.json only)', () => {
  it('encodes the published ids and reads its special tokens from tokenizer_config.json', async () => {
    const tok = await ClipTokenizer.fromFolder(TURBO);
    for (const [text, expected] of KNOWN) expect(tok.encode(text, { padding: false }).ids).toEqual(expected);
    const config = JSON.parse(readFileSync(`${TURBO}/tokenizer_config.json`, 'utf8')) as { pad_token: string };
    const tokenizerJson = JSON.parse(readFileSync(`${TURBO}/tokenizer.json`, 'utf8')) as { model: { vocab: Record<string, number> } };
    expect(tok.padTokenId).toBe(tokenizerJson.model.vocab[config.pad_token]);
    expect(tok.encode('x').ids).toHaveLength(77);
  });
});

describe.runIf(haveSd15 && haveOpenAi)("consistency with OpenAI's bpe_simple_vocab_16e6.txt.gz", () => {
  it('has the same merges as merges.txt and implies the same vocabulary as vocab.json', async () => {
    const { gunzipSync } = await import('node:zlib');
    const openai = gunzipSync(read(OPENAI_BPE)).toString('utf8').split('\n');
    const openaiMerges = openai.slice(1, 49152 - 256 - 2 + 1);
    const hfMerges = parseMergesText(readFileSync(`${SD15}/merges.txt`, 'utf8'), 'merges.txt').map(([a, b]) => `${a} ${b}`);
    expect(hfMerges).toEqual(openaiMerges);
    const fromOpenAi = ClipTokenizer.fromOpenAiBpe(read(OPENAI_BPE));
    const hf = ClipTokenizer.fromFiles({ 'vocab.json': read(`${SD15}/vocab.json`), 'merges.txt': read(`${SD15}/merges.txt`) });
    const vocab = JSON.parse(readFileSync(`${SD15}/vocab.json`, 'utf8')) as Record<string, number>;
    const sampleIds = [0, 1, 255, 256, 511, 512, 1000, 20000, 49405, 49406, 49407];
    const byId = new Map(Object.entries(vocab).map(([t, i]) => [i, t]));
    expect(fromOpenAi.idsToTokens(sampleIds)).toEqual(sampleIds.map((i) => byId.get(i)));
    expect(fromOpenAi.id).toBe(hf.id);
    for (const text of [...KNOWN.map(([t]) => t), 'Émoji 🐱🚀 and 123 numbers!?', "they're  LOUD"]) {
      expect(fromOpenAi.encode(text, { padding: false }).ids).toEqual(hf.encode(text, { padding: false }).ids);
    }
    expect(fromOpenAi.padTokenId).toBe(0); // clip.tokenize pads with zeros
  });
});

describe('ClipTokenizer errors', () => {
  it('names the folder and the problem', async () => {
    await expect(ClipTokenizer.fromFolder('/nonexistent/tok')).rejects.toThrow(/\/nonexistent\/tok: no tokenizer files found/);
    expect(() => ClipTokenizer.fromFiles({ 'tokenizer.json': '{' }, { source: 'bad' })).toThrow(/file bad\/tokenizer.json is not valid JSON/);
    expect(() => ClipTokenizer.fromFiles({ 'vocab.json': '{"a</w>": 0}', 'merges.txt': '#version: 0.2\na b c\n' }, { source: 'm' }))
      .toThrow(/m\/merges.txt line 2: merge "a b c"/);
    expect(() => ClipTokenizer.fromFiles({ 'vocab.json': '{"a</w>": 0}', 'merges.txt': '' }, { source: 'v' }))
      .toThrow(/v: BOS token "<\|startoftext\|>" is not in the vocabulary/);
    const tiny = ClipTokenizer.fromFiles({
      'vocab.json': JSON.stringify({ 'a</w>': 0, '<|startoftext|>': 1, '<|endoftext|>': 2 }), 'merges.txt': '',
    }, { source: 'tiny' });
    expect(tiny.encodeTokens('a')).toEqual([0]);
    expect(() => tiny.encodeTokens('b')).toThrow(/tiny: token "b<\/w>" of word "b" is not in the vocabulary and there is no unk token/);
  });
});
