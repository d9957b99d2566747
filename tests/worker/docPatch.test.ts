/**
 * Document patches from the client to the worker (src/worker/docPatch.ts): frozen documents go as
 * the nodes that changed; the worker's copy equals the document and keeps unchanged nodes as the
 * same objects; anything else goes whole; a patch against a version the worker lacks is refused.
 * Last, the real thing: a client and a worker_threads worker.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { freeze, produce } from 'immer';
import { readFileSync } from 'node:fs';
import { DOC_PATCH, DocReceiver, DocSender, isStalePatchError, type DocPatch } from '../../src/worker/docPatch.ts';
import { createEngineClient, type EngineClient } from '../../src/worker/client.ts';
import { nodeWorker } from '../../src/worker/nodeWorker.ts';
import type { GraphDocument } from '../../src/graph/document.ts';
import { isDeepFrozen } from '../../src/graph/frozen.ts';
import { graph, node } from '../engine/helpers.ts';

const toy = () => freeze(JSON.parse(readFileSync(new URL('../../graphs/toy-txt2img.json', import.meta.url), 'utf8')) as GraphDocument, true);
/** Through structured clone, as a worker receives it. */
const post = <T>(value: T): T => structuredClone(value);

describe('DocSender / DocReceiver', () => {
  it('sends the first frozen document whole, then only what changed; the copy equals each document', () => {
    const sender = new DocSender();
    const receiver = new DocReceiver();
    let doc = toy();
    const first = receiver.receive(post(sender.message(doc)));
    expect(first).toEqual(doc);
    expect(isDeepFrozen(first)).toBe(true);

    doc = produce(doc, (d) => void (d.nodes[2].params.changed = 1));
    const message = sender.message(doc) as DocPatch;
    expect(message.kind).toBe(DOC_PATCH);
    expect(message.nodes.map(([i]) => i)).toEqual([2]);
    expect(message.edges).toBeUndefined();
    const second = receiver.receive(post(message));
    expect(second).toEqual(doc);
    expect(second.edges).toBe(first.edges);
    second.nodes.forEach((n, i) => (i === 2 ? expect(n).not.toBe(first.nodes[i]) : expect(n).toBe(first.nodes[i])));
    expect(isDeepFrozen(second)).toBe(true);

    // Nodes removed and added, edges and a top-level field changed, a field removed.
    doc = produce(doc, (d) => {
      d.nodes.splice(0, 1);
      d.nodes.push(node('late', 'const/float', { value: 3 }));
      d.edges.pop();
      d.meta = { title: 'changed' };
      delete (d as Partial<GraphDocument>).ui;
    });
    const third = receiver.receive(post(sender.message(doc)));
    expect(third).toEqual(doc);
    expect('ui' in third).toBe(false);

    // Unchanged: the worker's copy is the same object again.
    expect(receiver.receive(post(sender.message(doc)))).toBe(third);
  });

  it('sends a document that is not frozen whole, every time', () => {
    const sender = new DocSender();
    const receiver = new DocReceiver();
    const doc = graph([node('a', 'const/float', { value: 1 })], []);
    expect(sender.message(doc)).toBe(doc);
    receiver.receive(post(doc));
    doc.nodes[0].params.value = 2;
    expect(sender.message(doc)).toBe(doc);
    expect(receiver.receive(post(doc)).nodes[0].params.value).toBe(2);
  });

  it('refuses a patch against a version it does not hold; a reset sender recovers', () => {
    const sender = new DocSender();
    let doc = toy();
    sender.message(doc); // never delivered
    doc = produce(doc, (d) => void (d.nodes[0].params.x = 1));
    const receiver = new DocReceiver();
    let error: unknown;
    try {
      receiver.receive(post(sender.message(doc)));
    } catch (e) {
      error = e;
    }
    expect(isStalePatchError(error)).toBe(true);
    expect(String(error)).toMatch(/patch against version 1, but the worker holds none/);
    sender.reset();
    expect(receiver.receive(post(sender.message(doc)))).toEqual(doc);
  });
});

let client: EngineClient | undefined;
afterEach(() => {
  client?.dispose();
  client = undefined;
});

describe('client and worker', () => {
  it('reruns an unchanged editor document from the cache and a patched one correctly', async () => {
    client = createEngineClient({ spawn: () => nodeWorker() });
    let doc = freeze(graph([node('a', 'const/float', { value: 2 }), node('b', 'math/multiply', { factor: 3 })], ['a.value->b.a']), true);
    const first = await client.run(doc, { outputs: ['b'] });
    expect(first.outputs.b.result).toBe(6);
    const again = await client.run(doc, { outputs: ['b'] });
    expect(again.stats.executed).toBe(0);
    doc = produce(doc, (d) => void (d.nodes[1].params.factor = 5));
    const changed = await client.run(doc, { outputs: ['b'] });
    expect(changed.outputs.b.result).toBe(10);
    expect(changed.nodes.a.status).toBe('cached');
    expect(changed.nodes.b.status).toBe('executed');
  });
});
