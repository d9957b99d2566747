/** CLIP score as torchmetrics defines it: 100 × cos, floored at 0; one prompt for all images or one per image. */
import { describe, expect, it } from 'vitest';
import { clipScoreOf, clipScores } from '../../src/metrics/clipScore.ts';

describe('CLIP score', () => {
  it('is 100 × cosine, scale-free, floored at 0, and 0 for a zero vector', () => {
    expect(clipScoreOf([1, 0], [3, 0])).toBeCloseTo(100, 12);
    expect(clipScoreOf([1, 1], [1, 0])).toBeCloseTo(100 / Math.SQRT2, 12);
    expect(clipScoreOf([1, 0], [-1, 0.1])).toBe(0);
    expect(clipScoreOf([0, 0], [1, 0])).toBe(0);
  });

  it('pairs N images with N prompts in order, or scores every image against one prompt; the mean is over images', () => {
    const images = [1, 0, 0, 1, 1, 1];
    const paired = clipScores(images, 3, [1, 0, 1, 0, 0, 1], 3);
    expect(paired.scores.map((s) => +s.toFixed(6))).toEqual([100, 0, +(100 / Math.SQRT2).toFixed(6)]);
    const one = clipScores(images, 3, [0, 2], 1);
    expect(one.scores.map((s) => +s.toFixed(6))).toEqual([0, 100, +(100 / Math.SQRT2).toFixed(6)]);
    expect(one.mean).toBeCloseTo((100 + 100 / Math.SQRT2) / 3, 12);
  });

  it('refuses a prompt count that is neither 1 nor the image count, and mismatched widths', () => {
    expect(() => clipScores([1, 0, 0, 1], 2, [1, 0, 0, 1, 1, 1], 3)).toThrow(/3 prompts for 2 images/);
    expect(() => clipScores([1, 0, 0, 1], 2, [1, 0, 0], 1)).toThrow(/embeddings are 2 wide/);
  });
});
