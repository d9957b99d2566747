/** The wasm thread count from the setting and the machine (src/runtime/threads.ts). */
import { describe, expect, it } from 'vitest';
import { parseThreadSetting, wasmThreadCount } from '../../src/runtime/threads.ts';

describe('wasmThreadCount', () => {
  it('auto: one thread on up to 2 cores, all cores but one beyond, at most 4', () => {
    const at = (cores: number) => wasmThreadCount('auto', { hardwareConcurrency: cores, crossOriginIsolated: true });
    expect([1, 2, 3, 4, 6, 16].map(at)).toEqual([1, 1, 2, 3, 4, 4]);
    expect(wasmThreadCount('auto', {})).toBe(1);
  });

  it('takes a number as it is, and one thread without cross-origin isolation', () => {
    expect(wasmThreadCount(2, { hardwareConcurrency: 2, crossOriginIsolated: true })).toBe(2);
    expect(wasmThreadCount(8, { hardwareConcurrency: 8, crossOriginIsolated: false })).toBe(1);
  });

  it('refuses a count that is not a whole number from 1 to 16', () => {
    for (const bad of [0, -1, 1.5, 17, Number.NaN]) expect(() => wasmThreadCount(bad, {})).toThrow(/wasm thread count must be "auto" or a whole number from 1 to 16/);
  });

  it('reads a stored setting, anything unknown as auto', () => {
    expect([null, '', 'auto', '2', '0', '3.5', 'x', '99'].map(parseThreadSetting)).toEqual(['auto', 'auto', 'auto', 2, 'auto', 'auto', 'auto', 'auto']);
  });
});
