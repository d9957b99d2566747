/**
 * What a host (CLI, tests, worker) provides to nodes through `ctx.services`.
 * Each field is optional: a node that needs one it lacks fails with a clear error.
 */
import type { RunContext } from '../src/graph/nodeSpec.ts';
import type { Runtime } from '../src/runtime/runtime.ts';

export interface NodeServices {
  /** ONNX runtime and model packages (src/runtime): sessions via `runtime.session(handle.model)`. */
  runtime?: Runtime;
  /** Writes an output file (Node: under the CLI's --out DIR) and returns where it went. */
  writeFile?(name: string, bytes: Uint8Array): Promise<string>;
  /** Reads a local file (Node), for `image/load` and folder model packages. */
  readFile?(path: string): Promise<Uint8Array>;
  /** A cheap identity of a local file's current content (Node: size and modification time). */
  fileStamp?(path: string): Promise<string>;
}

export function servicesOf(ctx: RunContext): NodeServices {
  return (ctx.services ?? {}) as NodeServices;
}
