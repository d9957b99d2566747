/**
 * Socket types and the one assignability rule shared by the editor's connection check,
 * the loader/validator and the engine. Keep every "can A feed B" decision here.
 */
export const PORT_TYPES = [
  'INT',
  'FLOAT',
  'STRING',
  'BOOLEAN',
  'SEED',
  'TEXT',
  'TOKENS',
  'CONDITIONING',
  'IMAGE_EMBEDDING',
  'LATENT',
  'IMAGE',
  'MASK',
  'NOISE',
  'SCHEDULE',
  'SCHEDULER_STATE',
  'TENSOR',
  'MODEL_PACKAGE',
  'TOKENIZER',
  'TEXT_ENCODER',
  'DENOISER',
  'VAE',
  'UPSCALER',
  'PRIOR',
  'ONNX_MODEL',
  'FEATURE_STATS',
  'ANY',
] as const;

export type PortType = (typeof PORT_TYPES)[number];

const PORT_TYPE_SET: ReadonlySet<string> = new Set(PORT_TYPES);

export function isPortType(name: unknown): name is PortType {
  return typeof name === 'string' && PORT_TYPE_SET.has(name);
}

/**
 * Implicit widenings. A value of the key type may flow into a socket of each listed type.
 * Numbers widen (INT → FLOAT), a seed is an integer and vice versa, STRING and TEXT are the
 * same payload (TEXT only marks prose meant for a tokenizer).
 */
const WIDENINGS: Readonly<Partial<Record<PortType, readonly PortType[]>>> = {
  INT: ['FLOAT', 'SEED'],
  SEED: ['INT'],
  STRING: ['TEXT'],
  TEXT: ['STRING'],
  MASK: ['IMAGE', 'TENSOR'],
  // These carry a plain Tensor at run time, so any TENSOR socket (onnx/model inputs, a denoiser's
  // extra inputs such as a super-resolution model's low-resolution `image`) can take them.
  IMAGE: ['TENSOR'],
  NOISE: ['TENSOR'],
  IMAGE_EMBEDDING: ['TENSOR'],
};

/** Whether an output of type `from` may be connected to an input of type `to`. */
export function isAssignable(from: PortType, to: PortType): boolean {
  if (from === to) return true;
  if (to === 'ANY' || from === 'ANY') return true;
  return WIDENINGS[from]?.includes(to) ?? false;
}
