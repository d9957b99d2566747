/**
 * The URL rule for graph-provided URLs: address classification (IPv4, IPv6, IPv4-mapped), names,
 * and the guarded Node fetch against real local HTTP servers: refused hosts are never contacted,
 * every redirect hop is re-checked, hung servers fail with a clear timeout.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  browserGuardedFetch,
  checkUrl,
  classifyAddress,
  classifyHostName,
  defaultNetworkPolicy,
  NetworkRefusedError,
  refusalFor,
} from '../../src/security/network.ts';
import { guardedFetch, type LookupAll } from '../../src/security/nodeFetch.ts';

describe('address classification', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['1.1.1.1', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['169.254.1.1', 'link-local'],
    ['169.254.169.254', 'metadata'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.254', 'cgnat'],
    ['100.128.0.1', 'public'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['fd00:ec2::254', 'metadata'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:8.8.8.8', 'public'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['2002:7f00:1::', 'loopback'],
    ['2606:4700:4700::1111', 'public'],
    ['ff02::1', 'multicast'],
  ])('%s is %s', (ip, cls) => {
    expect(classifyAddress(ip)).toBe(cls);
  });

  it('is undefined for names and junk', () => {
    for (const s of ['example.com', '1.2.3', '1.2.3.256', ':::', '1:2:3:4:5:6:7:8:9', 'g::1']) expect(classifyAddress(s)).toBeUndefined();
  });

  it('names local-only hosts', () => {
    expect(classifyHostName('localhost')).toBe('loopback');
    expect(classifyHostName('app.localhost')).toBe('loopback');
    expect(classifyHostName('metadata.google.internal')).toBe('metadata');
    expect(classifyHostName('printer.local')).toBe('private');
    expect(classifyHostName('huggingface.co')).toBeUndefined();
  });

  it('--allow-private-network lets private classes through but never metadata', () => {
    expect(refusalFor('loopback', true)).toBeUndefined();
    expect(refusalFor('private', true)).toBeUndefined();
    expect(refusalFor('metadata', true)).toMatch(/metadata/);
    expect(refusalFor('loopback', false)).toMatch(/loopback.*--allow-private-network/);
  });
});

describe('checkUrl (no DNS)', () => {
  it('allows only http and https', () => {
    expect(() => checkUrl('file:///etc/passwd', true)).toThrow(/only http and https/);
    expect(() => checkUrl('ftp://example.com/x', true)).toThrow(/only http and https/);
    expect(() => checkUrl('gopher://example.com/x', true)).toThrow(/only http and https/);
    expect(checkUrl('https://example.com/x', false).hostname).toBe('example.com');
  });

  it('refuses literal and encoded private addresses the URL parser normalises', () => {
    for (const url of [
      'http://127.0.0.1/admin',
      'http://2130706433/', // 127.0.0.1 as one number
      'http://0x7f.0.0.1/',
      'http://[::1]:8080/',
      'http://[::ffff:127.0.0.1]/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00:ec2::254]/',
      'http://0.0.0.0:80/',
      'http://localhost:3000/',
      'http://10.0.0.5/',
    ]) {
      expect(() => checkUrl(url, false), url).toThrow(NetworkRefusedError);
    }
    expect(() => checkUrl('http://169.254.169.254/', true)).toThrow(/metadata/);
    expect(checkUrl('http://127.0.0.1:9/x', true).port).toBe('9');
  });
});

describe('browserGuardedFetch', () => {
  it('refuses private hosts before fetching, allows the page origin', async () => {
    const seen: string[] = [];
    const base = (async (input: RequestInfo | URL) => {
      seen.push(String(input));
      return new Response('ok');
    }) as typeof fetch;
    const f = browserGuardedFetch(base, { origin: 'http://localhost:5173' });
    await expect(f('http://192.168.0.1/x')).rejects.toThrow(/private-network/);
    await expect(f('http://127.0.0.1:5173/x')).rejects.toThrow(/loopback/);
    expect(seen).toEqual([]);
    expect(await (await f('http://localhost:5173/models/taesd/x.onnx')).text()).toBe('ok');
    expect(seen).toEqual(['http://localhost:5173/models/taesd/x.onnx']);
  });
});

// --- The Node guarded fetch against real servers on free loopback ports -----------------------

let server: Server;
let port: number;
const hits: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url!);
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/file') res.writeHead(200, { 'content-length': '5' }).end('hello');
    else if (url.pathname === '/to-file') res.writeHead(302, { location: '/file' }).end();
    else if (url.pathname === '/to-metadata') res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    else if (url.pathname === '/to-loopback') res.writeHead(307, { location: `http://127.0.0.1:${port}/file` }).end();
    else if (url.pathname === '/to-meta-name') res.writeHead(301, { location: `http://meta.test:${port}/` }).end();
    else if (url.pathname === '/loop') res.writeHead(302, { location: '/loop' }).end();
    else if (url.pathname === '/hang-headers') {
      // never answers
    } else if (url.pathname === '/stall') {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('abc'); // then nothing
    } else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  hits.length = 0;
});

/** "public.test" resolves to the loopback server, as a public host would to a real one. */
const publicLookup: LookupAll = async (host) => {
  if (host === 'public.test') return [{ address: '127.0.0.1', family: 4 }];
  if (host === 'rebind.test') return [{ address: '8.8.8.8', family: 4 }, { address: '127.0.0.1', family: 4 }];
  if (host === 'meta.test') return [{ address: '169.254.169.254', family: 4 }];
  if (host === 'mapped.test') return [{ address: '::ffff:127.0.0.1', family: 6 }];
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
};
/** Counts the loopback address as public (so positive tests can use a local server). */
const permissive = (extra: Partial<Parameters<typeof defaultNetworkPolicy>[0]> = {}) =>
  defaultNetworkPolicy({ allowPrivateNetwork: true, ...extra });

describe('guardedFetch (Node)', () => {
  it('refuses a loopback URL without sending a request', async () => {
    const f = guardedFetch({ policy: defaultNetworkPolicy(), purpose: 'image' });
    await expect(f(`http://127.0.0.1:${port}/file`)).rejects.toThrow(/image download from host 127\.0\.0\.1 refused: it is a loopback address/);
    expect(hits).toEqual([]);
  });

  it('checks every resolved address: one private address among public ones refuses the host', async () => {
    const f = guardedFetch({ policy: defaultNetworkPolicy(), purpose: 'model', lookup: publicLookup });
    await expect(f(`http://rebind.test:${port}/file`)).rejects.toThrow(/rebind\.test refused: it resolves to 127\.0\.0\.1/);
    await expect(f(`http://mapped.test:${port}/file`)).rejects.toThrow(/resolves to ::ffff:127\.0\.0\.1, a loopback/);
    expect(hits).toEqual([]);
  });

  it('fetches from a host whose addresses pass, following a same-host redirect', async () => {
    // The injected lookup says public.test → 127.0.0.1; with private allowed that host passes.
    const f = guardedFetch({ policy: permissive(), purpose: 'model', lookup: publicLookup });
    const res = await f(`http://public.test:${port}/to-file`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('hello');
    expect(hits).toEqual(['/to-file', '/file']);
  });

  it('re-checks each redirect hop: a redirect to a metadata address is refused and not followed', async () => {
    const f = guardedFetch({ policy: permissive(), purpose: 'model' });
    await expect(f(`http://127.0.0.1:${port}/to-metadata`)).rejects.toThrow(/169\.254\.169\.254 refused: it is a cloud metadata/);
    expect(hits).toEqual(['/to-metadata']);
  });

  it('re-checks each redirect hop by DNS too: a redirect to a name that resolves to metadata is refused', async () => {
    const f = guardedFetch({ policy: permissive(), purpose: 'model', lookup: publicLookup });
    await expect(f(`http://public.test:${port}/to-meta-name`)).rejects.toThrow(/meta\.test refused: it resolves to 169\.254\.169\.254, a cloud metadata/);
    expect(hits).toEqual(['/to-meta-name']);
  });

  it('without --allow-private-network a host name that resolves to loopback is refused before connecting', async () => {
    const f = guardedFetch({ policy: defaultNetworkPolicy(), purpose: 'model', lookup: publicLookup });
    await expect(f(`http://public.test:${port}/to-loopback`)).rejects.toThrow(/refused: it resolves to 127\.0\.0\.1, a loopback/);
    expect(hits).toEqual([]);
  });

  it('stops after 5 redirects', async () => {
    const f = guardedFetch({ policy: permissive(), purpose: 'model' });
    await expect(f(`http://127.0.0.1:${port}/loop`)).rejects.toThrow(/more than 5 redirects/);
    expect(hits.length).toBe(6);
  });

  it('fails clearly when no response comes (connect timeout)', async () => {
    const f = guardedFetch({ policy: permissive({ connectTimeoutMs: 300 }), purpose: 'model' });
    const t0 = Date.now();
    await expect(f(`http://127.0.0.1:${port}/hang-headers`)).rejects.toThrow(/model download from host 127\.0\.0\.1 timed out: no response within 0\.3 s/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('fails clearly when the body stalls (idle timeout)', async () => {
    const f = guardedFetch({ policy: permissive({ idleTimeoutMs: 300 }), purpose: 'model' });
    const res = await f(`http://127.0.0.1:${port}/stall`);
    await expect(res.arrayBuffer()).rejects.toThrow(/model download from host 127\.0\.0\.1 stalled for 0\.3 s/);
  });

  it('says which host failed to resolve and why', async () => {
    const f = guardedFetch({ policy: defaultNetworkPolicy(), purpose: 'model', lookup: publicLookup });
    await expect(f('https://no-such-host.test/x')).rejects.toThrow(/could not resolve host no-such-host\.test \(ENOTFOUND\)/);
  });

  it('--network none fetches nothing', async () => {
    const f = guardedFetch({ policy: permissive({ mode: 'none' }), purpose: 'model' });
    await expect(f(`http://127.0.0.1:${port}/file`)).rejects.toThrow(/network access is off \(--network none\)/);
    expect(hits).toEqual([]);
  });
});
