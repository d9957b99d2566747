/** The sweep plan: value lists, product and zip, job ids, and the manifest of a resumed sweep. */
import { doneJobs, jobId, parseAxis, planSweep } from '../../src/cli/sweepPlan.ts';

const noFiles = () => {
  throw new Error('no file expected');
};

describe('sweep axes', () => {
  it('reads ranges, steps, lists, single values and @files', () => {
    expect(parseAxis('seed.seed=1..4', noFiles).values).toEqual(['1', '2', '3', '4']);
    expect(parseAxis('seed.seed=10..1:4', noFiles).values).toEqual(['10', '6', '2']);
    expect(parseAxis('cfg.scale=1,3,5,7.5', noFiles).values).toEqual(['1', '3', '5', '7.5']);
    // Decimal ranges, written with the spec's decimals (no 0.30000000000000004).
    expect(parseAxis('cfg.scale=1..10:1.5', noFiles).values).toEqual(['1', '2.5', '4', '5.5', '7', '8.5', '10']);
    expect(parseAxis('cfg.rescale=0..0.5:0.1', noFiles).values).toEqual(['0', '0.1', '0.2', '0.3', '0.4', '0.5']);
    expect(parseAxis('x.y=2.5..1', noFiles).values).toEqual(['2.5', '1.5']);
    expect(() => parseAxis('x.y=1..2:0', noFiles)).toThrow(/step of 1\.\.2:0 must be more than 0/);
    // Text with commas stays one value: only number lists are split.
    expect(parseAxis('prompt.text=a red circle, on black', noFiles).values).toEqual(['a red circle, on black']);
    const axis = parseAxis('prompt.text=@prompts.txt', (p) => (p === 'prompts.txt' ? 'one\n\n# a comment\ntwo\r\n' : ''));
    expect(axis).toEqual({ key: 'prompt.text', values: ['one', 'two'] });
  });

  it('refuses what cannot be a plan, saying why', () => {
    expect(() => parseAxis('seed', noFiles)).toThrow(/NODE\.PARAM=VALUES/);
    expect(() => parseAxis('seed.seed=1..9999999999', noFiles)).toThrow(/limit/);
    expect(() => parseAxis('prompt.text=@empty.txt', () => '\n')).toThrow(/no values/);
    expect(() => planSweep([], false)).toThrow(/at least one/);
    const a = { key: 'a.x', values: ['1', '2'] };
    expect(() => planSweep([a, a], false)).toThrow(/twice/);
    expect(() => planSweep([a, { key: 'b.y', values: ['1'] }], true)).toThrow(/one length/);
  });
});

describe('sweep jobs', () => {
  const seeds = { key: 'seed.seed', values: ['1', '2', '3'] };
  const cfg = { key: 'cfg.scale', values: ['1', '7'] };

  it('is the product of the lists, first list slowest', () => {
    const jobs = planSweep([seeds, cfg], false);
    expect(jobs.map((j) => Object.values(j.overrides).join('/'))).toEqual(['1/1', '1/7', '2/1', '2/7', '3/1', '3/7']);
    expect(new Set(jobs.map((j) => j.id)).size).toBe(6);
  });

  it('pairs the lists with zip', () => {
    const jobs = planSweep([{ ...seeds, values: ['1', '2'] }, cfg], true);
    expect(jobs.map((j) => j.overrides)).toEqual([{ 'seed.seed': '1', 'cfg.scale': '1' }, { 'seed.seed': '2', 'cfg.scale': '7' }]);
  });

  it('gives a job the same id in every plan that has it', () => {
    const small = planSweep([seeds], false);
    const big = planSweep([{ ...seeds, values: ['0', '1', '2', '3', '4'] }], false);
    expect(big.filter((j) => small.some((s) => s.id === j.id))).toHaveLength(3);
    expect(jobId({ 'seed.seed': '1' })).toBe(small[0].id);
  });

  it('reads done jobs from a manifest, not failed ones nor a torn last line', () => {
    const text = [
      JSON.stringify({ job: 'a', overrides: {}, files: ['x.png'], seconds: 1 }),
      JSON.stringify({ job: 'b', overrides: {}, files: [], seconds: 1, error: 'boom' }),
      '{"job":"c","overri',
    ].join('\n');
    expect([...doneJobs(text).keys()]).toEqual(['a']);
  });
});
