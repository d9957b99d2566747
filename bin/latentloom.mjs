#!/usr/bin/env node
// Launcher: runs the CLI in this one process, from a bundle built on first run and rebuilt when a
// source changes (bin/cliBundle.mjs), through a V8 code cache per command (bin/codeCache.mjs), so
// start-up neither compiles TypeScript nor parses the bundle. LATENTLOOM_DEV=1 runs the sources
// through tsx's loader instead (also the fallback when the bundle cannot be built).
import { ensureBundle } from './cliBundle.mjs';
import { runWithCodeCache } from './codeCache.mjs';

/** Commands with a code cache of their own (each compiles different functions); anything else shares one. */
const CACHED_COMMANDS = new Set(['validate', 'run', 'convert', 'import', 'sweep', 'serve', 'worker']);

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
    bundle = await ensureBundle();
  } catch (error) {
    process.stderr.write(`latentloom: could not build the CLI bundle (${error?.message ?? error}); running from the sources\n`);
  }
  if (bundle) {
    const command = process.argv[2];
    const { cacheUsed, saveCache } = runWithCodeCache(bundle, `${bundle}.${CACHED_COMMANDS.has(command) ? command : 'other'}.v8cache`);
    // A missing or refused cache is written when the command is done, so it holds what the command compiled.
    if (!cacheUsed) process.once('exit', saveCache);
  } else await fromSources();
}
