/**
 * Byte-pair encoding by merge rank: a word starts as its symbols (the last one carrying the
 * end-of-word suffix) and the adjacent pair with the lowest rank is merged everywhere, again and
 * again, until no listed pair is left. Results are cached per word: prompts repeat words a lot.
 */
export class BpeModel {
  private readonly ranks: Map<string, number>;
  private readonly cache = new Map<string, readonly string[]>();
  private static readonly CACHE_LIMIT = 50_000;

  constructor(
    merges: readonly (readonly [string, string])[],
    readonly endOfWordSuffix: string,
  ) {
    this.ranks = new Map();
    merges.forEach(([a, b], rank) => {
      const key = `${a} ${b}`;
      if (!this.ranks.has(key)) this.ranks.set(key, rank);
    });
  }

  get mergeCount(): number {
    return this.ranks.size;
  }

  /** The BPE symbols of one pre-token given as its base symbols (byte-level characters). */
  apply(symbols: readonly string[]): readonly string[] {
    if (symbols.length === 0) return [];
    const word = symbols.join('');
    const cached = this.cache.get(word);
    if (cached) return cached;
    let parts = [...symbols];
    parts[parts.length - 1] += this.endOfWordSuffix;
    while (parts.length > 1) {
      let bestRank = Infinity;
      let bestKey = '';
      for (let i = 0; i + 1 < parts.length; i++) {
        const key = `${parts[i]} ${parts[i + 1]}`;
        const rank = this.ranks.get(key);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          bestKey = key;
        }
      }
      if (bestRank === Infinity) break;
      const merged: string[] = [];
      for (let i = 0; i < parts.length; i++) {
        if (i + 1 < parts.length && `${parts[i]} ${parts[i + 1]}` === bestKey) {
          merged.push(parts[i] + parts[i + 1]);
          i++;
        } else {
          merged.push(parts[i]);
        }
      }
      parts = merged;
    }
    if (this.cache.size >= BpeModel.CACHE_LIMIT) this.cache.clear();
    this.cache.set(word, parts);
    return parts;
  }
}
