#!/usr/bin/env node
// Launcher: runs the CLI in this one process, from a bundle built on first run and rebuilt when a
// source changes (bin/cliBundle.mjs), so start-up does not compile TypeScript. LATENTLOOM_DEV=1
// runs the sources through tsx's loader instead (also the fallback when the bundle cannot be built).
import { pathToFileURL } from 'node:url';

async function fromSources() {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}

if (process.env.LATENTLOOM_DEV === '1') {
  await fromSources();
} else {
  let bundle;
  try {
    bundle = await (await import('./cliBundle.mjs')).ensureBundle();
  } catch (error) {
    process.stderr.write(`latentloom: could not build the CLI bundle (${error?.message ?? error}); running from the sources\n`);
  }
  if (bundle) await import(pathToFileURL(bundle).href);
  else await fromSources();
}
