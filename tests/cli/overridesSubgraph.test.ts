/** `--set` reaches nodes inside subgraphs by their flat ids, and the overridden graph runs. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyOverrides } from '../../src/cli/overrides.ts';
import { loadGraph } from '../../src/persistence/load.ts';
import { createEngine } from '../../src/engine/index.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { subgraphMathGraph } from '../graph/subgraphFixtures.ts';

const registry = defaultRegistry();

describe('--set inside subgraphs', () => {
  it('overrides an inner param by flat id; the run uses it', async () => {
    const graph = applyOverrides(subgraphMathGraph(), ['sg/plus.bias=10', 'x.value=2'], registry);
    const result = await createEngine({ registry }).run(graph, { outputs: ['after'] });
    expect(result.outputs.after.result).toBe(2 * 2 + 10 + 0.5);
    expect(() => applyOverrides(subgraphMathGraph(), ['sg/nope.bias=1'], registry)).toThrow('the graph has no node "sg/nope"');
  });

  it('the default graph takes --set on its text encoding', () => {
    const loaded = loadGraph(readFileSync(join(import.meta.dirname, '../../graphs/toy-txt2img.json'), 'utf8'));
    if (!loaded.ok) throw new Error('toy-txt2img.json does not load');
    const graph = applyOverrides(loaded.graph, ['text_encoding/tokenize.weighting=false', 'scheduler.steps=4'], registry);
    expect(graph.nodes.find((n) => n.id === 'text_encoding/tokenize')!.params.weighting).toBe(false);
    expect(graph.nodes.find((n) => n.id === 'scheduler')!.params.steps).toBe(4);
  });
});
