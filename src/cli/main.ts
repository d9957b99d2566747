/** Process entry of the `latentloom` command (bin/latentloom.mjs imports it in-process through tsx's ESM loader). */
import { runCli } from './cli.ts';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = 1;
  },
);
