/** Process entry of the `latentloom` command (bin/latentloom.mjs runs it from the bundle, or through tsx's loader). */
import { runCli } from './cli.ts';

/**
 * Exits with `code` once stdout and stderr have taken everything written to them. process.exit
 * skips the runtime's teardown at a natural exit (onnxruntime's sessions, environment and
 * library: ~5 ms); nothing is lost by it, since a command returns only after its files are
 * written whole and its servers, workers and connections are closed.
 */
function exitWhenFlushed(code: number): void {
  process.exitCode = code;
  let pending = 2;
  const flushed = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', flushed);
  process.stderr.write('', flushed);
}

runCli(process.argv.slice(2)).then(exitWhenFlushed, () => exitWhenFlushed(1));
