/**
 * The engine worker as the built page's HTML starts it: an inline script at the top of
 * index.html (src/build/preloadApp.ts) spawns it before any stylesheet or module has loaded, so
 * its bundle downloads and its node definitions load while the page's own scripts still do. The
 * client (client.ts) takes it over on its first spawn; without it (the dev server, Node) it
 * spawns its own.
 */

/** The global the inline script leaves the worker under. */
export const STARTED_WORKER_GLOBAL = '__latentloomWorker';
/** Set on that worker when it failed to start before the client took it over. */
export const START_ERROR_KEY = '__startError';

/** The inline script: `url` is the built worker's path. */
export function startWorkerScript(url: string): string {
  return `try{const w=new Worker(${JSON.stringify(url)},{type:"module"});w.addEventListener("error",(e)=>{w.${START_ERROR_KEY}=e.message||"the engine worker failed to load"});window.${STARTED_WORKER_GLOBAL}=w}catch(e){}`;
}

/** The worker the page started, once (later calls get undefined), and why it failed if it did. */
export function takeStartedWorker(): { worker: Worker; startError?: string } | undefined {
  const holder = globalThis as Record<string, unknown>;
  const worker = holder[STARTED_WORKER_GLOBAL] as (Worker & Record<string, unknown>) | undefined;
  if (!worker) return undefined;
  delete holder[STARTED_WORKER_GLOBAL];
  const startError = worker[START_ERROR_KEY];
  return { worker, ...(typeof startError === 'string' ? { startError } : {}) };
}
