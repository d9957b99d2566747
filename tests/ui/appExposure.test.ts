import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { produce } from 'immer';
import { ALL_NODES } from '../../nodes/index.ts';
import type { GraphDocument } from '../../src/graph/document.ts';
import { loadGraph } from '../../src/persistence/load.ts';
import { saveGraphText } from '../../src/persistence/save.ts';
import { NodeCatalog, toNodeTypeInfo } from '../../src/ui/catalog.ts';
import { exposedKeys, formFields, setExposed } from '../../src/ui/appView/exposure.ts';

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
});
