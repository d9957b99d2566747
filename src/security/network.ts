/**
 * Which network addresses a graph may make LatentLoom fetch from. Graph files are untrusted: an
 * `image/load` source or a model package URL must not reach the user's own machine, the local
 * network, or a cloud metadata service (server-side request forgery). These helpers are pure and
 * run in Node and the browser; the Node fetch that resolves hostnames and checks every address
 * lives in ./nodeFetch.ts.
 */

/** `none`: no fetch at all; `models`: model packages and images a graph names; `all`: also any other fetch. */
export type NetworkMode = 'none' | 'models' | 'all';

/** What a fetch is for: messages say "model download", "image download". */
export type FetchPurpose = 'model' | 'image' | 'other';

export interface NetworkPolicy {
  mode: NetworkMode;
  /** Lets loopback, private, link-local and CGNAT addresses through (metadata addresses never). */
  allowPrivateNetwork: boolean;
  /** Time to get response headers (DNS, connect, first byte), in ms. */
  connectTimeoutMs: number;
  /** Longest wait for the next body byte, in ms. */
  idleTimeoutMs: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
export const MAX_REDIRECTS = 5;

export function defaultNetworkPolicy(overrides: Partial<NetworkPolicy> = {}): NetworkPolicy {
  return {
    mode: 'models',
    allowPrivateNetwork: false,
    connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
    idleTimeoutMs: DEFAULT_IDLE_TIMEOUT_MS,
    ...overrides,
  };
}

/** Why a fetch was not made: `network-off` (mode none / purpose not allowed) or `address` (refused host). */
export class NetworkRefusedError extends Error {
  readonly code = 'network-refused';
  constructor(message: string, readonly reason: 'network-off' | 'address' | 'scheme' | 'redirects') {
    super(message);
    this.name = 'NetworkRefusedError';
  }
}

export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'cgnat'
  | 'unspecified'
  | 'metadata'
  | 'multicast'
  | 'reserved';

/** Classes `--allow-private-network` lets through. */
const PRIVATE_CLASSES: ReadonlySet<AddressClass> = new Set(['loopback', 'private', 'link-local', 'cgnat']);

const DESCRIBE: Record<AddressClass, string> = {
  public: 'a public address',
  loopback: 'a loopback address (this machine)',
  private: 'a private-network address',
  'link-local': 'a link-local address',
  cgnat: 'a carrier-grade NAT (shared) address',
  unspecified: 'the unspecified address',
  metadata: 'a cloud metadata service address',
  multicast: 'a multicast address',
  reserved: 'a reserved address',
};

/** Dotted-quad IPv4 → four bytes; undefined when `s` is not one. */
export function parseIPv4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
  return bytes.every((b) => Number.isInteger(b) && b >= 0 && b <= 255) ? bytes : undefined;
}

/** IPv6 text (optionally bracketed, with a zone or an embedded IPv4 tail) → eight 16-bit groups. */
export function parseIPv6(text: string): number[] | undefined {
  let s = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (!s.includes(':')) return undefined;
  const lastColon = s.lastIndexOf(':');
  const maybeV4 = s.slice(lastColon + 1);
  if (maybeV4.includes('.')) {
    // An embedded IPv4 tail (::ffff:1.2.3.4) is two groups written in decimal.
    const v4 = parseIPv4(maybeV4);
    if (!v4) return undefined;
    s = `${s.slice(0, lastColon + 1)}${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const group = (g: string) => (/^[0-9a-f]{1,4}$/i.test(g) ? parseInt(g, 16) : NaN);
  const head = halves[0] ? halves[0].split(':').map(group) : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':').map(group) : [];
  if ([...head, ...rest].some((g) => Number.isNaN(g))) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const fill = 8 - head.length - rest.length;
  if (fill < 1) return undefined;
  return [...head, ...new Array<number>(fill).fill(0), ...rest];
}

function classifyV4([a, b, c, d]: number[]): AddressClass {
  if ((a === 169 && b === 254 && c === 169 && d === 254) || (a === 100 && b === 100 && c === 100 && d === 200)) return 'metadata';
  if (a === 0) return 'unspecified';
  if (a === 127) return 'loopback';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private';
  if (a === 169 && b === 254) return 'link-local';
  if (a === 100 && b >= 64 && b <= 127) return 'cgnat';
  if (a >= 224 && a <= 239) return 'multicast';
  if (a >= 240) return 'reserved';
  if ((a === 192 && b === 0 && (c === 0 || c === 2)) || (a === 198 && (b === 18 || b === 19)) || (a === 198 && b === 51 && c === 100) || (a === 203 && b === 0 && c === 113)) return 'reserved';
  return 'public';
}

function classifyV6(g: number[]): AddressClass {
  const v4 = (hi: number, lo: number) => classifyV4([hi >> 8, hi & 255, lo >> 8, lo & 255]);
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 8)) return 'unspecified';
  if (zeros(0, 7) && g[7] === 1) return 'loopback';
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d).
  if (zeros(0, 5) && g[5] === 0xffff) return v4(g[6], g[7]);
  if (zeros(0, 6)) return v4(g[6], g[7]);
  if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0) return v4(g[6], g[7]);
  // NAT64 (64:ff9b::/96 and the local-use 64:ff9b:1::/48) and 6to4 (2002::/16) embed an IPv4 address.
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return v4(g[6], g[7]);
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) return 'private';
  if (g[0] === 0x2002) return v4(g[1], g[2]);
  if (g[0] === 0xfd00 && g[1] === 0x0ec2 && zeros(2, 7) && g[7] === 0x254) return 'metadata';
  if ((g[0] & 0xfe00) === 0xfc00) return 'private';
  if ((g[0] & 0xffc0) === 0xfe80) return 'link-local';
  if ((g[0] & 0xffc0) === 0xfec0) return 'private'; // deprecated site-local
  if ((g[0] & 0xff00) === 0xff00) return 'multicast';
  if ((g[0] === 0x2001 && g[1] === 0x0db8) || (g[0] === 0x0100 && zeros(1, 4))) return 'reserved';
  return 'public';
}

/** The class of an IP address literal; undefined when `ip` is not one. */
export function classifyAddress(ip: string): AddressClass | undefined {
  const v4 = parseIPv4(ip);
  if (v4) return classifyV4(v4);
  const v6 = parseIPv6(ip);
  return v6 ? classifyV6(v6) : undefined;
}

/**
 * Host names that name this machine or a local network without DNS (the browser cannot resolve
 * names, so these are refused by name there; Node checks the resolved addresses as well).
 */
export function classifyHostName(host: string): AddressClass | undefined {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (h === 'metadata.google.internal' || h === 'metadata' || h === 'instance-data' || h === 'instance-data.ec2.internal') return 'metadata';
  if (h === 'localhost' || h.endsWith('.localhost') || h === 'localhost.localdomain') return 'loopback';
  if (h.endsWith('.local') || h.endsWith('.internal') || h.endsWith('.lan') || h.endsWith('.home.arpa') || !h.includes('.')) return 'private';
  return undefined;
}

/** Why `cls` is refused under `policy`, or undefined when it is allowed. */
export function refusalFor(cls: AddressClass, allowPrivateNetwork: boolean): string | undefined {
  if (cls === 'public') return undefined;
  if (allowPrivateNetwork && PRIVATE_CLASSES.has(cls)) return undefined;
  const hint = PRIVATE_CLASSES.has(cls) ? ' (pass --allow-private-network to allow it)' : '';
  return `${DESCRIBE[cls]}${hint}`;
}

/** The URL's host without brackets (`[::1]` → `::1`). */
export function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

const PURPOSE_WORD: Record<FetchPurpose, string> = { model: 'model download', image: 'image download', other: 'download' };

export function purposeLabel(purpose: FetchPurpose): string {
  return PURPOSE_WORD[purpose];
}

/** Refuses the fetch outright when the mode does not allow this purpose. */
export function checkMode(policy: Pick<NetworkPolicy, 'mode'>, purpose: FetchPurpose, url: string): void {
  if (policy.mode === 'none') {
    throw new NetworkRefusedError(`${purposeLabel(purpose)} of ${safeUrlText(url)} refused: network access is off (--network none)`, 'network-off');
  }
  if (policy.mode === 'models' && purpose === 'other') {
    throw new NetworkRefusedError(`${purposeLabel(purpose)} of ${safeUrlText(url)} refused: --network models allows only model packages and images a graph names (use --network all)`, 'network-off');
  }
}

/** A URL for messages: no credentials, no query, at most 200 characters. */
export function safeUrlText(url: string): string {
  try {
    const u = new URL(url);
    const text = `${u.protocol}//${u.host}${u.pathname}`;
    return text.length > 200 ? `${text.slice(0, 197)}...` : text;
  } catch {
    const text = url.replace(/[^\x20-\x7e]/g, '?');
    return text.length > 200 ? `${text.slice(0, 197)}...` : text;
  }
}

/**
 * Checks what can be checked without DNS: the scheme (http/https only), credentials, and the host
 * when it is an IP literal or a local-only name. Returns the parsed URL.
 */
export function checkUrl(url: string, allowPrivateNetwork: boolean, purpose: FetchPurpose = 'other'): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new NetworkRefusedError(`${purposeLabel(purpose)} refused: "${safeUrlText(url)}" is not a valid URL`, 'scheme');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new NetworkRefusedError(`${purposeLabel(purpose)} of ${safeUrlText(url)} refused: only http and https URLs are fetched (got ${parsed.protocol})`, 'scheme');
  }
  const host = hostOf(parsed);
  const cls = classifyAddress(host) ?? classifyHostName(host);
  if (cls) {
    const why = refusalFor(cls, allowPrivateNetwork);
    if (why) throw new NetworkRefusedError(`${purposeLabel(purpose)} from host ${host} refused: it is ${why}`, 'address');
  }
  return parsed;
}

/** Checks one resolved address of `host`; throws the refusal. */
export function checkResolvedAddress(host: string, address: string, allowPrivateNetwork: boolean, purpose: FetchPurpose): void {
  const cls = classifyAddress(address) ?? 'reserved';
  const why = refusalFor(cls, allowPrivateNetwork);
  if (why) throw new NetworkRefusedError(`${purposeLabel(purpose)} from host ${host} refused: it resolves to ${address}, ${why}`, 'address');
}

/** Reads `LATENTLOOM_CONNECT_TIMEOUT_S` / `LATENTLOOM_STALL_TIMEOUT_S` (seconds, fractions allowed). */
export function timeoutsFromEnv(env: Record<string, string | undefined>): Partial<NetworkPolicy> {
  const read = (name: string) => {
    const v = env[name];
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number of seconds, got "${safeUrlText(v)}"`);
    return Math.round(n * 1000);
  };
  const connect = read('LATENTLOOM_CONNECT_TIMEOUT_S');
  const idle = read('LATENTLOOM_STALL_TIMEOUT_S');
  return { ...(connect ? { connectTimeoutMs: connect } : {}), ...(idle ? { idleTimeoutMs: idle } : {}) };
}

export function secondsText(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

/**
 * A fetch for hosts without DNS (the browser worker): refuses non-http(s) URLs and private or
 * loopback hosts by literal IP and name, except the page's own origin (the app's assets). Redirects
 * are followed by the browser; a final URL on a refused host is refused before its body is read.
 */
export function browserGuardedFetch(
  base: typeof fetch,
  options: { origin?: string; allowPrivateNetwork?: boolean; purpose?: FetchPurpose } = {},
): typeof fetch {
  const origin = options.origin ?? (globalThis as { location?: { origin?: string } }).location?.origin;
  const purpose = options.purpose ?? 'model';
  const check = (url: string) => {
    if (origin && origin !== 'null') {
      try {
        if (new URL(url).origin === origin) return;
      } catch {
        // checkUrl names the bad URL
      }
    }
    checkUrl(url, options.allowPrivateNetwork ?? false, purpose);
  };
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (/^(blob|data):/i.test(url)) return base(input, init);
    check(url);
    const response = await base(input, init);
    if (response.url && response.url !== url) {
      try {
        check(response.url);
      } catch (err) {
        await response.body?.cancel().catch(() => undefined);
        throw err;
      }
    }
    return response;
  }) as typeof fetch;
}
