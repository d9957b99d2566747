/**
 * The built-in upscalers for the browser: their TF.js files (model.json and weight shards) live
 * in npm packages under node_modules, which the app does not serve. This Vite plugin serves them
 * as the app's own built-in packages, `/models/upscaler-<name>/<file>` (dev server), and copies
 * them there in `vite build`, so `builtin:esrgan-slim-x4` runs in the editor with nothing to
 * download from elsewhere. Only the files each model.json names are exposed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plugin } from 'vite';
import { BUILTIN_UPSCALERS, builtinUpscalerPackageId } from '../../nodes/model/upscalerSource.ts';
import { parseTfjsModelJson } from '../convert/tfjs.ts';

interface UpscalerFile {
  /** Path under the app root: models/upscaler-<name>/<file>. */
  url: string;
  path: string;
}

/** Every file of every built-in upscaler whose npm package is installed under `root`. */
export function upscalerAssetFiles(root: string): UpscalerFile[] {
  const files: UpscalerFile[] = [];
  for (const [name, model] of Object.entries(BUILTIN_UPSCALERS)) {
    const dir = join(root, 'node_modules', model.npm, model.folder);
    let text: string;
    try {
      text = readFileSync(join(dir, 'model.json'), 'utf8');
    } catch {
      continue; // the package is not installed: the node says so when asked for it
    }
    // The same check the loader makes: shard paths are plain file names beside model.json.
    const shards = parseTfjsModelJson(text, `${model.npm}/${model.folder}/model.json`).weightsManifest.flatMap((g) => g.paths);
    for (const file of ['model.json', ...shards]) files.push({ url: `models/${builtinUpscalerPackageId(name)}/${file}`, path: join(dir, file) });
  }
  return files;
}

export function upscalerAssets(root: string): Plugin {
  return {
    name: 'latentloom-upscaler-assets',
    configureServer(server) {
      const byUrl = new Map(upscalerAssetFiles(root).map((f) => [`/${f.url}`, f.path]));
      server.middlewares.use((req, res, next) => {
        const path = byUrl.get((req.url ?? '').split('?')[0]);
        if (!path) return next();
        res.setHeader('Content-Type', path.endsWith('.json') ? 'application/json' : 'application/octet-stream');
        res.end(readFileSync(path));
      });
    },
    generateBundle() {
      for (const f of upscalerAssetFiles(root)) this.emitFile({ type: 'asset', fileName: f.url, source: readFileSync(f.path) });
    },
  };
}
