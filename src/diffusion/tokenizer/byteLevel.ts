/**
 * The byte-level alphabet of GPT-2 and CLIP BPE: each of the 256 byte values is drawn as one
 * printable character, so any UTF-8 text becomes a string over a fixed 256-symbol base vocabulary
 * (printable Latin-1 bytes stand for themselves; the others map to U+0100 upwards in byte order).
 */

function buildTables(): { toChar: string[]; toByte: Map<string, number> } {
  const printable = (b: number): boolean => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const toChar = new Array<string>(256);
  let next = 256;
  for (let b = 0; b < 256; b++) toChar[b] = String.fromCodePoint(printable(b) ? b : next++);
  const toByte = new Map(toChar.map((c, b) => [c, b] as const));
  return { toChar, toByte };
}

const { toChar, toByte } = buildTables();

/**
 * The 256 byte-level characters in the order OpenAI's CLIP vocabulary lists them: printable
 * bytes first, then the remapped ones (each group by byte value).
 */
export function byteLevelAlphabet(): string[] {
  const printable = toChar.filter((c) => c.codePointAt(0)! < 256);
  const remapped = toChar.filter((c) => c.codePointAt(0)! >= 256);
  return [...printable, ...remapped];
}
const encoder = new TextEncoder();

/** UTF-8 bytes of `text`, each drawn as its byte-level character. */
export function toByteLevel(text: string): string[] {
  const bytes = encoder.encode(text);
  const out = new Array<string>(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = toChar[bytes[i]];
  return out;
}

/** Byte-level characters back to text (invalid UTF-8 becomes U+FFFD, as HF's errors="replace"). */
export function fromByteLevel(symbols: string): string {
  const bytes: number[] = [];
  for (const ch of symbols) {
    const b = toByte.get(ch);
    if (b !== undefined) bytes.push(b);
    else bytes.push(...encoder.encode(ch));
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}
