/**
 * The runtime layer's public surface (browser-safe: no onnxruntime or node: imports here).
 * Backends: src/runtime/backends/{node,web}.ts; Node host wiring: src/runtime/node/index.ts.
 */
export * from './types.ts';
export { createRuntime, requireRuntime, fileRefFromLocation, STANDARD_PACKAGE_FILES } from './runtime.ts';
export type { Runtime, PackageResolvers, ModelRefLike, DownloadEvent } from './runtime.ts';
export { SessionCache } from './session.ts';
export type { SessionRequest } from './session.ts';
export { ModelPackage, PACKAGE_FILES, DEFAULT_VAE_SCALING_FACTOR, packageModelFile } from './package.ts';
export type { PackageSource, DownloadProgress } from './package.ts';
export { urlSource } from './urlSource.ts';
export type { DownloadStore, DownloadSink, UrlSourceOptions, UrlPackageSource, ExpectedFile } from './urlSource.ts';
export { castTensor, prepareFeeds } from './convert.ts';
export { packageFileRef } from './handles.ts';
export type {
  ModelFileRef,
  ModelPackageHandle,
  TextEncoderHandle,
  DenoiserHandle,
  VaeHandle,
  OnnxModelHandle,
} from './handles.ts';
export { memoryDownloadStore, sha256Hex } from './memoryStore.ts';
