/**
 * Where converted models (checkpoints and TF.js models turned into ONNX) are kept between runs,
 * keyed by the source's sha256 and the conversion's purpose, so the second load of the same
 * weights is a file read, not a conversion: `<cache>/converted/` in Node (`$LATENTLOOM_CACHE` or
 * `~/.cache/latentloom`), the Cache API in the browser. A store that fails (read-only disk,
 * private browsing) is skipped: the model is converted again.
 */
export interface ConvertedStore {
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, onnx: Uint8Array): Promise<void>;
}

/** Keys are `<64 hex>:<purpose>`; the file name keeps only safe characters. */
export function convertedFileName(key: string): string {
  return `${key.replace(/[^a-zA-Z0-9._-]+/g, '_').replace(/^\.+/, '').slice(0, 160)}.onnx`;
}

let store: Promise<ConvertedStore | undefined> | undefined;

/** Replaces the store (tests; `undefined` goes back to the default, `null` turns it off). */
export function setConvertedStore(next: ConvertedStore | null | undefined): void {
  store = next === undefined ? undefined : Promise.resolve(next ?? undefined);
}

export function convertedStore(): Promise<ConvertedStore | undefined> {
  return (store ??= defaultStore());
}

async function defaultStore(): Promise<ConvertedStore | undefined> {
  if (typeof process !== 'undefined' && process.versions?.node) {
    const { nodeConvertedStore } = await import('./node/convertedFiles.ts');
    return nodeConvertedStore();
  }
  const caches = (globalThis as { caches?: CacheStorage }).caches;
  if (!caches) return undefined;
  const name = 'latentloom-converted-v1';
  const url = (key: string) => `https://converted.latentloom.invalid/${convertedFileName(key)}`;
  return {
    async get(key) {
      const hit = await (await caches.open(name)).match(url(key));
      return hit ? new Uint8Array(await hit.arrayBuffer()) : undefined;
    },
    async put(key, onnx) {
      await (await caches.open(name)).put(url(key), new Response(onnx as BodyInit));
    },
  };
}
