/**
 * Test-only: a ComfyUI API client driven the way ComfyUI's websockets_api_example.py drives a
 * server: open /ws?clientId=…, POST /prompt with that client_id, read messages until `executing`
 * with node null for the prompt, then read /history/{id} and fetch each image with /view.
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';

export interface WsMessage {
  type: string;
  data: Record<string, unknown>;
}

export class ComfyClient {
  readonly clientId = randomUUID().replace(/-/g, '');
  readonly messages: WsMessage[] = [];
  readonly binary: Uint8Array[] = [];
  private socket!: WebSocket;
  private waiters: (() => void)[] = [];

  constructor(readonly base: string, private readonly headers: Record<string, string> = {}) {}

  async connect(): Promise<this> {
    const url = `${this.base.replace(/^http/, 'ws')}/ws?clientId=${this.clientId}`;
    this.socket = new WebSocket(url, { headers: this.headers });
    this.socket.on('message', (data, isBinary) => {
      if (isBinary) this.binary.push(new Uint8Array(data as Buffer));
      else this.messages.push(JSON.parse(String(data)) as WsMessage);
      for (const w of this.waiters.splice(0)) w();
    });
    await new Promise<void>((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('error', reject);
    });
    return this;
  }

  close(): void {
    this.socket?.close();
  }

  async post(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(`${this.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...this.headers }, body: JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  async get(path: string): Promise<Record<string, unknown>> {
    const res = await fetch(`${this.base}${path}`, { headers: this.headers });
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  }

  async queuePrompt(prompt: unknown): Promise<string> {
    const { status, json } = await this.post('/prompt', { prompt, client_id: this.clientId });
    if (status !== 200) throw new Error(`POST /prompt: ${status} ${JSON.stringify(json)}`);
    return json.prompt_id as string;
  }

  /** Resolves with the messages of this prompt once `executing` with node null arrives. */
  async waitDone(promptId: string, timeoutMs = 60_000): Promise<WsMessage[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const mine = this.messages.filter((m) => m.data.prompt_id === promptId);
      if (mine.some((m) => m.type === 'executing' && m.data.node === null)) return mine;
      if (Date.now() > deadline) throw new Error(`prompt ${promptId} did not finish in ${timeoutMs} ms; got ${mine.map((m) => m.type).join(', ')}`);
      await this.nextMessage(deadline - Date.now());
    }
  }

  /** Resolves when a message of this type for the prompt has arrived. */
  async waitFor(promptId: string, type: string, timeoutMs = 60_000): Promise<WsMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find((m) => m.type === type && m.data.prompt_id === promptId);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${type} for ${promptId} in ${timeoutMs} ms`);
      await this.nextMessage(deadline - Date.now());
    }
  }

  private nextMessage(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, Math.max(1, ms));
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** `get_images` of the example: every image of every output node, fetched through /view. */
  async images(promptId: string): Promise<Record<string, Uint8Array[]>> {
    const history = (await this.get(`/history/${promptId}`))[promptId] as { outputs: Record<string, { images?: { filename: string; subfolder: string; type: string }[] }> };
    const out: Record<string, Uint8Array[]> = {};
    for (const [node, output] of Object.entries(history.outputs)) {
      out[node] = [];
      for (const image of output.images ?? []) {
        const query = new URLSearchParams({ filename: image.filename, subfolder: image.subfolder, type: image.type });
        const res = await fetch(`${this.base}/view?${query}`, { headers: this.headers });
        if (!res.ok) throw new Error(`/view ${query}: ${res.status}`);
        out[node].push(new Uint8Array(await res.arrayBuffer()));
      }
    }
    return out;
  }
}
