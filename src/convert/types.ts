/** Shared types of the model readers and converters. */

/** A weight as the readers give it: float32 in row-major order. */
export interface WeightTensor {
  shape: number[];
  data: Float32Array;
}

/** Parameter name (as in the checkpoint) → weight, in file order. */
export type StateDict = Map<string, WeightTensor>;

/** A model file that cannot be read or converted; the message names the file and what is wrong. */
export class ConvertError extends Error {
  override name = 'ConvertError';
}
