/** The engine layer's public surface. */
export { createEngine, type Engine, type EngineOptions } from './engine.ts';
export type { EngineEvent, EngineEventType, NodeRunStats, NodeStatus, RunError, RunOptions, RunResult, RunStats, ZoneIterationInfo } from './events.ts';
export type { CacheStats } from './cache.ts';
export { DEFAULT_CACHE_BYTES, DEFAULT_CACHE_ENTRIES_PER_NODE, defaultCacheBudget } from './cache.ts';
export { canonicalJson, hashString, nodeSignature, valueBytes, collectBuffers } from './signature.ts';
export { planRun, type Plan, type PlanStep, type PlannedNode } from './plan.ts';
export type { GraphValidator } from './validator.ts';
