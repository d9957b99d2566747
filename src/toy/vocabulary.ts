/**
 * The toy text side: a CLIP-style byte-level BPE tokenizer (Hugging Face `tokenizer.json`,
 * plus `vocab.json` / `merges.txt`) over a small word list, and the meaning of each word as an
 * attribute vector, which is what the toy text encoder's token embedding table holds.
 */
import { BACKGROUND_NAMES, COLOUR_NAMES, SHAPES, type BackgroundName, type ColourName, type ShapeName } from './dataset.ts';

export const MAX_LENGTH = 77;
export const BOS_TOKEN = '<|startoftext|>';
export const EOS_TOKEN = '<|endoftext|>';
const END_OF_WORD = '</w>';

/** Attribute slots of the text embedding: colours, then shapes, then backgrounds; the rest stay zero. */
export const ATTRIBUTES: readonly string[] = [...COLOUR_NAMES, ...SHAPES, ...BACKGROUND_NAMES.map((b) => `on ${b}`)];
/** Width of the text encoder's hidden states (and of the pooled output). */
export const HIDDEN_SIZE = 16;

/** Words that name an attribute (synonyms included). Background colours are words of their own. */
export const WORD_ATTRIBUTES: Readonly<Record<string, number>> = (() => {
  const table: Record<string, number> = {};
  COLOUR_NAMES.forEach((c: ColourName) => (table[c] = ATTRIBUTES.indexOf(c)));
  SHAPES.forEach((s: ShapeName) => (table[s] = ATTRIBUTES.indexOf(s)));
  BACKGROUND_NAMES.forEach((b: BackgroundName) => (table[b] = ATTRIBUTES.indexOf(`on ${b}`)));
  table.violet = table.purple;
  table.plus = table.cross;
  table.disc = table.circle;
  return table;
})();

/** Words the tokenizer knows as single tokens but that carry no attribute. */
export const FILLER_WORDS = [
  'a', 'an', 'the', 'on', 'of', 'in', 'with', 'and', 'background', 'shape', 'picture', 'image', 'photo',
  'drawing', 'simple', 'big', 'small', 'one',
];

export const VOCABULARY_WORDS: readonly string[] = [...Object.keys(WORD_ATTRIBUTES), ...FILLER_WORDS];

/** GPT-2 / CLIP byte-to-unicode table: printable bytes map to themselves, the rest to U+0100 and up. */
export function bytesToUnicode(): string[] {
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n);
      n++;
    }
  }
  const byByte: string[] = new Array(256);
  bs.forEach((b, i) => (byByte[b] = String.fromCodePoint(cs[i])));
  // CLIP lists the base vocabulary in the order of `bs`, not by byte value.
  return bs.map((b) => byByte[b]);
}

/**
 * Learns merges the way BPE training does: repeatedly merge the most frequent adjacent pair
 * (ties broken by the pair's text) until every vocabulary word is one token. Encoding a
 * vocabulary word with these merges, lowest rank first, then yields exactly that word's token.
 */
export function learnMerges(words: readonly string[]): [string, string][] {
  const segs = [...new Set(words)].sort().map((w) => {
    const chars = [...w];
    chars[chars.length - 1] += END_OF_WORD;
    return chars;
  });
  const merges: [string, string][] = [];
  for (;;) {
    const counts = new Map<string, number>();
    for (const s of segs) for (let i = 0; i + 1 < s.length; i++) {
      const key = `${s[i]} ${s[i + 1]}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    if (counts.size === 0) return merges;
    let best = '';
    let bestCount = 0;
    for (const [key, count] of counts) if (count > bestCount || (count === bestCount && key < best)) [best, bestCount] = [key, count];
    const [left, right] = best.split(' ');
    merges.push([left, right]);
    for (const s of segs) {
      for (let i = 0; i + 1 < s.length; i++) {
        if (s[i] === left && s[i + 1] === right) s.splice(i, 2, left + right);
      }
    }
  }
}

export interface ToyTokenizer {
  vocab: Record<string, number>;
  merges: [string, string][];
  bosId: number;
  eosId: number;
}

export function buildTokenizer(): ToyTokenizer {
  const base = bytesToUnicode();
  const tokens = [...base, ...base.map((t) => t + END_OF_WORD)];
  const merges = learnMerges(VOCABULARY_WORDS);
  for (const [a, b] of merges) tokens.push(a + b);
  tokens.push(BOS_TOKEN, EOS_TOKEN);
  const vocab: Record<string, number> = {};
  tokens.forEach((t, i) => {
    if (t in vocab) throw new Error(`toy tokenizer: token "${t}" appears twice`);
    vocab[t] = i;
  });
  return { vocab, merges, bosId: vocab[BOS_TOKEN], eosId: vocab[EOS_TOKEN] };
}

/** The token embedding table [V, HIDDEN_SIZE]: a word naming attribute k embeds as the unit vector e_k. */
export function tokenEmbeddingTable(tok: ToyTokenizer): Float32Array {
  const size = Object.keys(tok.vocab).length;
  const table = new Float32Array(size * HIDDEN_SIZE);
  for (const [word, slot] of Object.entries(WORD_ATTRIBUTES)) {
    const id = tok.vocab[word + END_OF_WORD];
    if (id === undefined) throw new Error(`toy tokenizer: word "${word}" is not a single token`);
    table[id * HIDDEN_SIZE + slot] = 1;
  }
  return table;
}

/** The files of the package's tokenizer/ folder, in the layouts Hugging Face writes. */
export function tokenizerFiles(tok: ToyTokenizer): Record<string, string> {
  const special = (id: number, content: string, normalized: boolean) => ({
    id, content, single_word: false, lstrip: false, rstrip: false, normalized, special: true,
  });
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(tok.bosId, BOS_TOKEN, true), special(tok.eosId, EOS_TOKEN, false)],
    normalizer: {
      type: 'Sequence',
      normalizers: [{ type: 'NFC' }, { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' }, { type: 'Lowercase' }],
    },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        {
          type: 'Split',
          pattern: { Regex: "'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+" },
          behavior: 'Removed',
          invert: true,
        },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
      ],
    },
    post_processor: {
      type: 'RobertaProcessing',
      sep: [EOS_TOKEN, tok.eosId],
      cls: [BOS_TOKEN, tok.bosId],
      trim_offsets: false,
      add_prefix_space: false,
    },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: EOS_TOKEN,
      continuing_subword_prefix: '',
      end_of_word_suffix: END_OF_WORD,
      fuse_unk: false,
      byte_fallback: false,
      vocab: tok.vocab,
      merges: tok.merges.map(([a, b]) => `${a} ${b}`),
    },
  };
  const addedToken = (content: string) => ({ __type: 'AddedToken', content, lstrip: false, normalized: true, rstrip: false, single_word: false });
  const config = {
    add_prefix_space: false,
    bos_token: addedToken(BOS_TOKEN),
    clean_up_tokenization_spaces: true,
    do_lower_case: true,
    eos_token: addedToken(EOS_TOKEN),
    errors: 'replace',
    model_max_length: MAX_LENGTH,
    pad_token: EOS_TOKEN,
    tokenizer_class: 'CLIPTokenizer',
    unk_token: addedToken(EOS_TOKEN),
  };
  const specialMap = { bos_token: BOS_TOKEN, eos_token: EOS_TOKEN, pad_token: EOS_TOKEN, unk_token: EOS_TOKEN };
  return {
    'tokenizer.json': JSON.stringify(tokenizerJson, null, 2) + '\n',
    'tokenizer_config.json': JSON.stringify(config, null, 2) + '\n',
    'special_tokens_map.json': JSON.stringify(specialMap, null, 2) + '\n',
    'vocab.json': JSON.stringify(tok.vocab) + '\n',
    'merges.txt': ['#version: 0.2', ...tok.merges.map(([a, b]) => `${a} ${b}`)].join('\n') + '\n',
  };
}

/**
 * A reference tokenizer for the toy vocabulary and ASCII text only (CLIP's pre-tokenizer split,
 * BPE by merge rank), used by the builder's own checks and as an independent check of the
 * project's CLIP tokenizer on the generated files.
 */
export function tokenizeReference(tok: ToyTokenizer, text: string): number[] {
  const ranks = new Map(tok.merges.map(([a, b], i) => [`${a} ${b}`, i]));
  const ids = [tok.bosId];
  for (const word of text.toLowerCase().match(/'s|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\s\p{L}\p{N}]+/gu) ?? []) {
    const parts = [...word];
    parts[parts.length - 1] += END_OF_WORD;
    for (;;) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < parts.length; i++) {
        const r = ranks.get(`${parts[i]} ${parts[i + 1]}`);
        if (r !== undefined && r < bestRank) [best, bestRank] = [i, r];
      }
      if (best < 0) break;
      parts.splice(best, 2, parts[best] + parts[best + 1]);
    }
    for (const p of parts) ids.push(tok.vocab[p]);
  }
  ids.push(tok.eosId);
  const out = ids.slice(0, MAX_LENGTH);
  out[out.length - 1] = tok.eosId;
  while (out.length < MAX_LENGTH) out.push(tok.eosId);
  return out;
}
