/**
 * Node worker_threads entry (tests, and hosts that want the engine off their main thread): the
 * same API as the browser worker, over comlink's Node adapter.
 */
import { parentPort } from 'node:worker_threads';
import * as Comlink from 'comlink';
import { nodeEndpoint } from './nodeEndpoint.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { createEngineWorkerApi } from './engineApi.ts';

if (!parentPort) throw new Error('nodeWorkerEntry.ts must run inside a worker_threads Worker');

const api = createEngineWorkerApi({ registry: defaultRegistry(), services: {} });
// Test hook: lets a test kill the worker to exercise the client's crash recovery.
Comlink.expose(
  {
    ...api,
    crashForTest(): void {
      setTimeout(() => process.exit(3), 0);
    },
  },
  nodeEndpoint(parentPort),
);
