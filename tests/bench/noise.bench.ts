/**
 * Benchmarks for the numerics of engineer C's part: torch-compatible noise, fp16 conversion,
 * PNG encoding. Run alone with `npx tsx tests/bench/noise.bench.ts`; each case reports the
 * median of several runs in ms.
 */
import { pathToFileURL } from 'node:url';
import { float16BitsToFloat32Array, float32ArrayToFloat16Bits, setNativeFloat16 } from '../../src/tensor/fp16.ts';
import { imageTensorToPng } from '../../src/tensor/image.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { TorchGenerator } from '../../src/tensor/torchGenerator.ts';

export interface BenchCase {
  name: string;
  run(): void;
}

const latent128 = [1, 4, 128, 128];
const halfInput = new TorchGenerator(1).randn([1 << 20]);
const halfBits = float32ArrayToFloat16Bits(halfInput);
const image512 = Tensor.float32([1, 3, 512, 512], new TorchGenerator(2).rand([1, 3, 512, 512]).map((v, i) => (i % 512) / 512 + v * 0.05));

export const noiseBenchmarks: BenchCase[] = [
  { name: 'randn [1,4,128,128] (avx2 kernel, default)', run: () => void new TorchGenerator(0).randn(latent128) },
  { name: 'randn [1,4,128,128] (scalar kernel)', run: () => void new TorchGenerator(0, { kernel: 'scalar' }).randn(latent128) },
  { name: 'randn [1,4,64,64] (avx2 kernel)', run: () => void new TorchGenerator(0).randn([1, 4, 64, 64]) },
  {
    name: 'fp32 → fp16 bits, 1M values (bit conversion)',
    run: () => {
      const previous = setNativeFloat16(false);
      float32ArrayToFloat16Bits(halfInput);
      setNativeFloat16(previous);
    },
  },
  { name: 'fp16 bits → fp32, 1M values', run: () => void float16BitsToFloat32Array(halfBits) },
  { name: 'PNG encode 512×512 RGB', run: () => void imageTensorToPng(image512) },
];

export function timeCase(c: BenchCase, repeats = 7): number {
  c.run(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    c.run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const c of noiseBenchmarks) console.log(`${c.name}: ${timeCase(c).toFixed(2)} ms`);
}
