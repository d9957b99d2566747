import type { Plugin as VitePlugin } from 'vite';

export const KERNEL_WAT: string;
export const UNROLL: number;
export function kernelSourceFiles(path?: string): string[];
export function readKernelSource(path?: string): string;
export function unrollKernels(text: string, times?: number): string;
export function compileKernels(path?: string, times?: number): Promise<Uint8Array>;
export function kernelBytesSource(bytes: Uint8Array): string;
export function wasmKernelsVitePlugin(): VitePlugin;
export function wasmKernelsEsbuildPlugin(): { name: string; setup(build: unknown): void };
