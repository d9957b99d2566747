/** The worker's document copy: equal parts shared with the last document, all of it frozen. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { shareUnchanged } from '../../src/worker/docShare.ts';
import { isDeepFrozen } from '../../src/graph/frozen.ts';
import type { GraphDocument } from '../../src/graph/document.ts';

const load = () => JSON.parse(readFileSync(new URL('../../graphs/toy-txt2img.json', import.meta.url), 'utf8')) as GraphDocument;

describe('shareUnchanged', () => {
  it('returns a frozen copy equal to the document, leaving the document as it was', () => {
    const doc = load();
    const copy = shareUnchanged(undefined, doc);
    expect(copy).toEqual(doc);
    expect(copy).not.toBe(doc);
    expect(isDeepFrozen(copy)).toBe(true);
    expect(Object.isFrozen(doc) || Object.isFrozen(doc.nodes[0])).toBe(false);
  });

  it('gives back the last copy itself for an equal document (a fresh structured clone)', () => {
    const first = shareUnchanged(undefined, load());
    expect(shareUnchanged(first, structuredClone(first))).toBe(first);
  });

  it('shares every unchanged node when one param changes, and carries the change', () => {
    const first = shareUnchanged(undefined, load());
    const edited = structuredClone(first) as GraphDocument;
    edited.nodes[1].params = { ...edited.nodes[1].params, changed: 42 };
    const second = shareUnchanged(first, edited);
    expect(second).not.toBe(first);
    expect(second).toEqual(edited);
    expect(second.edges).toBe(first.edges);
    expect(second.nodes[1]).not.toBe(first.nodes[1]);
    expect(second.nodes[1].params.changed).toBe(42);
    second.nodes.forEach((n, i) => i !== 1 && expect(n).toBe(first.nodes[i]));
    expect(isDeepFrozen(second)).toBe(true);
  });

  it('matches nodes by id when one is removed before the others', () => {
    const first = shareUnchanged(undefined, load());
    const edited = structuredClone(first) as GraphDocument;
    edited.nodes.splice(0, 1);
    const second = shareUnchanged(first, edited);
    expect(second.nodes).toEqual(edited.nodes);
    second.nodes.forEach((n, i) => expect(n).toBe(first.nodes[i + 1]));
  });

  it('sees a removed field and a changed type as changes', () => {
    const first = shareUnchanged(undefined, { a: { b: 1, c: 2 }, d: [1, 2] } as Record<string, unknown>);
    const second = shareUnchanged(first, { a: { b: 1 }, d: [1, '2'] } as Record<string, unknown>);
    expect(second).toEqual({ a: { b: 1 }, d: [1, '2'] });
  });
});
