/**
 * Node hosts (the CLI's run, sweep, serve and worker, through cliServices) compress PNGs with
 * node:zlib: native, so a one-image run does not spend ~15 ms of CPU in fflate's deflate before it
 * has warmed up. The pixels are the same; the compressed bytes differ from fflate's (png.ts).
 */
import { deflateSync } from 'node:zlib';
import { setPngCompressor } from './png.ts';

export function useNodeZlibForPng(): void {
  setPngCompressor((data, level) => {
    const out = deflateSync(data, { level });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  });
}
