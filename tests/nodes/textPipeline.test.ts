/**
 * model/load → text/tokenize → text/encode as a graph run by the engine, on a tiny SD package
 * with float16 I/O (tests/fixtures/tinySd.ts): the handles of model/load feed the text nodes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../../src/engine/index.ts';
import type { GraphDocument } from '../../src/graph/document.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import type { ConditioningValue } from '../../nodes/types.ts';
import { createNodeBackend } from '../../src/runtime/backends/node.ts';
import { createNodeRuntime } from '../../src/runtime/node/index.ts';
import { writeTinySdPackage } from '../fixtures/tinySd.ts';

describe('text nodes in an engine run on a tiny fp16 SD package', () => {
  const root = mkdtempSync(join(tmpdir(), 'latentloom-text-'));
  const pkg = writeTinySdPackage(join(root, 'sd15-fp16'), 'sd15-fp16');
  const runtime = createNodeRuntime({ backend: createNodeBackend({ intraOpNumThreads: 1 }) });
  const engine = createEngine({ registry: defaultRegistry(), services: { runtime } });
  afterAll(async () => {
    await runtime.release();
    rmSync(root, { recursive: true, force: true });
  });

  function graph(text: string): GraphDocument {
    const node = (id: string, type: string, params: Record<string, unknown>) => ({ id, type, version: 1, params, ui: { x: 0, y: 0 } });
    const edge = (a: string, ap: string, b: string, bp: string) => ({ from: { node: a, port: ap }, to: { node: b, port: bp } });
    return {
      format: 'latentloom.graph',
      version: 1,
      meta: {},
      models: { sd: { source: pkg.dir } },
      nodes: [
        node('model', 'model/load', { model: 'sd' }),
        node('prompt', 'text/prompt', { text }),
        node('tokens', 'text/tokenize', { weighting: true, min_chunks: 1, chunking: 'comfyui' }),
        node('encode', 'text/encode', { weighting: 'comfyui' }),
      ],
      edges: [
        edge('model', 'tokenizer', 'tokens', 'tokenizer'),
        edge('prompt', 'text', 'tokens', 'text'),
        edge('model', 'text_encoder', 'encode', 'encoder'),
        edge('tokens', 'tokens', 'encode', 'tokens'),
      ],
    };
  }

  async function encode(text: string): Promise<ConditioningValue> {
    const result = await engine.run(graph(text), { outputs: ['encode'] });
    expect(result.error).toBeUndefined();
    return result.outputs.encode.conditioning as ConditioningValue;
  }

  it('encodes a short prompt to [1, 77, 768] float32 from a float16 model', async () => {
    const cond = await encode('a red circle');
    expect(cond.hiddenStates.shape).toEqual([1, 77, 768]);
    expect(cond.hiddenStates.dtype).toBe('float32');
    expect(cond.emptyChunk?.shape).toEqual([1, 77, 768]);
    expect(cond.hiddenStates.data.every(Number.isFinite)).toBe(true);
  });

  it('encodes a 120-character prompt (one token per character here) as two chunks', async () => {
    const cond = await encode('x'.repeat(120));
    expect(cond.hiddenStates.shape).toEqual([1, 154, 768]);
  });

  it('weights move only the weighted tokens', async () => {
    const plain = await encode('ab cd');
    const weighted = await encode('ab (cd:1.5)');
    const d = 768;
    const diffAt = (t: number) => {
      let m = 0;
      for (let i = 0; i < d; i++) m = Math.max(m, Math.abs(plain.hiddenStates.data[t * d + i] - weighted.hiddenStates.data[t * d + i]));
      return m;
    };
    // BOS a b c d EOS: tokens 1–2 keep weight 1, 3–4 ("c", "d") get 1.5.
    expect(diffAt(1)).toBe(0);
    expect(diffAt(2)).toBe(0);
    expect(diffAt(3)).toBeGreaterThan(0);
    expect(diffAt(4)).toBeGreaterThan(0);
  });
});
