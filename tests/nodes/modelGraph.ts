/** Test helpers: single-step text-to-image graphs over the model nodes, run through the engine. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GraphDocument, GraphNode } from '../../src/graph/document.ts';
import { REPO_ROOT } from '../../src/runtime/node/index.ts';

type NodeSpec = [id: string, type: string, params?: Record<string, unknown>];
type EdgeSpec = [from: string, to: string];

export function graph(models: Record<string, string>, nodes: NodeSpec[], edges: EdgeSpec[]): GraphDocument {
  return {
    format: 'latentloom.graph',
    version: 1,
    meta: { title: 'test' },
    models: Object.fromEntries(Object.entries(models).map(([k, source]) => [k, { source }])),
    nodes: nodes.map(([id, type, params]): GraphNode => ({ id, type, version: 1, params: params ?? {} })),
    edges: edges.map(([from, to]) => {
      const [fn, fp] = from.split('.');
      const [tn, tp] = to.split('.');
      return { from: { node: fn, port: fp }, to: { node: tn, port: tp } };
    }),
  };
}

/** load → tokenize/encode (positive, optional negative) → empty latent → denoise → vae/decode. */
export function oneStepGraph(
  source: string,
  opts: { negative?: boolean; timestep?: number; denoise?: Record<string, unknown>; size?: number } = {},
): GraphDocument {
  const size = opts.size ?? 64;
  const nodes: NodeSpec[] = [
    ['load', 'model/load', { model: 'sd' }],
    ['pos_text', 'text/prompt', { text: 'a red circle on a blue square' }],
    ['pos_tok', 'text/tokenize', {}],
    ['pos_enc', 'text/encode', {}],
    ['latent', 'latent/empty', { width: size, height: size, batch: 1, channels: 4 }],
    ['t', 'const/float', { value: opts.timestep ?? 999 }],
    ['denoise', 'diffusion/denoise', opts.denoise ?? {}],
    ['decode', 'vae/decode', {}],
  ];
  const edges: EdgeSpec[] = [
    ['load.tokenizer', 'pos_tok.tokenizer'],
    ['pos_text.text', 'pos_tok.text'],
    ['load.text_encoder', 'pos_enc.encoder'],
    ['pos_tok.tokens', 'pos_enc.tokens'],
    ['load.denoiser', 'denoise.denoiser'],
    ['latent.latent', 'denoise.latent'],
    ['t.value', 'denoise.timestep'],
    ['pos_enc.conditioning', 'denoise.positive'],
    ['load.vae', 'decode.vae'],
    ['denoise.noise_pred', 'decode.latent'],
  ];
  if (opts.negative) {
    nodes.push(['neg_text', 'text/prompt', { text: 'blurry' }], ['neg_tok', 'text/tokenize', {}], ['neg_enc', 'text/encode', {}]);
    edges.push(
      ['load.tokenizer', 'neg_tok.tokenizer'],
      ['neg_text.text', 'neg_tok.text'],
      ['load.text_encoder', 'neg_enc.encoder'],
      ['neg_tok.tokens', 'neg_enc.tokens'],
      ['neg_enc.conditioning', 'denoise.negative'],
    );
  }
  return graph({ sd: source }, nodes, edges);
}

const toyGraph = JSON.parse(readFileSync(join(REPO_ROOT, 'graphs', 'toy-txt2img.json'), 'utf8')) as GraphDocument;

/**
 * The shipped toy text-to-image graph pointed at another package: 64×64 image (8×8 latent) unless
 * told, 4 steps unless told, no file output.
 */
export function txt2imgGraph(dir: string, opts: { steps?: number; batchedCfg?: boolean; size?: number } = {}): GraphDocument {
  const g = structuredClone(toyGraph);
  g.models = { toy: { source: dir } };
  g.nodes = g.nodes.filter((n) => n.type !== 'image/save' && n.type !== 'image/preview');
  g.edges = g.edges.filter((e) => g.nodes.some((n) => n.id === e.to.node));
  const byId = (id: string) => g.nodes.find((n) => n.id === id)!;
  byId('scheduler').params.steps = opts.steps ?? 4;
  Object.assign(byId('noise').params, { width: opts.size ?? 64, height: opts.size ?? 64, downscale: 8 });
  byId('negative').params.text = 'blurry, low quality';
  if (opts.batchedCfg) {
    // One denoise node with positive and negative → both predictions from one batch-2 call.
    // The negative conditioning comes from wherever it fed the second denoise (the text-encoding subgraph).
    const negative = g.edges.find((e) => e.to.node === 'denoise_negative' && e.to.port === 'positive')!.from;
    g.nodes = g.nodes.filter((n) => n.id !== 'denoise_negative');
    g.edges = g.edges.filter((e) => e.to.node !== 'denoise_negative' && e.from.node !== 'denoise_negative');
    g.edges.push(
      { from: negative, to: { node: 'denoise', port: 'negative' } },
      { from: { node: 'denoise', port: 'noise_pred_uncond' }, to: { node: 'cfg', port: 'uncond' } },
    );
  }
  return g;
}

