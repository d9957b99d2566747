/**
 * `latentloom serve`: ComfyUI's HTTP + WebSocket API over node:http and `ws` (a well-kept
 * WebSocket implementation: framing, masking, ping/pong and limits are not written here).
 * Routes answer under `/` and `/api/` as ComfyUI's do. Requests from another site's page are
 * refused (Origin must match Host), a loopback-bound server only answers loopback Host names
 * (no DNS rebinding), bodies are size-capped, and with a token every request needs it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Broadcaster } from './promptQueue.ts';
import { routeRequest, type RouteContext } from './routes.ts';
import { HttpError } from './serverFiles.ts';

export interface ServerOptions extends RouteContext {
  host: string;
  port: number;
  /** Bearer token every request must carry (header, or `?token=` for WebSockets and images). */
  token?: string;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const LOOPBACK_NAMES = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\]|::1)$/i;

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.test(host);
}

/** The host name of a Host header value (`name:port`, `[v6]:port`). */
function hostName(header: string): string {
  if (header.startsWith('[')) return header.slice(0, header.indexOf(']') + 1);
  const colon = header.lastIndexOf(':');
  return colon >= 0 ? header.slice(0, colon) : header;
}

/** Connected WebSocket clients by client id; messages for an id go to its sockets only. */
export class ClientSockets implements Broadcaster {
  private readonly byId = new Map<string, Set<WebSocket>>();

  add(id: string, socket: WebSocket): void {
    const set = this.byId.get(id) ?? new Set<WebSocket>();
    set.add(socket);
    this.byId.set(id, set);
    socket.once('close', () => {
      set.delete(socket);
      if (set.size === 0 && this.byId.get(id) === set) this.byId.delete(id);
    });
  }

  private targets(clientId: string | undefined): WebSocket[] {
    if (clientId === undefined) return [...this.byId.values()].flatMap((s) => [...s]);
    return [...(this.byId.get(clientId) ?? [])];
  }

  send(clientId: string | undefined, type: string, data: Record<string, unknown>): void {
    const text = JSON.stringify({ type, data });
    for (const socket of this.targets(clientId)) if (socket.readyState === socket.OPEN) socket.send(text);
  }

  sendBinary(clientId: string | undefined, bytes: Uint8Array): void {
    for (const socket of this.targets(clientId)) {
      // A slow client does not make the server buffer previews without end: it skips some.
      if (socket.readyState === socket.OPEN && socket.bufferedAmount < 4 * 1024 * 1024) socket.send(bytes, { binary: true });
    }
  }

  hasListener(clientId: string | undefined): boolean {
    return this.targets(clientId).length > 0;
  }

  get size(): number {
    return [...this.byId.values()].reduce((n, s) => n + s.size, 0);
  }

  closeAll(): void {
    for (const socket of this.targets(undefined)) socket.terminate();
  }
}

function tokenMatches(expected: string, given: string | undefined | null): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Why a request is refused before routing, or undefined. */
function refusal(req: IncomingMessage, options: ServerOptions, url: URL): HttpError | undefined {
  const host = req.headers.host ?? '';
  if (isLoopbackHost(options.host) && !isLoopbackHost(hostName(host))) {
    return new HttpError(403, `Host "${host.slice(0, 80)}" is not a loopback name; this server answers localhost only`);
  }
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== 'null') {
    let originHost: string;
    try {
      originHost = new URL(origin).host;
    } catch {
      return new HttpError(403, 'the Origin header is not a URL');
    }
    if (originHost !== host) return new HttpError(403, `requests from ${origin.slice(0, 80)} are refused: the page must come from this server`);
  } else if (origin === 'null') return new HttpError(403, 'requests from an opaque origin are refused');
  if (options.token !== undefined) {
    const header = req.headers.authorization;
    const bearer = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
    if (!tokenMatches(options.token, bearer ?? url.searchParams.get('token'))) return new HttpError(401, 'this server needs a token: send "Authorization: Bearer <token>"');
  }
  return undefined;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'x-content-type-options': 'nosniff' });
  res.end(text);
}

export async function startServer(options: ServerOptions): Promise<RunningServer & { clients: ClientSockets; server: Server }> {
  const clients = options.clients ?? new ClientSockets();
  const context: RouteContext = { ...options, clients };
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const refused = refusal(req, options, url);
    if (refused) {
      sendJson(res, refused.status, { error: refused.message });
      req.resume();
      return;
    }
    routeRequest(context, req, res, url).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      const message = error instanceof Error ? error.message : String(error);
      if (!res.headersSent) sendJson(res, status, { error: message });
      else res.destroy();
      if (status === 500) options.log?.(`server error on ${req.method} ${url.pathname}: ${message}`);
    });
  });
  server.headersTimeout = 30_000;
  server.requestTimeout = 300_000;

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/^\/api(?=\/)/, '');
    const refused = path === '/ws' ? refusal(req, options, url) : new HttpError(404, 'no WebSocket here');
    if (refused) {
      socket.end(`HTTP/1.1 ${refused.status} ${refused.status === 404 ? 'Not Found' : 'Forbidden'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, async (ws) => {
      const requested = url.searchParams.get('clientId');
      const clientId = requested && /^[\w-]{1,128}$/.test(requested) ? requested : randomUUID().replace(/-/g, '');
      clients.add(clientId, ws);
      // Clients send nothing ComfyUI acts on; a message is read and dropped.
      ws.on('message', () => {});
      ws.on('error', () => ws.terminate());
      let remaining = 0;
      try {
        remaining = await options.queue.remaining();
      } catch {
        // The queue's Redis is down: the socket still opens; status follows when it is back.
      }
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'status', data: { status: { exec_info: { queue_remaining: remaining } }, sid: clientId } }));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    clients,
    server,
    async close() {
      await options.queue.close();
      clients.closeAll();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
