import { describe, expect, it } from 'vitest';
import { isAssignable, isPortType, PORT_TYPES } from '../../src/graph/portTypes.ts';

describe('isAssignable', () => {
  it('accepts identical types and ANY', () => {
    for (const t of PORT_TYPES) {
      expect(isAssignable(t, t)).toBe(true);
      expect(isAssignable(t, 'ANY')).toBe(true);
    }
  });
  it('widens INT to FLOAT but not FLOAT to INT', () => {
    expect(isAssignable('INT', 'FLOAT')).toBe(true);
    expect(isAssignable('FLOAT', 'INT')).toBe(false);
  });
  it('refuses unrelated tensors', () => {
    expect(isAssignable('LATENT', 'IMAGE')).toBe(false);
    expect(isAssignable('CONDITIONING', 'LATENT')).toBe(false);
  });
  it('knows its names', () => {
    expect(isPortType('LATENT')).toBe(true);
    expect(isPortType('latent')).toBe(false);
    expect(isPortType(42)).toBe(false);
  });
});
