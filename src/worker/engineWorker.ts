/**
 * Browser worker entry: the engine with every shipped node, exposed over comlink. onnxruntime-web
 * is only ever loaded here, never on the main thread.
 */
import * as Comlink from 'comlink';
import { defaultRegistry } from '../../nodes/index.ts';
import type { NodeServices } from '../../nodes/services.ts';
import { createEngineWorkerApi } from './engineApi.ts';
import { createBrowserRuntime } from './browserRuntime.ts';

const services: NodeServices = {};
try {
  services.runtime = await createBrowserRuntime();
} catch (error) {
  // Graphs without models still run; model nodes then fail with "no runtime" naming themselves.
  console.warn(`LatentLoom: the ONNX runtime could not start in the worker: ${error instanceof Error ? error.message : String(error)}`);
}

Comlink.expose(createEngineWorkerApi({ registry: defaultRegistry(), services }));
