/**
 * Torch-compatible noise, fp16 conversion and PNG encoding: median wall and CPU time per call
 * (CPU time shows the work itself on a shared machine). Run with `npm run bench -- noise` or
 * alone with `npx tsx tests/bench/noise.bench.ts`.
 */
import { pathToFileURL } from 'node:url';
import { float16BitsToFloat32Array, float32ArrayToFloat16Bits, setNativeFloat16 } from '../../src/tensor/fp16.ts';
import { imageTensorToPng } from '../../src/tensor/image.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { TorchGenerator } from '../../src/tensor/torchGenerator.ts';
import { medianWallAndCpuMs, type BenchFigure } from './run.ts';

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

/** One figure per case: CPU ms, with the wall-clock ms in the note. */
export async function figures(): Promise<BenchFigure[]> {
  const out: BenchFigure[] = [];
  for (const c of noiseBenchmarks) {
    const { wall, cpu } = await medianWallAndCpuMs(c.run);
    out.push({ name: c.name, value: cpu, unit: 'ms CPU', note: `${wall.toFixed(2)} ms wall` });
  }
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const f of await figures()) console.log(`${f.name}: ${f.value.toFixed(2)} ${f.unit} (${f.note})`);
}
