/**
 * The Node fetch for graph-provided URLs: http(s) only, every address a hostname resolves to is
 * checked at connect time (the check sits in the socket's own lookup, so a second resolution
 * cannot swap in another address), redirects are followed by hand and each hop re-checked, and
 * both the wait for response headers and every wait for body bytes are bounded.
 */
import type { LookupAddress } from 'node:dns';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import {
  MAX_REDIRECTS,
  NetworkRefusedError,
  checkMode,
  checkResolvedAddress,
  checkUrl,
  hostOf,
  purposeLabel,
  safeUrlText,
  secondsText,
  type FetchPurpose,
  type NetworkPolicy,
} from './network.ts';

/** All addresses of a host name (dns.lookup with `all: true`); injectable for tests. */
export type LookupAll = (host: string) => Promise<LookupAddress[]>;

// node:dns, node:http and node:https (with net and tls, ~3 ms of CPU) load at the first fetch, not
// with this module: most CLI runs fetch nothing.
export const systemLookup: LookupAll = async (host) => {
  const { lookup } = await import('node:dns');
  return new Promise((resolve, reject) => lookup(host, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));
};

type Request = typeof import('node:http').request;
const requestFor = async (url: URL): Promise<Request> => (url.protocol === 'https:' ? (await import('node:https')).request : (await import('node:http')).request);

export interface GuardedFetchOptions {
  policy: NetworkPolicy;
  purpose: FetchPurpose;
  lookup?: LookupAll;
}

/** A network failure with what failed (host, cause code) in its message. */
export class NetworkError extends Error {
  readonly code = 'network-error';
  constructor(message: string, readonly host: string, readonly causeCode?: string, readonly kind: 'dns' | 'connect' | 'timeout' | 'stalled' | 'other' = 'other') {
    super(message);
    this.name = 'NetworkError';
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function describeSocketError(err: NodeJS.ErrnoException, host: string, purpose: FetchPurpose): Error {
  if (err instanceof NetworkRefusedError || err instanceof NetworkError) return err;
  const code = err.code ?? '';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL' || code === 'ENODATA') {
    return new NetworkError(`${purposeLabel(purpose)} failed: could not resolve host ${host} (${code}${code === 'EAI_AGAIN' ? ', DNS temporarily unavailable: offline?' : ''})`, host, code, 'dns');
  }
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ECONNRESET' || code === 'ETIMEDOUT') {
    return new NetworkError(`${purposeLabel(purpose)} failed: could not connect to host ${host} (${code})`, host, code, 'connect');
  }
  return new NetworkError(`${purposeLabel(purpose)} from host ${host} failed: ${err.message}${code ? ` (${code})` : ''}`, host, code || undefined);
}

interface Hop {
  status: number;
  statusText: string;
  headers: Headers;
  message: IncomingMessage;
}

function requestOnce(send: Request, url: URL, init: { method: string; headers: Record<string, string>; signal?: AbortSignal }, options: GuardedFetchOptions): Promise<Hop> {
  const { policy, purpose } = options;
  const lookup = options.lookup ?? systemLookup;
  const host = hostOf(url);
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(err);
    };
    const req = send(url, {
      method: init.method,
      headers: init.headers,
      signal: init.signal,
      // A fresh socket per request: a pooled one may have been connected under another policy.
      agent: false,
      // Every address the name resolves to must pass; the socket then connects to one of them.
      lookup: (hostname: string, _opts: unknown, callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void) => {
        lookup(hostname)
          .then((addresses) => {
            if (addresses.length === 0) throw Object.assign(new Error('no addresses'), { code: 'ENOTFOUND' });
            for (const a of addresses) checkResolvedAddress(host, a.address, policy.allowPrivateNetwork, purpose);
            const wantsAll = (_opts as { all?: boolean } | undefined)?.all;
            if (wantsAll) callback(null, addresses);
            else callback(null, addresses[0].address, addresses[0].family);
          })
          .catch((err: Error) => callback(err, ''));
      },
    });
    const timer = setTimeout(() => {
      const err = new NetworkError(`${purposeLabel(purpose)} from host ${host} timed out: no response within ${secondsText(policy.connectTimeoutMs)}`, host, 'timeout', 'timeout');
      fail(err);
      req.destroy(err);
    }, policy.connectTimeoutMs);
    req.on('error', (err) => fail(init.signal?.aborted ? (init.signal.reason instanceof Error ? init.signal.reason : err) : describeSocketError(err, host, purpose)));
    req.on('response', (message) => {
      if (settled) {
        message.destroy();
        return;
      }
      settled = true;
      clearTimeout(timer);
      const headers = new Headers();
      for (let i = 0; i < message.rawHeaders.length; i += 2) headers.append(message.rawHeaders[i], message.rawHeaders[i + 1]);
      resolve({ status: message.statusCode ?? 0, statusText: message.statusMessage ?? '', headers, message });
    });
    req.end();
  });
}

/** Wraps a response body so that a gap of more than `idleMs` between bytes fails the read. */
function idleGuarded(message: IncomingMessage, idleMs: number, host: string, purpose: FetchPurpose): ReadableStream<Uint8Array> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      message.destroy(new NetworkError(`${purposeLabel(purpose)} from host ${host} stalled for ${secondsText(idleMs)} (no bytes received)`, host, 'stalled', 'stalled'));
    }, idleMs);
  };
  arm();
  message.on('data', arm);
  // A paused stream is the reader's doing (backpressure), not the server's: the wait does not count.
  message.on('pause', () => clearTimeout(timer));
  message.on('resume', arm);
  message.on('close', () => clearTimeout(timer));
  message.on('error', (err) => {
    clearTimeout(timer);
    if (!(err instanceof NetworkError)) Object.assign(err, { message: `${purposeLabel(purpose)} from host ${host} was cut off: ${err.message}` });
  });
  return Readable.toWeb(message) as unknown as ReadableStream<Uint8Array>;
}

/**
 * A `fetch` for untrusted URLs under `policy`. Accepts a URL string and `{ method, headers,
 * signal }`; returns a standard Response whose body enforces the idle timeout.
 */
export function guardedFetch(options: GuardedFetchOptions): typeof fetch {
  const { policy, purpose } = options;
  return (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const first = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    checkMode(policy, purpose, first);
    let method = (init.method ?? 'GET').toUpperCase();
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => (headers[k] = v));
    const signal = init.signal ?? undefined;
    let url = first;
    for (let hop = 0; ; hop++) {
      const parsed = checkUrl(url, policy.allowPrivateNetwork, purpose);
      const response = await requestOnce(await requestFor(parsed), parsed, { method, headers, ...(signal ? { signal } : {}) }, options);
      const location = response.headers.get('location');
      if (REDIRECTS.has(response.status) && location) {
        response.message.resume();
        response.message.destroy();
        if (hop >= MAX_REDIRECTS) {
          throw new NetworkRefusedError(`${purposeLabel(purpose)} of ${safeUrlText(first)} refused: more than ${MAX_REDIRECTS} redirects`, 'redirects');
        }
        let next: URL;
        try {
          next = new URL(location, parsed);
        } catch {
          throw new NetworkError(`${purposeLabel(purpose)} from host ${hostOf(parsed)} failed: it redirects to an invalid URL`, hostOf(parsed));
        }
        if (response.status === 303 && method !== 'HEAD') method = 'GET';
        // Credentials-like headers do not follow a redirect to another origin.
        if (next.origin !== parsed.origin) {
          delete headers.authorization;
          delete headers.cookie;
        }
        url = next.href;
        continue;
      }
      const noBody = method === 'HEAD' || response.status === 204 || response.status === 304;
      if (noBody) response.message.resume();
      const body = noBody ? null : idleGuarded(response.message, policy.idleTimeoutMs, hostOf(parsed), purpose);
      const result = new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
      Object.defineProperty(result, 'url', { value: url });
      return result;
    }
  }) as typeof fetch;
}
