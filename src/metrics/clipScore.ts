/**
 * CLIP score as torchmetrics' `CLIPScore` defines it: for each (image, caption) pair,
 * 100 × cos(E_image, E_text), floored at 0; the reported score is the mean over the pairs.
 */

export interface ClipScores {
  /** One score per image, in [0, 100]. */
  scores: number[];
  mean: number;
}

/** 100 · max(cos(a, b), 0) of two vectors (0 when either is zero). */
export function clipScoreOf(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`CLIP score: image and text embeddings have different widths (${a.length} and ${b.length})`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  if (na === 0 || nb === 0) return 0;
  return 100 * Math.max(dot / Math.sqrt(na * nb), 0);
}

/**
 * Scores of image embeddings [B, D] against text embeddings [T, D]: T = B pairs them in order,
 * T = 1 scores every image against the one text.
 */
export function clipScores(images: ArrayLike<number>, imageCount: number, texts: ArrayLike<number>, textCount: number): ClipScores {
  if (imageCount < 1) throw new Error('CLIP score: no images');
  if (textCount !== 1 && textCount !== imageCount) {
    throw new Error(`CLIP score: ${textCount} prompts for ${imageCount} images; give one prompt, or one per image`);
  }
  const dim = images.length / imageCount;
  if (!Number.isInteger(dim) || texts.length !== textCount * dim) {
    throw new Error(`CLIP score: image embeddings are ${dim} wide but text embeddings ${texts.length / textCount}`);
  }
  const slice = (v: ArrayLike<number>, i: number) => Array.prototype.slice.call(v, i * dim, (i + 1) * dim) as number[];
  const scores: number[] = [];
  for (let i = 0; i < imageCount; i++) scores.push(clipScoreOf(slice(images, i), slice(texts, textCount === 1 ? 0 : i)));
  return { scores, mean: scores.reduce((s, v) => s + v, 0) / scores.length };
}
