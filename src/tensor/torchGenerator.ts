/**
 * A random generator that reproduces PyTorch's CPU generator: `torch.manual_seed(seed)` then
 * `torch.randn(shape)` / `torch.rand(shape)` give the same numbers here as there, so a seed gives
 * the same starting latent as diffusers or ComfyUI (which draws its initial noise on the CPU).
 *
 * What PyTorch does (CPUGeneratorImpl, DistributionsHelper.h, cpu/DistributionTemplates.h):
 * - the engine is MT19937 seeded with the low 32 bits of the 64-bit seed;
 * - `random()` is one 32-bit draw; `random64()` is two, the first giving the high half;
 * - a float uniform is `(random() & (2^24 − 1)) / 2^24`, a double one `(random64() & (2^53 − 1)) / 2^53`;
 * - randn of a contiguous float tensor with ≥ 16 elements fills every element with a float
 *   uniform, then runs Box-Muller over blocks of 16 (u1 = 1 − data[j], u2 = data[j + 8],
 *   j < 8), in float arithmetic; when the size is not a multiple of 16 the last 16 elements are
 *   refilled with fresh uniforms and transformed again;
 * - below 16 elements each value comes from the scalar double `normal_distribution`
 *   (u1, u2 double uniforms; r = sqrt(−2·log1p(−u2)), θ = 2π·u1; returns r·cos θ and caches
 *   r·sin θ in the generator for the next call), then is cast to float.
 *
 * Which Box-Muller arithmetic (the `kernel` option; only randn of float32 with ≥ 16 values differs):
 * - 'avx2' (default): the AVX2 kernel with polynomial log/sincos and fused multiply-adds, what
 *   x86-64 PyTorch runs on any AVX2 CPU (AVX-512 machines too: PyTorch does not dispatch normal_
 *   to AVX-512) in its GCC (Linux) builds. Checked bit for bit against PyTorch 1.13.1.
 * - 'avx2-unfused': the same without fusing (a compiler that does not contract, e.g. MSVC).
 * - 'scalar': the portable kernel (ARM, non-AVX2) with correctly rounded log/cos/sin; against
 *   PyTorch with glibc's logf/cosf/sinf about 1–2 % of the values differ by one or two float ulps.
 */
import { float16BitsToFloat32, float32ToFloat16Bits } from './fp16.ts';
import { fmaf, log256, sincos256Into } from './torchAvxMath.ts';
import { Tensor } from './tensor.ts';

export type TorchNormalKernel = 'avx2' | 'avx2-unfused' | 'scalar';
const KERNELS: readonly TorchNormalKernel[] = ['avx2', 'avx2-unfused', 'scalar'];

export interface TorchGeneratorOptions {
  /** Which PyTorch CPU kernel's rounding to reproduce for randn with ≥ 16 elements. */
  kernel?: TorchNormalKernel;
}

/** A snapshot of a TorchGenerator: plain data (JSON- and structured-clone-safe). */
export interface TorchGeneratorState {
  /** The 64-bit seed, in decimal. */
  seed: string;
  index: number;
  state: number[];
  nextDoubleNormal: number | null;
  kernel: TorchNormalKernel;
}

const N = 624;
const M = 397;
/** PyTorch's default seed (`default_rng_seed_val`). */
export const TORCH_DEFAULT_SEED = 67280421310721n;

function toSeed64(seed: number | bigint): bigint {
  if (typeof seed === 'number') {
    if (!Number.isSafeInteger(seed)) throw new Error(`TorchGenerator: seed ${seed} is not a safe integer`);
    seed = BigInt(seed);
  }
  return BigInt.asUintN(64, seed); // negative seeds wrap as in PyTorch
}

function checkShape(shape: number | readonly number[]): number {
  const dims = typeof shape === 'number' ? [shape] : shape;
  let size = 1;
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`TorchGenerator: invalid shape [${dims.join(', ')}] (dimensions must be integers ≥ 0)`);
    size *= d;
  }
  return size;
}

/** Set while clone() or fromState() makes a generator whose state they copy in: no seeding then. */
let unseeded = false;

function unseededGenerator(kernel: TorchNormalKernel): TorchGenerator {
  unseeded = true;
  try {
    return new TorchGenerator(0, { kernel });
  } finally {
    unseeded = false;
  }
}

export class TorchGenerator {
  private readonly state = new Uint32Array(N);
  private index = N;
  private seed64: bigint = 0n;
  /** The cached second Box-Muller value of the scalar double normal (PyTorch keeps it too). */
  private nextDoubleNormal: number | undefined;
  readonly kernel: TorchNormalKernel;

  constructor(seed: number | bigint = TORCH_DEFAULT_SEED, options: TorchGeneratorOptions = {}) {
    this.kernel = options.kernel ?? 'avx2';
    if (!KERNELS.includes(this.kernel)) throw new Error(`TorchGenerator: unknown kernel "${String(this.kernel)}" (use ${KERNELS.join(', ')})`);
    // A copy gets its 624 state words copied over: seeding them first would be wasted work.
    if (!unseeded) this.manualSeed(seed);
  }

  /** `torch.manual_seed`: restarts the stream and drops the cached normal. */
  manualSeed(seed: number | bigint): this {
    this.seed64 = toSeed64(seed);
    const mt = this.state;
    mt[0] = Number(this.seed64 & 0xffffffffn);
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.index = N;
    this.nextDoubleNormal = undefined;
    return this;
  }

  /** The 64-bit seed last given (`generator.initial_seed()`). */
  get initialSeed(): bigint {
    return this.seed64;
  }

  /** A plain, structured-clone-safe snapshot of the stream (like `torch.get_rng_state()`). */
  getState(): TorchGeneratorState {
    return { seed: this.seed64.toString(), index: this.index, state: Array.from(this.state), nextDoubleNormal: this.nextDoubleNormal ?? null, kernel: this.kernel };
  }

  /** Restores a snapshot from getState (like `torch.set_rng_state`). */
  static fromState(snapshot: TorchGeneratorState): TorchGenerator {
    if (!snapshot || !Array.isArray(snapshot.state) || snapshot.state.length !== N || !Number.isInteger(snapshot.index) || snapshot.index < 0 || snapshot.index > N) {
      throw new Error(`TorchGenerator.fromState: not a generator snapshot (needs ${N} state words and an index in 0–${N})`);
    }
    const g = unseededGenerator(snapshot.kernel);
    g.state.set(snapshot.state);
    g.index = snapshot.index;
    g.seed64 = BigInt(snapshot.seed);
    g.nextDoubleNormal = snapshot.nextDoubleNormal ?? undefined;
    return g;
  }

  /** An independent copy continuing the same stream. */
  clone(): TorchGenerator {
    const copy = unseededGenerator(this.kernel);
    copy.state.set(this.state);
    copy.index = this.index;
    copy.seed64 = this.seed64;
    copy.nextDoubleNormal = this.nextDoubleNormal;
    return copy;
  }

  private twist(): void {
    const mt = this.state;
    for (let i = 0; i < N; i++) {
      const y = (mt[i] & 0x80000000) | (mt[(i + 1) % N] & 0x7fffffff);
      mt[i] = mt[(i + M) % N] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    this.index = 0;
  }

  /** One 32-bit draw (`generator->random()`), as an unsigned number. */
  nextUint32(): number {
    if (this.index >= N) this.twist();
    let y = this.state[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** A float uniform in [0, 1) with 24 random bits. */
  private uniformFloat(): number {
    return (this.nextUint32() & 0xffffff) / 16777216;
  }

  /** A double uniform in [0, 1) with 53 random bits (`random64()`: first draw is the high half). */
  uniformDouble(): number {
    const hi = this.nextUint32() & 0x1fffff;
    const lo = this.nextUint32();
    return (hi * 4294967296 + lo) / 9007199254740992;
  }

  /** The scalar double normal of `at::normal_distribution<double>`, with its one-value cache. */
  normalDouble(mean = 0, std = 1): number {
    if (this.nextDoubleNormal !== undefined) {
      const cached = this.nextDoubleNormal;
      this.nextDoubleNormal = undefined;
      return cached * std + mean;
    }
    const u1 = this.uniformDouble();
    const u2 = this.uniformDouble();
    const r = Math.sqrt(-2 * Math.log1p(-u2));
    const theta = 2 * Math.PI * u1;
    this.nextDoubleNormal = r * Math.sin(theta);
    return r * Math.cos(theta) * std + mean;
  }

  /** `torch.rand(shape)` (float32): uniforms in [0, 1). */
  rand(shape: number | readonly number[]): Float32Array {
    const out = new Float32Array(checkShape(shape));
    for (let i = 0; i < out.length; i++) out[i] = this.uniformFloat();
    return out;
  }

  /** `torch.randn(shape)` (float32, contiguous). */
  randn(shape: number | readonly number[]): Float32Array {
    return this.normal(shape, 0, 1);
  }

  /** `torch.empty(shape).normal_(mean, std)` (float32), the kernel behind randn. */
  normal(shape: number | readonly number[], mean = 0, std = 1): Float32Array {
    const size = checkShape(shape);
    const out = new Float32Array(size);
    if (size < 16) {
      for (let i = 0; i < size; i++) out[i] = this.normalDouble(mean, std);
      return out;
    }
    for (let i = 0; i < size; i++) out[i] = this.uniformFloat();
    const block = this.kernel === 'scalar' ? boxMuller16Scalar : this.kernel === 'avx2' ? boxMuller16Avx2Fused : boxMuller16Avx2Unfused;
    const meanF = Math.fround(mean);
    const stdF = Math.fround(std);
    for (let i = 0; i + 16 <= size; i += 16) block(out, i, meanF, stdF);
    if (size % 16 !== 0) {
      const start = size - 16;
      for (let i = 0; i < 16; i++) out[start + i] = this.uniformFloat();
      block(out, start, meanF, stdF);
    }
    return out;
  }

  /** `torch.randn(shape, dtype=torch.float64)`: the same scheme in double precision. */
  randnFloat64(shape: number | readonly number[]): Float64Array {
    const size = checkShape(shape);
    const out = new Float64Array(size);
    if (size < 16) {
      for (let i = 0; i < size; i++) out[i] = this.normalDouble();
      return out;
    }
    for (let i = 0; i < size; i++) out[i] = this.uniformDouble();
    const block = (start: number): void => {
      for (let j = 0; j < 8; j++) {
        const radius = Math.sqrt(-2 * Math.log(1 - out[start + j]));
        const theta = 2 * Math.PI * out[start + j + 8];
        out[start + j] = radius * Math.cos(theta);
        out[start + j + 8] = radius * Math.sin(theta);
      }
    };
    for (let i = 0; i + 16 <= size; i += 16) block(i);
    if (size % 16 !== 0) {
      for (let i = 0; i < 16; i++) out[size - 16 + i] = this.uniformDouble();
      block(size - 16);
    }
    return out;
  }

  /**
   * `torch.randn(shape, dtype=torch.float16)` on the CPU (what diffusers draws for fp16 pipelines
   * given a CPU generator), as raw half bits. Uniforms have 11 random bits; the 16-block
   * Box-Muller runs in c10::Half arithmetic (each Half op in float, rounded back to half). Below
   * 16 elements: the double normal, rounded to float, then to half.
   */
  randnFloat16(shape: number | readonly number[]): Uint16Array {
    const size = checkShape(shape);
    const out = new Uint16Array(size);
    if (size < 16) {
      for (let i = 0; i < size; i++) out[i] = float32ToFloat16Bits(this.normalDouble());
      return out;
    }
    const uniforms = new Float64Array(size);
    const fill = (from: number, count: number): void => {
      for (let i = 0; i < count; i++) uniforms[from + i] = (this.nextUint32() & 0x7ff) / 2048;
    };
    const half = (x: number): number => float16BitsToFloat32(float32ToFloat16Bits(x));
    const block = (start: number): void => {
      for (let j = 0; j < 8; j++) {
        const u1 = 1 - uniforms[start + j]; // exact in half
        const u2 = uniforms[start + j + 8];
        const radius = half(f(Math.sqrt(f(-2 * f(Math.log(u1))))));
        const theta = half(f(2 * Math.PI * u2));
        out[start + j] = float32ToFloat16Bits(f(radius * f(Math.cos(theta))));
        out[start + j + 8] = float32ToFloat16Bits(f(radius * f(Math.sin(theta))));
      }
    };
    fill(0, size);
    for (let i = 0; i + 16 <= size; i += 16) block(i);
    if (size % 16 !== 0) {
      fill(size - 16, 16);
      block(size - 16);
    }
    return out;
  }

  /** randn as a float32 Tensor of that shape. */
  randnTensor(shape: readonly number[]): Tensor<'float32'> {
    return new Tensor('float32', shape, this.randn(shape));
  }
}

const f = Math.fround;
const TWO_PI_F = f(2 * Math.PI);

/**
 * The portable kernel (`normal_fill_16<float>`): float arithmetic with libm logf/cosf/sinf,
 * emulated as correctly rounded float results; θ is computed in double, then rounded.
 */
function boxMuller16Scalar(data: Float32Array, start: number, mean: number, std: number): void {
  for (let j = 0; j < 8; j++) {
    const u1 = f(1 - data[start + j]);
    const u2 = data[start + j + 8];
    const radius = f(Math.sqrt(f(-2 * f(Math.log(u1)))));
    const theta = f(2 * Math.PI * u2);
    data[start + j] = f(f(radius * f(Math.cos(theta))) * std) + mean;
    data[start + j + 8] = f(f(radius * f(Math.sin(theta))) * std) + mean;
  }
}

/**
 * The AVX2 kernel (`normal_fill_16_AVX2`): polynomial log/sincos in float; the final
 * `fmadd(n, std, mean)` is one rounding of n·std + mean (n itself is a rounded product).
 */
function boxMuller16Avx2(data: Float32Array, start: number, mean: number, std: number, fused: boolean): void {
  for (let j = 0; j < 8; j++) {
    const u1 = f(1 - data[start + j]);
    const u2 = data[start + j + 8];
    const radius = f(Math.sqrt(f(-2 * log256(u1, fused))));
    sincos256Into(f(TWO_PI_F * u2), fused, sinCos);
    data[start + j] = fmaf(f(radius * sinCos[1]), std, mean);
    data[start + j + 8] = fmaf(f(radius * sinCos[0]), std, mean);
  }
}
const sinCos = new Float64Array(2);
const boxMuller16Avx2Fused = (d: Float32Array, s: number, mean: number, std: number): void => boxMuller16Avx2(d, s, mean, std, true);
const boxMuller16Avx2Unfused = (d: Float32Array, s: number, mean: number, std: number): void => boxMuller16Avx2(d, s, mean, std, false);
