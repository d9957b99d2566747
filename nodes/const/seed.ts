import { defineNode } from '../define.ts';

/** Largest seed that survives JSON (see SeedParam). */
const MAX_SEED = Number.MAX_SAFE_INTEGER;

export const constSeed = defineNode({
  type: 'const/seed',
  version: 1,
  title: 'Seed',
  category: 'const',
  description: 'A fixed random seed (an integer in [0, 2^53 - 1]).',
  inputs: {},
  outputs: { seed: { type: 'SEED' } },
  params: { seed: { kind: 'seed', default: 0 } },
  run(_ctx, _inputs, params) {
    const seed = params.seed;
    if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
      throw new Error(`param "seed" must be an integer in [0, ${MAX_SEED}], got ${String(seed)}`);
    }
    return { seed };
  },
});
