import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { upscalerAssets } from './src/build/upscalerAssets.ts';
import { wasmKernelsVitePlugin } from './src/build/wasmKernels.mjs';
import { preloadApp } from './src/build/preloadApp.ts';

// COOP/COEP make the page cross-origin isolated, so onnxruntime-web can use wasm threads.
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react(), upscalerAssets(import.meta.dirname), wasmKernelsVitePlugin(), preloadApp({ app: '/src/ui/app/startEditor.tsx', worker: /engineWorker-[\w-]+\.js$/ })],
  // No SPA fallback: the app has one page, and the runtime probes optional model files (e.g. a
  // second tokenizer) expecting a 404, not index.html.
  appType: 'mpa',
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  // Workers are bundled with their own plugin list: the engine worker runs the wasm kernels.
  worker: { format: 'es', plugins: () => [wasmKernelsVitePlugin()] },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
});
