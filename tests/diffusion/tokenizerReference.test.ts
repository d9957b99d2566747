/**
 * ClipTokenizer against Hugging Face's own JavaScript port of its tokenizers library
 * (@huggingface/tokenizers, an independent implementation of tokenizer.json), on the SD-Turbo
 * CLIP tokenizer and on the toy model's tokenizer: fixed tricky prompts and random text.
 */
import { existsSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { Tokenizer } from '@huggingface/tokenizers';
import { ClipTokenizer } from '../../src/diffusion/clipTokenizer.ts';
import { buildTokenizer, tokenizerFiles } from '../../src/toy/vocabulary.ts';

const TURBO = '../shared/data/clip-tokenizer-sd-turbo';
const haveTurbo = existsSync(`${TURBO}/tokenizer.json`);
if (!haveTurbo) console.warn(`SKIP: ${TURBO} is absent; the comparison with @huggingface/tokenizers on a real vocabulary is skipped`);

const PROMPTS = [
  'a photo of a cat', 'An astronaut riding a horse', 'how are you doing?',
  'Café crème 🐱 naïve Ünïcödé 猫 ßtraße', "it's don't I'LL we'VE they're", '  multiple   spaces\tand\nnewlines  ',
  'masterpiece, best quality, (ultra-detailed:1.2), 8k, HDR, trending on ArtStation', 'numbers 12345 3.14159 1,000,000 2024-01-01',
  '🚀🔥💯 emoji 👩‍👩‍👧‍👦 family 🇫🇷 flag', 'Ελληνικά ΣΊΣΥΦΟΣ', 'Русский текст', 'العربية', 'हिन्दी', '日本語のテキスト、カタカナ', '한국어',
  'punctuation!!! ??? ... --- ___ *** ### $$$ %%% &&& @@@', '<html>&amp; "quotes" \'single\' `back`', 'x'.repeat(300),
  'supercalifragilisticexpialidocious antidisestablishmentarianism', 'e\u0301 composed vs é', 'ﬁ ligature ① circled ² superscript',
  'tab\tseparated\u00a0nbsp\u2003emspace\u3000ideographic', 'mixed\'quotes’ and “smart” ones', 'C++ C# .NET node.js', '',
];

function compare(reference: Tokenizer, mine: ClipTokenizer, text: string): void {
  expect(mine.encode(text, { padding: false, truncation: false }).ids, JSON.stringify(text)).toEqual(reference.encode(text).ids);
}

describe.runIf(haveTurbo)('ClipTokenizer vs @huggingface/tokenizers (SD-Turbo CLIP tokenizer.json)', () => {
  let reference: Tokenizer;
  let mine: ClipTokenizer;
  beforeAll(async () => {
    reference = new Tokenizer(JSON.parse(readFileSync(`${TURBO}/tokenizer.json`, 'utf8')), JSON.parse(readFileSync(`${TURBO}/tokenizer_config.json`, 'utf8')));
    mine = await ClipTokenizer.fromFolder(TURBO);
  });

  it.each(PROMPTS.map((p) => [JSON.stringify(p).slice(0, 40), p]))('same ids for %s', (_label, text) => compare(reference, mine, text));

  it('same ids for random text (ASCII, Latin, any Unicode)', () => {
    const alphabet = fc.constantFrom(...'aeiou xyz,.!?\'"-_0123456789 éèçñßœ ΑΣσς Жж 猫犬 😀🐱 \t\n'.split(''));
    fc.assert(fc.property(fc.string({ unit: alphabet, maxLength: 60 }), (text) => compare(reference, mine, text)), { numRuns: 300 });
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 30 }), (text) => compare(reference, mine, text)), { numRuns: 300 });
  });
});

describe("ClipTokenizer vs @huggingface/tokenizers (the toy model's tokenizer.json)", () => {
  it('same ids for toy prompts and random text', () => {
    const files = tokenizerFiles(buildTokenizer());
    const reference = new Tokenizer(JSON.parse(files['tokenizer.json']), JSON.parse(files['tokenizer_config.json']));
    const mine = ClipTokenizer.fromFiles({ 'tokenizer.json': files['tokenizer.json'], 'tokenizer_config.json': files['tokenizer_config.json'] });
    for (const text of ['a red circle', 'A big BLUE square on a green background', 'purple triangles!', 'unknown words too', '']) compare(reference, mine, text);
    fc.assert(fc.property(fc.string({ unit: 'grapheme-ascii', maxLength: 40 }), (text) => compare(reference, mine, text)), { numRuns: 200 });
  });
});
