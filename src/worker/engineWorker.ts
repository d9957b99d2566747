/**
 * Browser worker entry: the engine with every shipped node, exposed over comlink. onnxruntime-web
 * is only ever loaded here, never on the main thread.
 */
import * as Comlink from 'comlink';
import { defaultRegistry } from '../../nodes/index.ts';
import { createEngineWorkerApi } from './engineApi.ts';

// The ONNX runtime service (src/runtime, onnxruntime-web) plugs in here as `services.runtime`
// once that layer provides a browser factory.
const services = {};

Comlink.expose(createEngineWorkerApi({ registry: defaultRegistry(), services }));
