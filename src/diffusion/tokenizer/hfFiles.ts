/**
 * Reading a Hugging Face tokenizer folder: `vocab.json` + `merges.txt` (the "slow" files, also
 * OpenAI's `bpe_simple_vocab_16e6.txt(.gz)` merge list) or `tokenizer.json` (the "fast" file),
 * plus `tokenizer_config.json` / `special_tokens_map.json` for the special tokens and length.
 */
import { gunzipSync } from 'fflate';
import { byteLevelAlphabet } from './byteLevel.ts';

export type TokenizerFileContent = string | Uint8Array;

/** The files of a tokenizer folder, by file name; any may be missing. */
export interface TokenizerFiles {
  'vocab.json'?: TokenizerFileContent;
  'merges.txt'?: TokenizerFileContent;
  'tokenizer.json'?: TokenizerFileContent;
  'tokenizer_config.json'?: TokenizerFileContent;
  'special_tokens_map.json'?: TokenizerFileContent;
}

export const TOKENIZER_FILE_NAMES = ['tokenizer.json', 'vocab.json', 'merges.txt', 'tokenizer_config.json', 'special_tokens_map.json'] as const;

/** What the tokenizer needs, whichever files it came from. */
export interface TokenizerDefinition {
  vocab: Map<string, number>;
  merges: [string, string][];
  endOfWordSuffix: string;
  /** Special tokens by role (content strings); undefined where the files name none. */
  bosToken?: string;
  eosToken?: string;
  padToken?: string;
  unkToken?: string;
  /** Tokens matched whole in the text before BPE (HF "added tokens"), content → id. */
  addedTokens: Map<string, number>;
  modelMaxLength?: number;
}

export function fileText(content: TokenizerFileContent): string {
  if (typeof content === 'string') return content;
  const gzip = content.length > 2 && content[0] === 0x1f && content[1] === 0x8b;
  return new TextDecoder().decode(gzip ? gunzipSync(content) : content);
}

function parseJson(content: TokenizerFileContent, name: string, source: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(fileText(content));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Not the parser's message: it quotes the text, and the file may be something else entirely.
    throw new Error(`file ${source}/${name} is not valid JSON`);
  }
  throw new Error(`${source}/${name}: expected a JSON object`);
}

/** A special token entry: a plain string or an AddedToken object `{ content }`. */
function tokenContent(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  return undefined;
}

function splitMerge(line: string, where: string): [string, string] {
  const parts = line.split(' ');
  if (parts.length !== 2 || !parts[0] || !parts[1]) throw new Error(`${where}: merge "${line}" is not two symbols separated by one space`);
  return [parts[0], parts[1]];
}

/** merges.txt: an optional `#version` header, then one "a b" pair per line. */
export function parseMergesText(text: string, where: string): [string, string][] {
  const lines = text.split('\n');
  const merges: [string, string][] = [];
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (i === 0 && line.startsWith('#version')) return;
    if (line.length === 0) return;
    merges.push(splitMerge(line, `${where} line ${i + 1}`));
  });
  return merges;
}

function parseVocab(value: unknown, where: string): Map<string, number> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${where}: vocabulary must be an object of token → id`);
  const vocab = new Map<string, number>();
  for (const [token, id] of Object.entries(value as Record<string, unknown>)) {
    if (!Number.isInteger(id) || (id as number) < 0) throw new Error(`${where}: token ${JSON.stringify(token)} has invalid id ${JSON.stringify(id)}`);
    vocab.set(token, id as number);
  }
  if (vocab.size === 0) throw new Error(`${where}: vocabulary is empty`);
  return vocab;
}

function roleTokens(config: Record<string, unknown> | undefined): Pick<TokenizerDefinition, 'bosToken' | 'eosToken' | 'padToken' | 'unkToken'> {
  if (!config) return {};
  return {
    bosToken: tokenContent(config.bos_token),
    eosToken: tokenContent(config.eos_token),
    padToken: tokenContent(config.pad_token),
    unkToken: tokenContent(config.unk_token),
  };
}

/** Builds the definition from whichever files are present; `source` names the folder in errors. */
export function readTokenizerFiles(files: TokenizerFiles, source = 'tokenizer'): TokenizerDefinition {
  let vocab: Map<string, number>;
  let merges: [string, string][];
  let endOfWordSuffix = '</w>';
  const addedTokens = new Map<string, number>();
  let fromFast: Pick<TokenizerDefinition, 'bosToken' | 'eosToken' | 'modelMaxLength' | 'padToken' | 'unkToken'> = {};

  if (files['vocab.json'] !== undefined && files['merges.txt'] !== undefined) {
    vocab = parseVocab(parseJson(files['vocab.json'], 'vocab.json', source), `${source}/vocab.json`);
    merges = parseMergesText(fileText(files['merges.txt']), `${source}/merges.txt`);
  } else if (files['tokenizer.json'] !== undefined) {
    const fast = parseJson(files['tokenizer.json'], 'tokenizer.json', source);
    const model = fast.model as Record<string, unknown> | undefined;
    const where = `${source}/tokenizer.json`;
    if (!model || typeof model !== 'object') throw new Error(`${where}: no "model" section`);
    if (model.type !== undefined && model.type !== 'BPE') throw new Error(`${where}: model type "${String(model.type)}" is not BPE`);
    vocab = parseVocab(model.vocab, `${where} model.vocab`);
    if (!Array.isArray(model.merges)) throw new Error(`${where}: model.merges must be a list`);
    merges = model.merges.map((m: unknown, i: number) => {
      if (typeof m === 'string') return splitMerge(m, `${where} merge ${i}`);
      if (Array.isArray(m) && m.length === 2 && typeof m[0] === 'string' && typeof m[1] === 'string') return [m[0], m[1]] as [string, string];
      throw new Error(`${where}: merge ${i} is neither "a b" nor ["a", "b"]`);
    });
    if (typeof model.end_of_word_suffix === 'string') endOfWordSuffix = model.end_of_word_suffix;
    for (const entry of Array.isArray(fast.added_tokens) ? fast.added_tokens : []) {
      const e = entry as { content?: unknown; id?: unknown };
      if (typeof e.content === 'string' && Number.isInteger(e.id)) addedTokens.set(e.content, e.id as number);
    }
    const post = fast.post_processor as { type?: string; cls?: unknown[]; sep?: unknown[] } | undefined;
    if (post?.type === 'RobertaProcessing' || post?.type === 'BertProcessing') {
      fromFast.bosToken = typeof post.cls?.[0] === 'string' ? post.cls[0] : undefined;
      fromFast.eosToken = typeof post.sep?.[0] === 'string' ? post.sep[0] : undefined;
    }
    if (typeof model.unk_token === 'string') fromFast.unkToken = model.unk_token;
    const truncation = fast.truncation as { max_length?: unknown } | null | undefined;
    if (truncation && Number.isInteger(truncation.max_length)) fromFast.modelMaxLength = truncation.max_length as number;
    const padding = fast.padding as { pad_token?: unknown } | null | undefined;
    if (padding && typeof padding.pad_token === 'string') fromFast.padToken = padding.pad_token;
  } else {
    throw new Error(`${source}: no tokenizer files found (need tokenizer.json, or vocab.json and merges.txt)`);
  }

  const config = files['tokenizer_config.json'] !== undefined ? parseJson(files['tokenizer_config.json'], 'tokenizer_config.json', source) : undefined;
  const specialMap = files['special_tokens_map.json'] !== undefined ? parseJson(files['special_tokens_map.json'], 'special_tokens_map.json', source) : undefined;
  // Precedence: tokenizer_config.json, then special_tokens_map.json, then tokenizer.json.
  const roles = { ...fromFast, ...definedOnly(roleTokens(specialMap)), ...definedOnly(roleTokens(config)) };
  const configLength = config?.model_max_length;
  // Transformers writes a huge sentinel (1e30) when a model has no limit; ignore that.
  const modelMaxLength = Number.isInteger(configLength) && (configLength as number) > 0 && (configLength as number) < 1e6
    ? (configLength as number) : fromFast.modelMaxLength;
  return { vocab, merges, endOfWordSuffix, addedTokens, ...roles, modelMaxLength };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Merges in OpenAI's `bpe_simple_vocab_16e6.txt`: 49152 − 256 − 2 of them after the header line. */
const OPENAI_MERGE_COUNT = 49152 - 256 - 2;

/**
 * OpenAI CLIP's original BPE file (`bpe_simple_vocab_16e6.txt.gz`, gzipped or not). Its vocabulary
 * is implied: the 256 byte-level characters, the same with `</w>`, one token per merge in order,
 * then `<|startoftext|>` and `<|endoftext|>`.
 */
export function readOpenAiBpe(content: TokenizerFileContent, source = 'bpe_simple_vocab_16e6.txt'): TokenizerDefinition {
  const lines = fileText(content).split('\n');
  const merges = lines.slice(1, 1 + OPENAI_MERGE_COUNT).map((line, i) => splitMerge(line.replace(/\r$/, ''), `${source} line ${i + 2}`));
  if (merges.length !== OPENAI_MERGE_COUNT) throw new Error(`${source}: expected ${OPENAI_MERGE_COUNT} merges, found ${merges.length}`);
  const alphabet = byteLevelAlphabet();
  const tokens = [...alphabet, ...alphabet.map((c) => `${c}</w>`), ...merges.map(([a, b]) => a + b), '<|startoftext|>', '<|endoftext|>'];
  const vocab = new Map(tokens.map((t, i) => [t, i] as const));
  return {
    vocab, merges, endOfWordSuffix: '</w>', addedTokens: new Map(),
    // OpenAI's clip.tokenize pads with zeros, i.e. with token 0 ("!").
    bosToken: '<|startoftext|>', eosToken: '<|endoftext|>', padToken: alphabet[0], unkToken: '<|endoftext|>', modelMaxLength: 77,
  };
}
