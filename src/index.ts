/**
 * LatentLoom library entry: what the CLI, the tests and embedders use.
 * Each layer adds its exports here.
 */
export * from './graph/document.ts';
export * from './graph/portTypes.ts';
export * from './graph/nodeSpec.ts';
export * from './graph/registry.ts';
export { Tensor, shapeSize, isTensorLike, DATA_ARRAY_TYPES } from './tensor/tensor.ts';
export * from './tensor/ops.ts';
export type { DType, TensorLike, TensorData } from './tensor/tensor.ts';
export * from './tensor/fp16.ts';
export * from './tensor/png.ts';
export * from './tensor/image.ts';
export * from './tensor/torchGenerator.ts';
export * from './diffusion/clipTokenizer.ts';
// Graph documents: load/save, validation, connection checks, edit operations.
export { loadGraph } from './persistence/load.ts';
export type { LoadOptions, LoadResult } from './persistence/load.ts';
export { saveGraph, saveGraphText } from './persistence/save.ts';
export { DEFAULT_LIMITS } from './persistence/limits.ts';
export type { GraphLimits } from './persistence/limits.ts';
export { ComfyImportError, SUPPORTED_CLASSES as COMFY_SUPPORTED_CLASSES, detectComfyFormat, importComfyWorkflow } from './interop/comfy/index.ts';
export type { ComfyFormat, ComfyImportResult, ImportOptions as ComfyImportOptions } from './interop/comfy/index.ts';
export { FORMAT_MIGRATIONS, migrateDocument } from './persistence/migrations.ts';
export type { FormatMigration } from './persistence/migrations.ts';
export { validateGraph, isError } from './graph/validate.ts';
export { paramValueProblem } from './graph/validateParams.ts';
export { checkConnection } from './graph/connection.ts';
export type { ConnectionCheck } from './graph/connection.ts';
export * as edits from './graph/editOps.ts';
export type { DocDraft } from './graph/edits.ts';
export type { GroupIds, GroupOptions } from './graph/zoneEdits.ts';
export { upgradeNodes, migratedParams } from './graph/upgradeNodes.ts';
// Engine, topology and repeat zones, shipped nodes.
export { topologicalOrder, reachable } from './graph/topology.ts';
export type { TopologyResult } from './graph/topology.ts';
export { analyzeZones, zoneStateItems, REPEAT_INPUT_TYPE, REPEAT_OUTPUT_TYPE } from './graph/zones.ts';
export type { ZoneInfo, ZoneAnalysis } from './graph/zones.ts';
export { flattenSubgraphs, subgraphPorts, expandSubgraphIds, isSubgraphNode, SUBGRAPH_ID_SEPARATOR } from './graph/subgraphs.ts';
export type { FlattenResult } from './graph/subgraphs.ts';
export { makeSubgraph, unpackSubgraph } from './graph/subgraphEdits.ts';
export type { MakeSubgraphOptions, PortTypeOf } from './graph/subgraphEdits.ts';
export { collapsedZones, collapsedZoneBox, setZoneCollapsed, COLLAPSED_ZONE_PREFIX } from './graph/zoneCollapse.ts';
export type { CollapsedZoneBox } from './graph/zoneCollapse.ts';
export { createEngine, DEFAULT_CACHE_BYTES, DEFAULT_CACHE_ENTRIES_PER_NODE, defaultCacheBudget } from './engine/index.ts';
export type { Engine, EngineOptions, EngineEvent, EngineEventType, NodeRunStats, NodeStatus, RunError, RunOptions, RunResult, RunStats, CacheStats } from './engine/index.ts';
export { defaultRegistry, ALL_NODES } from '../nodes/index.ts';
export type { NodeServices } from '../nodes/services.ts';
// Schedules, schedulers and guidance.
export * from './diffusion/index.ts';
// Prompt weighting and chunking, resampling, tiling.
export * from './diffusion/promptWeighting.ts';
export * from './tensor/resample.ts';
export * from './tensor/tiling.ts';
export { latentToRgbPreview, SD15_LATENT_RGB_FACTORS } from '../nodes/latent/preview.ts';
// ONNX writer/reader, ONNX runtime layer, model packages. Backends and Node host
// wiring are separate entry points so this one stays browser-safe:
// src/runtime/backends/{node,web}.ts, src/runtime/node/index.ts (createNodeRuntime).
export { OnnxGraphBuilder, attr, readOnnxModelInfo, OnnxFormatError } from './onnx/index.ts';
export type { OnnxModelInfo, OnnxValueInfo, OnnxElemType, OnnxDim, OnnxModelFiles, OnnxBuilderOptions } from './onnx/index.ts';
export {
  createRuntime,
  requireRuntime,
  fileRefFromLocation,
  ModelPackage,
  PACKAGE_FILES,
  DEFAULT_VAE_SCALING_FACTOR,
  urlSource,
  packageFileRef,
  RuntimeError,
  SessionCache,
} from './runtime/index.ts';
export type {
  Runtime,
  PackageResolvers,
  PackageSource,
  DownloadStore,
  DownloadProgress,
  ModelFile,
  ModelFileRef,
  ModelSession,
  OnnxBackend,
  BackendSession,
  TensorMeta,
  FeedValue,
  SessionOptions,
  ModelPackageHandle,
  TextEncoderHandle,
  DenoiserHandle,
  VaeHandle,
  OnnxModelHandle,
} from './runtime/index.ts';
