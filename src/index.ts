/**
 * LatentLoom library entry: what the CLI, the tests and embedders use.
 * Each layer adds its exports here.
 */
export * from './graph/document.ts';
export * from './graph/portTypes.ts';
export * from './graph/nodeSpec.ts';
export * from './graph/registry.ts';
export { Tensor, shapeSize } from './tensor/tensor.ts';
export type { DType, TensorLike, TensorData } from './tensor/tensor.ts';
