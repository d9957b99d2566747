#!/usr/bin/env node
// Launcher: runs the TypeScript CLI in this same process through tsx's ESM loader, so no build
// step is needed and there is no child process to orphan or to lose Ctrl+C on the way to.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
