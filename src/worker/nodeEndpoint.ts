/**
 * A comlink Endpoint over a worker_threads Worker or MessagePort (Node emits `message` with the
 * payload itself; comlink expects DOM-style `{ data }` events).
 */
import type { Endpoint } from 'comlink';

interface NodePort {
  postMessage(message: unknown, transfer?: readonly unknown[]): void;
  on(event: 'message', listener: (data: unknown) => void): unknown;
  off(event: 'message', listener: (data: unknown) => void): unknown;
  start?(): void;
}

type Handler = EventListenerOrEventListenerObject;

export function nodeEndpoint(port: NodePort): Endpoint {
  const wrapped = new Map<Handler, (data: unknown) => void>();
  return {
    postMessage: (message: unknown, transfer?: Transferable[]) => port.postMessage(message, transfer as unknown[] | undefined),
    addEventListener(_type: string, handler: Handler) {
      const listener = (data: unknown) => {
        const event = { data } as MessageEvent;
        if (typeof handler === 'function') handler(event);
        else handler.handleEvent(event);
      };
      wrapped.set(handler, listener);
      port.on('message', listener);
    },
    removeEventListener(_type: string, handler: Handler) {
      const listener = wrapped.get(handler);
      if (!listener) return;
      port.off('message', listener);
      wrapped.delete(handler);
    },
    ...(port.start ? { start: () => port.start!() } : {}),
  };
}
