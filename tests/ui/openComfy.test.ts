/**
 * The editor's file layer (src/ui/files.ts) opens ComfyUI workflows like the CLI does: API and UI
 * JSON, and PNGs with ComfyUI's `prompt` / `workflow` text (prompt wins), converted with a notice;
 * a conversion failure names the ComfyUI node and class and yields no graph.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_NODES } from '../../nodes/index.ts';
import { NodeCatalog, toNodeTypeInfo } from '../../src/ui/catalog.ts';
import { isComfyWorkflowText, openGraphFile, openGraphText } from '../../src/ui/files.ts';
import { encodePng } from '../../src/tensor/png.ts';

const catalog = new NodeCatalog(ALL_NODES.map(toNodeTypeInfo));
const FIXTURES = join(import.meta.dirname, '../fixtures/comfy');
const text = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const pixel = { width: 1, height: 1, channels: 3 as const, data: new Uint8Array(3) };
const file = (bytes: Uint8Array | string, name: string) => Object.assign(new Blob([bytes as BlobPart]), { name });

describe('opening ComfyUI workflows in the editor (files.ts)', () => {
  it('converts the API form and says so', () => {
    const opened = openGraphText(text('txt2img-api.json'), 'txt2img-api.json', catalog);
    expect(opened.doc).toBeDefined();
    expect(opened.converted).toMatch(/^Converted from a ComfyUI workflow \(API format\)/);
    expect(opened.loaderIssues[0]).toMatchObject({ code: 'converted', severity: 'warning' });
    expect(opened.doc!.nodes.map((n) => n.type)).toEqual(expect.arrayContaining(['model/load', 'image/save']));
    expect(opened.issues.filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('converts the UI form', () => {
    const opened = openGraphText(text('txt2img-ui.json'), 'txt2img-ui.json', catalog);
    expect(opened.doc).toBeDefined();
    expect(opened.converted).toMatch(/UI format/);
  });

  it('an unknown class fails with the node id and class, and no graph', () => {
    const wf = JSON.parse(text('txt2img-api.json'));
    wf['10'] = { class_type: 'SomeCustomNode', inputs: { image: ['8', 0] } };
    const opened = openGraphText(JSON.stringify(wf), 'custom.json', catalog);
    expect(opened.doc).toBeUndefined();
    expect(opened.converted).toBeUndefined();
    expect(opened.issues[0].message).toMatch(/custom\.json is a ComfyUI workflow that cannot be converted: node 10: ComfyUI class "SomeCustomNode" is not supported/);
  });

  it('opens a ComfyUI PNG; `prompt` wins over `workflow`', async () => {
    const api = JSON.parse(text('txt2img-api.json'));
    api['6'].inputs.text = 'from the prompt chunk';
    const png = encodePng(pixel, { text: { prompt: JSON.stringify(api), workflow: text('txt2img-ui.json') } });
    const opened = await openGraphFile(file(png, 'ComfyUI_00001_.png'), catalog);
    expect(opened.converted).toMatch(/API format/);
    expect(JSON.stringify(opened.doc!.nodes)).toContain('from the prompt chunk');
    const onlyWorkflow = await openGraphFile(file(encodePng(pixel, { text: { workflow: text('txt2img-ui.json') } }), 'ui.png'), catalog);
    expect(onlyWorkflow.converted).toMatch(/UI format/);
  });

  it('a PNG with neither a graph nor a workflow, and plain LatentLoom graphs, are as before', async () => {
    const bare = await openGraphFile(file(encodePng(pixel), 'photo.png'), catalog);
    expect(bare.doc).toBeUndefined();
    expect(bare.issues[0].message).toMatch(/holds no graph/);
    const graph = readFileSync(join(import.meta.dirname, '../../graphs/toy-txt2img.json'), 'utf8');
    expect(isComfyWorkflowText(graph)).toBe(false);
    const opened = openGraphText(graph, 'toy-txt2img.json', catalog);
    expect(opened.doc).toBeDefined();
    expect(opened.converted).toBeUndefined();
  });

  it('recognises ComfyUI text for paste, and not other JSON', () => {
    expect(isComfyWorkflowText(text('txt2img-api.json'))).toBe(true);
    expect(isComfyWorkflowText(text('txt2img-ui.json'))).toBe(true);
    expect(isComfyWorkflowText('{"a": 1}')).toBe(false);
    expect(isComfyWorkflowText('not json')).toBe(false);
  });
});
