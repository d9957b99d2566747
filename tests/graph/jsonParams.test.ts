import { ALL_NODES } from '../../nodes/index.ts';
import type { GraphDocument } from '../../src/graph/document.ts';
import { createRegistry } from '../../src/graph/registry.ts';
import { validateGraph } from '../../src/graph/validate.ts';
import { jsonObjectProblem } from '../../src/graph/validateParams.ts';

const registry = createRegistry(ALL_NODES);
const withConfig = (config: unknown): GraphDocument => ({
  format: 'latentloom.graph',
  version: 1,
  meta: {},
  models: {},
  nodes: [{ id: 'sched', type: 'sampling/scheduler', version: 1, params: { config } }],
  edges: [],
});
const configIssues = (config: unknown) => validateGraph(withConfig(config), registry).filter((i) => i.port === 'config');

describe('JSON params are checked by the validator (so while they are typed)', () => {
  it('flags invalid JSON in the scheduler config, naming node and param', () => {
    const [issue, ...rest] = configIssues('{"timestep_spacing": "trailing"');
    expect(rest).toEqual([]);
    expect(issue).toMatchObject({ node: 'sched', code: 'param-invalid', severity: 'error' });
    expect(issue.message).toMatch(/^Node "sched" \(sampling\/scheduler\): param "config" is not valid JSON \(/);
  });

  it('flags JSON that is not an object, and accepts an object or empty text', () => {
    expect(configIssues('[1, 2]')[0]?.message).toMatch(/param "config" must be a JSON object .*got an array/);
    expect(configIssues('3')[0]?.message).toMatch(/must be a JSON object .*got 3/);
    expect(configIssues('{"timestep_spacing": "trailing"}')).toEqual([]);
    expect(configIssues('  ')).toEqual([]);
    expect(jsonObjectProblem('')).toBeUndefined();
  });
});
