/** Colours for port types and node categories (dark theme). */
import type { PortType } from '../../graph/portTypes.ts';

export const PORT_COLORS: Readonly<Record<PortType, string>> = {
  INT: '#7fb4ff',
  FLOAT: '#9ad0ff',
  STRING: '#c3e88d',
  BOOLEAN: '#f78c6c',
  SEED: '#82aaff',
  TEXT: '#a5d6a7',
  TOKENS: '#ffcb6b',
  CONDITIONING: '#ffa726',
  IMAGE_EMBEDDING: '#ce93d8',
  LATENT: '#f06292',
  IMAGE: '#64b5f6',
  MASK: '#90a4ae',
  NOISE: '#ba68c8',
  SCHEDULE: '#4db6ac',
  SCHEDULER_STATE: '#26a69a',
  TENSOR: '#b0bec5',
  MODEL_PACKAGE: '#e57373',
  TOKENIZER: '#fff176',
  TEXT_ENCODER: '#ffb74d',
  DENOISER: '#b39ddb',
  VAE: '#ef5350',
  UPSCALER: '#4fc3f7',
  PRIOR: '#ab47bc',
  ONNX_MODEL: '#8d6e63',
  FEATURE_STATS: '#a1887f',
  ANY: '#e0e0e0',
};

const CATEGORY_COLORS: Readonly<Record<string, string>> = {
  flow: '#6a5acd',
  math: '#3f7f5f',
  const: '#546e7a',
  text: '#558b2f',
  model: '#b23b3b',
  models: '#b23b3b',
  diffusion: '#8e44ad',
  sampling: '#8e44ad',
  latent: '#ad1457',
  image: '#1565c0',
  output: '#00838f',
};

/** A category's header colour; unknown categories get a stable hue from their name. */
export function categoryColor(category: string): string {
  const known = CATEGORY_COLORS[category];
  if (known) return known;
  let h = 0;
  for (const ch of category) h = (h * 31 + ch.charCodeAt(0)) % 360;
  return `hsl(${h} 45% 38%)`;
}
