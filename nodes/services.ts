/**
 * What a host (CLI, tests, worker) provides to nodes through `ctx.services`.
 * Each field is optional: a node that needs one it lacks fails with a clear error.
 */
import type { RunContext } from '../src/graph/nodeSpec.ts';
import type { Runtime } from '../src/runtime/runtime.ts';
import type { FileKind } from '../src/security/limits.ts';

export interface NodeServices {
  /** ONNX runtime and model packages (src/runtime): sessions via `runtime.session(handle.model)`. */
  runtime?: Runtime;
  /** Writes an output file (Node: under the CLI's --out DIR) and returns where it went. */
  writeFile?(name: string, bytes: Uint8Array): Promise<string>;
  /**
   * Writes a numbered output file `${prefix}_NNNNN.${extension}` with the next counter free in the
   * output folder (never replacing a file) and returns where it went. Hosts without it get
   * `writeFile` with numbers counted from 1 within the call.
   */
  writeNumberedFile?(prefix: string, extension: string, bytes: Uint8Array): Promise<string>;
  /**
   * Reads a local file (Node), for `image/load` and tokenizer folders. Hosts refuse paths outside
   * their allowed folders and non-regular or oversized files; `kind` picks the size cap
   * (default: by extension).
   */
  readFile?(path: string, kind?: FileKind): Promise<Uint8Array>;
  /**
   * Fetches a URL a graph names (an `image/load` source), under the host's network policy:
   * http(s) only, public hosts only unless the user allowed the private network. Hosts without it
   * get the literal-address check of src/security/network.ts around the global fetch.
   */
  fetchUrl?(url: string, init?: { signal?: AbortSignal; purpose?: 'image' | 'model' | 'other' }): Promise<Response>;
  /** A cheap identity of a local file's current content (Node: size and modification time). */
  fileStamp?(path: string): Promise<string>;
}

export function servicesOf(ctx: RunContext): NodeServices {
  return (ctx.services ?? {}) as NodeServices;
}
