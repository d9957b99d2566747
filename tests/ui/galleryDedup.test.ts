/**
 * Gallery entries, on the real engine: one per picture of a run (a Save and a Preview of the
 * same output share one), none for a rerun served from the cache; both nodes still show it.
 */
import type { GraphDocument } from '../../src/graph/document.ts';
import { RunController } from '../../src/ui/run/runController.ts';
import { RunStore } from '../../src/ui/run/runStore.ts';
import { createEditorStore } from '../../src/ui/store/editorStore.ts';
import { setParam } from '../../src/ui/store/docEdits.ts';
import { encodePng } from '../../src/tensor/png.ts';
import { pictureSource } from '../../src/ui/run/images.ts';
import { inProcessEngine as engine } from './inProcessEngine.ts';

function dataUrl(size: number, blue: number): string {
  const data = new Uint8Array(size * size * 3).map((_, i) => (i % 3 === 2 ? blue : (i * 7) % 256));
  return `data:image/png;base64,${Buffer.from(encodePng({ width: size, height: size, channels: 3, data })).toString('base64')}`;
}

function saveAndPreview(): GraphDocument {
  return {
    format: 'latentloom.graph', version: 1, meta: { title: 'save and preview' }, models: {},
    nodes: [
      { id: 'load', type: 'image/load', version: 1, params: { source: dataUrl(8, 10) }, ui: { x: 0, y: 0 } },
      { id: 'save', type: 'image/save', version: 1, params: { filename_prefix: 'x', embed_graph: true }, ui: { x: 300, y: 0 } },
      { id: 'preview', type: 'image/preview', version: 1, params: {}, ui: { x: 300, y: 200 } },
    ],
    edges: [
      { from: { node: 'load', port: 'image' }, to: { node: 'save', port: 'images' } },
      { from: { node: 'load', port: 'image' }, to: { node: 'preview', port: 'images' } },
    ],
  };
}

describe('gallery: one entry per picture', () => {
  it('a Save and a Preview of the same output add one entry; a cached rerun adds none', async () => {
    const doc = saveAndPreview();
    const store = createEditorStore(doc);
    const runs = new RunStore();
    const controller = new RunController(engine(), store, runs, () => 'wasm', () => ['save', 'preview']);
    await controller.run();
    let snap = runs.getSnapshot();
    expect(snap.lastRun?.error).toBeUndefined();
    expect(snap.gallery.map((g) => g.nodeId)).toEqual(['save']);
    expect(snap.gallery[0].png).toBeDefined();
    // Both nodes show the picture.
    expect(snap.nodes.save.previewUrl).toBe(snap.gallery[0].url);
    expect(snap.nodes.preview.previewUrl).toBe(snap.gallery[0].url);

    await controller.run();
    snap = runs.getSnapshot();
    expect(snap.lastRun!.executed).toEqual([]);
    expect(snap.gallery.length).toBe(1);
    expect(snap.nodes.save.previewUrl).toBeDefined();
    expect(snap.nodes.preview.previewUrl).toBeDefined();

    // A change: a new picture, one new entry.
    store.edit('source', (d) => setParam(d, 'load', 'source', dataUrl(8, 200)));
    await controller.run();
    snap = runs.getSnapshot();
    expect(snap.gallery.map((g) => [g.nodeId, g.runId])).toEqual([['save', 3], ['save', 1]]);
  });

  it('after another document, a rerun served from the cache shows the pictures on the nodes again', async () => {
    const doc = saveAndPreview();
    const store = createEditorStore(doc);
    const runs = new RunStore();
    const controller = new RunController(engine(), store, runs, () => 'wasm', () => ['save', 'preview']);
    await controller.run();
    controller.detach();
    store.load(doc);
    expect(runs.getSnapshot().nodes).toEqual({});
    await controller.run();
    const snap = runs.getSnapshot();
    expect(snap.gallery.length).toBe(1);
    expect(snap.nodes.save.previewUrl).toBeDefined();
    expect(snap.nodes.preview.previewUrl).toBe(snap.nodes.save.previewUrl);
  });

  it('picture sources: the outputs wired in', () => {
    const doc = saveAndPreview();
    expect(pictureSource(doc, 'save')).toBe('load.image');
    expect(pictureSource(doc, 'preview')).toBe('load.image');
    expect(pictureSource(doc, 'load')).toBe('node:load');
  });
});
