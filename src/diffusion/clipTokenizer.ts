/**
 * CLIP's byte-level BPE tokenizer, as Stable Diffusion pipelines use it, reading Hugging Face
 * tokenizer folders. Text goes through the CLIP pipeline of `tokenizer.json`'s fast tokenizer:
 * NFC, whitespace runs → one space, lower case, the CLIP pre-tokenizer pattern (contractions,
 * letter runs, single digits, other non-space runs), UTF-8 bytes as byte-level characters, BPE
 * with the `</w>` end-of-word suffix. Special tokens (BOS, EOS, pad, unk) and the model length
 * come from the folder's files, never from constants.
 */
import { BpeModel } from './tokenizer/bpe.ts';
import { fromByteLevel, toByteLevel } from './tokenizer/byteLevel.ts';
import { Tensor } from '../tensor/tensor.ts';
import {
  readOpenAiBpe,
  readTokenizerFiles,
  TOKENIZER_FILE_NAMES,
  type TokenizerDefinition,
  type TokenizerFiles,
} from './tokenizer/hfFiles.ts';

export type { TokenizerFiles } from './tokenizer/hfFiles.ts';

const DEFAULT_BOS = '<|startoftext|>';
const DEFAULT_EOS = '<|endoftext|>';
const DEFAULT_MAX_LENGTH = 77;
/** CLIP's pre-tokenizer: contractions, letter runs, single digits, runs of anything else but space. */
const PRE_TOKENIZER = /'s|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\p{White_Space}\p{L}\p{N}]+/gu;
const WHITESPACE_RUN = /\p{White_Space}+/gu;

export interface EncodeOptions {
  /** Length to truncate and pad to (default: the folder's `model_max_length`, else 77). */
  maxLength?: number;
  /** Pad to `maxLength` with the pad token (default true). */
  padding?: boolean;
  /** Cut to `maxLength`, keeping EOS last (default true). */
  truncation?: boolean;
}

export interface EncodedText {
  ids: number[];
  /** 1 for BOS, text tokens and EOS; 0 for padding. */
  attentionMask: number[];
}

/** Reads a file given its path (Node's fs, a host service, fetch…). */
export type ReadFile = (path: string) => Promise<Uint8Array | string>;

export interface FromFolderOptions {
  /** How to read files; defaults to node:fs (Node only). */
  readFile?: ReadFile;
}

function hashStrings(parts: Iterable<string>): string {
  // FNV-1a over the merge list: a cheap fingerprint telling tokenizers apart.
  let h = 0x811c9dc5;
  for (const s of parts) {
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 10, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

export class ClipTokenizer {
  readonly bosTokenId: number;
  readonly eosTokenId: number;
  readonly padTokenId: number;
  readonly unkTokenId: number | undefined;
  /** Length of encoded sequences, BOS and EOS included (77 for CLIP). */
  readonly modelMaxLength: number;
  /** Fingerprint of the vocabulary and merges: equal tokenizers have equal ids. */
  readonly id: string;
  private readonly bpe: BpeModel;
  private readonly vocab: Map<string, number>;
  private readonly tokensById: Map<number, string>;
  private readonly addedTokens: Map<string, number>;
  private readonly specialPattern: RegExp | undefined;

  constructor(definition: TokenizerDefinition, readonly source = 'tokenizer') {
    this.vocab = definition.vocab;
    this.addedTokens = new Map(definition.addedTokens);
    this.bpe = new BpeModel(definition.merges, definition.endOfWordSuffix);
    const idOf = (role: string, token: string | undefined, fallback?: string): number | undefined => {
      const name = token ?? fallback;
      if (name === undefined) return undefined;
      const id = this.addedTokens.get(name) ?? this.vocab.get(name);
      if (id === undefined) throw new Error(`${source}: ${role} token ${JSON.stringify(name)} is not in the vocabulary`);
      return id;
    };
    const bosName = definition.bosToken ?? DEFAULT_BOS;
    const eosName = definition.eosToken ?? DEFAULT_EOS;
    this.bosTokenId = idOf('BOS', bosName)!;
    this.eosTokenId = idOf('EOS', eosName)!;
    this.padTokenId = idOf('pad', definition.padToken, eosName)!;
    this.unkTokenId = idOf('unk', definition.unkToken);
    // BOS/EOS typed into a prompt are matched whole, as added tokens are in HF tokenizers.
    this.addedTokens.set(bosName, this.bosTokenId);
    this.addedTokens.set(eosName, this.eosTokenId);
    const escaped = [...this.addedTokens.keys()].sort((a, b) => b.length - a.length).map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    this.specialPattern = escaped.length > 0 ? new RegExp(`(${escaped.join('|')})`, 'u') : undefined;
    this.modelMaxLength = definition.modelMaxLength ?? DEFAULT_MAX_LENGTH;
    if (!Number.isInteger(this.modelMaxLength) || this.modelMaxLength < 2) {
      throw new Error(`${source}: model_max_length ${this.modelMaxLength} must be an integer ≥ 2`);
    }
    this.tokensById = new Map([...this.vocab].map(([t, i]) => [i, t] as const));
    for (const [t, i] of this.addedTokens) this.tokensById.set(i, t);
    this.id = `clip-bpe-${this.vocab.size}-${hashStrings(definition.merges.map(([a, b]) => `${a} ${b}`))}`;
  }

  /** From file contents (strings or bytes; `.gz` bytes are inflated), anywhere. */
  static fromFiles(files: TokenizerFiles, options: { source?: string } = {}): ClipTokenizer {
    const source = options.source ?? 'tokenizer';
    return new ClipTokenizer(readTokenizerFiles(files, source), source);
  }

  /** From OpenAI CLIP's `bpe_simple_vocab_16e6.txt(.gz)` (length 77, padded with id 0 like OpenAI's `clip.tokenize`). */
  static fromOpenAiBpe(content: string | Uint8Array, options: { source?: string } = {}): ClipTokenizer {
    const source = options.source ?? 'bpe_simple_vocab_16e6.txt';
    return new ClipTokenizer(readOpenAiBpe(content, source), source);
  }

  /** From a Hugging Face tokenizer folder. Files that do not exist are skipped. */
  static async fromFolder(folder: string, options: FromFolderOptions = {}): Promise<ClipTokenizer> {
    const readFile = options.readFile ?? (await nodeReadFile());
    const base = folder.replace(/[\\/]+$/, '');
    const files: TokenizerFiles = {};
    await Promise.all(TOKENIZER_FILE_NAMES.map(async (name) => {
      try {
        files[name] = await readFile(`${base}/${name}`);
      } catch (e) {
        const code = (e as { code?: string }).code;
        // A missing file is normal (folders hold one layout or the other); other errors are not.
        if (code !== undefined && code !== 'ENOENT') throw new Error(`${base}/${name}: ${(e as Error).message}`);
      }
    }));
    return ClipTokenizer.fromFiles(files, { source: base });
  }

  /** Number of distinct token ids (vocabulary plus added tokens). */
  get vocabSize(): number {
    return this.tokensById.size;
  }

  /** CLIP text normalization: NFC, whitespace runs to one space, trimmed, lower case. */
  normalize(text: string): string {
    return text.normalize('NFC').replace(WHITESPACE_RUN, ' ').trim().toLowerCase();
  }

  /** Token ids of `text` without BOS, EOS or padding (for prompt weighting and chunking). */
  encodeTokens(text: string): number[] {
    if (typeof text !== 'string') throw new Error(`${this.source}: text to tokenize must be a string, got ${typeof text}`);
    const ids: number[] = [];
    const pieces = this.specialPattern ? text.split(this.specialPattern) : [text];
    pieces.forEach((piece, i) => {
      if (i % 2 === 1) {
        ids.push(this.addedTokens.get(piece)!);
        return;
      }
      for (const word of this.normalize(piece).match(PRE_TOKENIZER) ?? []) {
        for (const symbol of this.bpe.apply(toByteLevel(word))) ids.push(this.symbolId(symbol, word));
      }
    });
    return ids;
  }

  private symbolId(symbol: string, word: string): number {
    const id = this.vocab.get(symbol);
    if (id !== undefined) return id;
    if (this.unkTokenId !== undefined) return this.unkTokenId;
    throw new Error(`${this.source}: token ${JSON.stringify(symbol)} of word ${JSON.stringify(word)} is not in the vocabulary and there is no unk token`);
  }

  /** BOS + tokens + EOS, truncated (EOS kept last) and padded to the model length, with the attention mask. */
  encode(text: string, options: EncodeOptions = {}): EncodedText {
    const length = options.maxLength ?? this.modelMaxLength;
    if (!Number.isInteger(length) || length < 2) throw new Error(`${this.source}: maxLength ${length} must be an integer ≥ 2`);
    let tokens = this.encodeTokens(text);
    if (options.truncation !== false && tokens.length > length - 2) tokens = tokens.slice(0, length - 2);
    const ids = [this.bosTokenId, ...tokens, this.eosTokenId];
    const attentionMask = new Array<number>(ids.length).fill(1);
    if (options.padding !== false) {
      while (ids.length < length) {
        ids.push(this.padTokenId);
        attentionMask.push(0);
      }
    }
    return { ids, attentionMask };
  }

  /** Several texts as [B, L] int32 tensors of ids and attention mask (padded to the model length). */
  encodeBatch(texts: readonly string[], options: Omit<EncodeOptions, 'padding' | 'truncation'> = {}): { ids: Tensor<'int32'>; attentionMask: Tensor<'int32'> } {
    if (texts.length === 0) throw new Error(`${this.source}: encodeBatch needs at least one text`);
    const length = options.maxLength ?? this.modelMaxLength;
    const ids = new Int32Array(texts.length * length);
    const mask = new Int32Array(texts.length * length);
    texts.forEach((text, b) => {
      const encoded = this.encode(text, { maxLength: length });
      ids.set(encoded.ids, b * length);
      mask.set(encoded.attentionMask, b * length);
    });
    return { ids: new Tensor('int32', [texts.length, length], ids), attentionMask: new Tensor('int32', [texts.length, length], mask) };
  }

  /** The id of one vocabulary entry (e.g. "toy" vs "toy</w>"), or undefined. */
  tokenToId(token: string): number | undefined {
    return this.addedTokens.get(token) ?? this.vocab.get(token);
  }

  /** Token strings of ids (for display and debugging). */
  idsToTokens(ids: readonly number[]): string[] {
    return ids.map((id) => {
      const token = this.tokensById.get(id);
      if (token === undefined) throw new Error(`${this.source}: token id ${id} is out of the vocabulary`);
      return token;
    });
  }

  /** Text of ids: byte-level symbols back to UTF-8, `</w>` to spaces; special tokens dropped unless asked. */
  decode(ids: readonly number[], options: { keepSpecialTokens?: boolean } = {}): string {
    const special = new Set([this.bosTokenId, this.eosTokenId, this.padTokenId]);
    const kept = options.keepSpecialTokens ? [...ids] : ids.filter((id) => !special.has(id));
    const suffix = this.bpe.endOfWordSuffix;
    const text = this.idsToTokens(kept).map((t) => (this.addedTokens.has(t) ? ` ${t} ` : t)).join('');
    return (suffix ? fromByteLevel(text.split(suffix).join(' ')) : fromByteLevel(text)).replace(/ +/g, ' ').trim();
  }
}

async function nodeReadFile(): Promise<ReadFile> {
  const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  if (!isNode) throw new Error('ClipTokenizer.fromFolder needs a readFile function outside Node (or use fromFiles)');
  // A computed specifier keeps browser bundlers from trying to resolve node:fs.
  const moduleName = 'node:fs/promises';
  const fs = (await import(/* @vite-ignore */ moduleName)) as typeof import('node:fs/promises');
  return (path) => fs.readFile(path);
}
