import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { produce } from 'immer';
import { ALL_NODES } from '../../nodes/index.ts';
import type { GraphDocument } from '../../src/graph/document.ts';
import { loadGraph } from '../../src/persistence/load.ts';
import { saveGraphText } from '../../src/persistence/save.ts';
import { NodeCatalog, toNodeTypeInfo } from '../../src/ui/catalog.ts';
import { exposedKeys, formFields, nodeAtFlatId, setExposed, setFieldValue } from '../../src/ui/appView/exposure.ts';
import { flattenSubgraphs } from '../../src/graph/subgraphs.ts';

const catalog = new NodeCatalog(ALL_NODES.map(toNodeTypeInfo));
const GRAPHS = resolve(import.meta.dirname, '../../graphs');
const open = (name: string): GraphDocument => {
  const loaded = loadGraph(readFileSync(join(GRAPHS, name), 'utf8'));
  if (!loaded.ok) throw new Error(`${name} does not load: ${loaded.issues.map((i) => i.message).join('; ')}`);
  return loaded.graph;
};

describe('params exposed to the app (form) view', () => {
  it('the default graph exposes prompt, negative prompt, seed, steps and guidance', () => {
    const fields = formFields(open('toy-txt2img.json'), catalog);
    expect(fields.map((f) => `${f.node}.${f.param}`)).toEqual(['prompt.text', 'negative.text', 'noise.seed', 'scheduler.steps', 'cfg.scale']);
    expect(fields.map((f) => f.label)).toEqual(['Prompt', 'Negative prompt', 'Seed', 'Steps', 'Guidance (CFG scale)']);
    expect(fields[0]).toMatchObject({ value: 'a red circle on black', spec: { kind: 'string' } });
  });

  it.each(['sd-turbo.json', 'sd15.json', 'toy-img2img.json', 'toy-schedulers.json', 'toy-upscale.json'])('%s exposes its prompt or picture and every entry names a real param', (name) => {
    const doc = open(name);
    expect(doc.app?.exposed.length).toBeGreaterThan(0);
    expect(formFields(doc, catalog)).toHaveLength(doc.app!.exposed.length);
  });

  it('toggling is an edit kept in the file; entries naming gone nodes are skipped', () => {
    const doc = open('toy-txt2img.json');
    const more = produce(doc, (d) => setExposed(d, 'noise', 'width', true));
    expect(exposedKeys(more).has('noise.width')).toBe(true);
    const reloaded = loadGraph(saveGraphText(more));
    expect(reloaded.ok && reloaded.graph.app?.exposed.at(-1)).toEqual({ node: 'noise', param: 'width' });
    const fewer = produce(more, (d) => setExposed(d, 'prompt', 'text', false));
    expect(exposedKeys(fewer).has('prompt.text')).toBe(false);
    const gone = produce(more, (d) => void (d.nodes = d.nodes.filter((n) => n.id !== 'noise')));
    expect(formFields(gone, catalog).map((f) => f.node)).not.toContain('noise');
  });

  it('a param inside a subgraph is exposed by its flat id: the form shows it, edits it inside, and the file keeps it', () => {
    const doc = open('toy-txt2img.json');
    expect(nodeAtFlatId(doc, 'text_encoding/tokenize')).toMatchObject({ node: { id: 'tokenize', type: 'text/tokenize' }, path: ['text_encoding'] });
    expect(nodeAtFlatId(doc, 'text_encoding/nope')).toBeUndefined();
    expect(nodeAtFlatId(doc, 'prompt/tokenize')).toBeUndefined(); // not a subgraph
    const more = produce(doc, (d) => setExposed(d, 'text_encoding/tokenize', 'min_chunks', true));
    const field = formFields(more, catalog).at(-1)!;
    expect(field).toMatchObject({ node: 'text_encoding/tokenize', param: 'min_chunks', value: 1, path: ['text_encoding'], localId: 'tokenize', spec: { kind: 'int' } });
    expect(field.label).toMatch(/^Text encoding › .+ · /);
    // Saved and loaded as it is.
    const reloaded = loadGraph(saveGraphText(more));
    if (!reloaded.ok) throw new Error(reloaded.issues.map((i) => i.message).join('; '));
    expect(reloaded.graph.app?.exposed.at(-1)).toEqual({ node: 'text_encoding/tokenize', param: 'min_chunks' });
    expect(formFields(reloaded.graph, catalog).map((f) => f.node)).toContain('text_encoding/tokenize');
    // Editing the field sets the inner node's param, which the engine sees by the same flat id.
    const edited = produce(reloaded.graph, (d) => setFieldValue(d, field, 3));
    const inner = edited.nodes.find((n) => n.id === 'text_encoding')!.subgraph!.nodes.find((n) => n.id === 'tokenize')!;
    expect(inner.params.min_chunks).toBe(3);
    expect(flattenSubgraphs(edited).graph.nodes.find((n) => n.id === 'text_encoding/tokenize')?.params.min_chunks).toBe(3);
    expect(formFields(edited, catalog).at(-1)!.value).toBe(3);
    // The subgraph gone: its entries are skipped.
    const gone = produce(more, (d) => void (d.nodes = d.nodes.filter((n) => n.id !== 'text_encoding')));
    expect(formFields(gone, catalog).map((f) => f.node)).not.toContain('text_encoding/tokenize');
  });
});
