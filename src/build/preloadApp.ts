/**
 * The editor's entry (src/ui/main.tsx) loads the app with a dynamic import, so that it can start
 * the engine worker first. Left alone, the browser would only learn of the app's chunk once the
 * entry has been fetched and run; this Vite plugin lists that chunk and the chunks it imports
 * statically as `<link rel="modulepreload">` in the built index.html, so they download beside
 * the entry from the first byte of the page (with the CSS those chunks import, as stylesheets).
 * With `worker`, it also puts an inline script at the top of the page that starts the engine
 * worker at once (src/worker/startedWorker.ts): before the stylesheets, which module scripts
 * wait for, and before the entry itself has downloaded.
 */
import type { Plugin } from 'vite';
import { startWorkerScript } from '../worker/startedWorker.ts';

export interface PreloadAppOptions {
  /** The dynamically imported module's path, as it ends (e.g. `/src/ui/app/startEditor.tsx`). */
  app: string;
  /** The built worker's file name (e.g. /engineWorker-[\w-]+\.js$/), to start it from the page's HTML. */
  worker?: RegExp;
}

export function preloadApp({ app, worker }: PreloadAppOptions): Plugin {
  let base = '/';
  return {
    name: 'latentloom-preload-app',
    apply: 'build',
    configResolved(config) {
      base = config.base;
    },
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        if (!ctx.bundle) return [];
        const chunks = Object.values(ctx.bundle).filter((c) => c.type === 'chunk');
        const root = chunks.find((c) => c.facadeModuleId?.endsWith(app));
        if (!root) throw new Error(`preloadApp: no chunk is built from ${app}; was it renamed?`);
        const byName = new Map(chunks.map((c) => [c.fileName, c]));
        // The app's chunk and what it imports statically, less the entry (the page loads it anyway).
        const scripts: string[] = [];
        const styles = new Set<string>();
        const visit = (fileName: string) => {
          const chunk = byName.get(fileName);
          if (!chunk || chunk.isEntry || scripts.includes(fileName)) return;
          scripts.push(fileName);
          for (const css of chunk.viteMetadata?.importedCss ?? []) styles.add(css);
          for (const dep of chunk.imports) visit(dep);
        };
        visit(root.fileName);
        const workerFile = worker && Object.keys(ctx.bundle).find((file) => worker.test(file));
        if (worker && !workerFile) throw new Error(`preloadApp: no built file matches ${worker}; was the worker renamed?`);
        return [
          ...(workerFile ? [{ tag: 'script', children: startWorkerScript(`${base}${workerFile}`), injectTo: 'head-prepend' as const }] : []),
          ...[...styles].map((file) => ({ tag: 'link', attrs: { rel: 'stylesheet', crossorigin: true, href: `${base}${file}` }, injectTo: 'head' as const })),
          ...scripts.map((file) => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `${base}${file}` }, injectTo: 'head' as const })),
        ];
      },
    },
  };
}
