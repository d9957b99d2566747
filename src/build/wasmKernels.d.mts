import type { Plugin as VitePlugin } from 'vite';

export const KERNEL_WAT: string;
export function compileKernels(path?: string): Promise<Uint8Array>;
export function kernelBytesSource(bytes: Uint8Array): string;
export function wasmKernelsVitePlugin(): VitePlugin;
export function wasmKernelsEsbuildPlugin(): { name: string; setup(build: unknown): void };
