/**
 * Spawns the engine worker as a Node worker_threads Worker (TypeScript loaded through tsx), as a
 * WorkerHandle for createEngineClient. Node-only: the browser client never imports this file.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { WorkerHandle } from './client.ts';
import { nodeEndpoint } from './nodeEndpoint.ts';

/** tsx's ESM register API (its `import` export), resolved from this package's dependencies. */
function tsxRegisterUrl(): string {
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve('tsx/package.json');
  const pkg = require(pkgPath) as { exports: Record<string, { import?: { default?: string } }> };
  const rel = pkg.exports['./esm/api']?.import?.default;
  if (!rel) throw new Error('tsx does not provide ./esm/api; cannot load TypeScript in a worker thread');
  return pathToFileURL(join(dirname(pkgPath), rel)).href;
}

export function nodeWorker(entry: URL = new URL('./nodeWorkerEntry.ts', import.meta.url)): WorkerHandle {
  // `--import tsx` in execArgv does not reach worker threads on Node 20, so the worker first
  // registers tsx's loader itself, then imports the TypeScript entry.
  const boot = `import(${JSON.stringify(tsxRegisterUrl())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`;
  const worker = new Worker(boot, { eval: true });
  let stderrTail = '';
  worker.stderr?.on('data', (chunk: Buffer) => (stderrTail = (stderrTail + chunk.toString()).slice(-2000)));
  return {
    endpoint: nodeEndpoint(worker),
    onCrash(callback) {
      let told = false;
      const tell = (reason: string) => {
        if (told) return;
        told = true;
        callback(reason);
      };
      worker.on('error', (error) => tell(error instanceof Error ? error.message : String(error)));
      worker.on('exit', (code) => tell(`the worker exited with code ${code}${stderrTail ? `: ${stderrTail.trim()}` : ''}`));
    },
    terminate: () => void worker.terminate(),
  };
}
