import { RunStore } from '../../src/ui/run/runStore.ts';
import { zoneSummary } from '../../src/ui/run/useRunStore.ts';

describe('zone frame summary (iterations and time of the last run)', () => {
  it('counts iterations while running, then adds the summed time of the members', () => {
    const runs = new RunStore();
    const members = ['in', 'body', 'out'];
    expect(zoneSummary(runs.getSnapshot().nodes, members, 'out')).toBeUndefined();
    runs.begin(['in', 'body', 'out']);
    runs.nodeStart('out');
    runs.nodeProgress('out', 2, 4);
    expect(zoneSummary(runs.getSnapshot().nodes, members, 'out')).toBe('2/4 iterations');
    runs.nodeProgress('out', 4, 4);
    runs.nodeFinish('in', 1.5, false);
    runs.nodeFinish('body', 30, false);
    runs.nodeFinish('out', 2.4, false);
    expect(zoneSummary(runs.getSnapshot().nodes, members, 'out')).toBe('4 iterations · 34 ms');
    expect(zoneSummary(runs.getSnapshot().nodes, members, undefined)).toBeUndefined();
  });
});
