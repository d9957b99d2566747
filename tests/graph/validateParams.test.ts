import { paramValueProblem, checkParamInputs, checkNodeParams } from '../../src/graph/validateParams.ts';
import type { ParamSpec } from '../../src/graph/nodeSpec.ts';
import { createRegistry } from '../../src/graph/registry.ts';
import { validateGraph } from '../../src/graph/validate.ts';
import { defineNode } from '../../nodes/define.ts';
import { graph, node } from './build.ts';

const cases: [string, ParamSpec, unknown[], unknown[]][] = [
  ['int', { kind: 'int', default: 0, min: -2, max: 5 }, [0, -2, 5], [5.5, 6, -3, '1', null, Number.NaN, Number.POSITIVE_INFINITY]],
  ['float', { kind: 'float', default: 0, min: 0, max: 1 }, [0, 0.5, 1], [1.01, -0.1, '0.5', Number.NaN, Number.NEGATIVE_INFINITY, true]],
  ['seed', { kind: 'seed', default: 0 }, [0, 42, Number.MAX_SAFE_INTEGER], [-1, 0.5, 2 ** 53, '7', null]],
  ['boolean', { kind: 'boolean', default: false }, [true, false], [0, 'true', null]],
  ['string', { kind: 'string', default: '' }, ['', 'a cat'], [1, null, ['a']]],
  ['image', { kind: 'image', default: '' }, ['in.png', 'data:image/png;base64,AA=='], [{}, 3]],
  ['model', { kind: 'model', default: '' }, ['sd15'], [null, 1]],
  ['enum', { kind: 'enum', options: ['euler', 'ddim'], default: 'euler' }, ['euler', 'ddim'], ['Euler', '', 1, null]],
  [
    'ports',
    { kind: 'ports', default: [] },
    [[], [{ name: 'latent', type: 'LATENT' }, { name: 'state', type: 'SCHEDULER_STATE' }]],
    [{}, [null], [{ name: '', type: 'LATENT' }], [{ name: 'x', type: 'NOPE' }], [{ name: 'x', type: 'INT' }, { name: 'x', type: 'FLOAT' }]],
  ],
];

describe('paramValueProblem', () => {
  describe.each(cases)('%s', (_kind, spec, good, bad) => {
    it.each(good.map((v) => [v]))('accepts %j', (value) => expect(paramValueProblem(spec, value)).toBeUndefined());
    it.each(bad.map((v) => [v]))('refuses %j with a reason', (value) => expect(paramValueProblem(spec, value)).toMatch(/\w{3}/));
  });
});

const loader = defineNode({
  type: 'test/loader',
  version: 1,
  title: 'Loader',
  category: 'test',
  description: 'Uses a model from the models table',
  inputs: { steps: { type: 'INT', optional: true } },
  outputs: { out: { type: 'INT' } },
  params: {
    model: { kind: 'model', default: '' },
    state: { kind: 'ports', default: [] },
    steps: { kind: 'int', default: 20, min: 1 },
    cfg: { kind: 'float', default: 7 },
  },
  run: () => ({ out: 0 }),
});
const registry = createRegistry([loader]);

describe('node-level param checks', () => {
  it('model params must name an entry of the models table', () => {
    const models = { sd15: { source: 'builtin:toy-shapes' } };
    expect(validateGraph(graph([node('l', 'test/loader', { model: 'sd15' })], [], { models }), registry)).toEqual([]);
    expect(validateGraph(graph([node('l', 'test/loader', { model: 'sd21' })], [], { models }), registry)).toMatchObject([
      { code: 'unknown-model', node: 'l', port: 'model' },
    ]);
    // The empty default means "not chosen yet" and is not reported here.
    expect(validateGraph(graph([node('l', 'test/loader', {})]), registry)).toEqual([]);
  });

  it('paramInputs may name convertible params only, once, not clashing with an input', () => {
    const codes = (list: unknown) => checkParamInputs({ ...node('l', 'test/loader'), paramInputs: list as string[] }, loader).map((i) => i.message);
    expect(codes(['cfg'])).toEqual([]);
    expect(codes(['model'])).toEqual([expect.stringContaining('a model param')]);
    expect(codes(['state'])).toEqual([expect.stringContaining('a ports param')]);
    expect(codes(['cfg', 'cfg'])).toEqual([expect.stringContaining('twice')]);
    expect(codes(['steps'])).toEqual([expect.stringContaining('clashes')]);
    expect(codes(['toString'])).toEqual([expect.stringContaining('not a param')]);
    expect(codes('cfg')).toEqual([expect.stringContaining('must be a list')]);
  });

  it('inherited object keys are not params', () => {
    expect(checkNodeParams(node('l', 'test/loader', { constructor: 1 }), loader, { models: {} })).toMatchObject([
      { code: 'unknown-param', severity: 'warning' },
    ]);
  });
});
