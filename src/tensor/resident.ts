/**
 * Device-resident tensors: a float32 tensor whose values stay where the backend computed them
 * (a GPU buffer on onnxruntime-web's WebGPU), so a denoising loop can feed one step's result to
 * the next without copying it to the CPU. A resident tensor has a dtype and a shape but no
 * `data`: reading the values is an explicit, asynchronous `download()` (memoized: a tensor is
 * copied at most once). Element-wise sampling math on residents runs on their `device` (see
 * `DeviceOp`); code that needs the values on the CPU calls `toHost`.
 *
 * Ownership: the tensor owns its device memory. `dispose()` frees it (after a download in flight
 * has finished); a resident nobody disposes is freed when it is garbage-collected.
 */
import { Tensor, shapeSize } from './tensor.ts';

/**
 * The element-wise operations sampling needs on a device, all in float32 in the same order as
 * the CPU kernels (src/diffusion/kernels), with scalars `a, b, c, d` as the kernels take them:
 * - `divide`: x / a (scale_model_input)
 * - `guidance`: u + a·(c − u) (classifier-free guidance; inputs [cond, uncond])
 * - `ddim-epsilon`: x0 = (s − b·m) / a, out = c·x0 + d·m (inputs [m, s]; outputs [out, x0])
 * - `ddim-epsilon-noise`: the same plus noise·e (eta > 0; inputs [m, s, noise])
 * - `ddim-v`, `ddim-v-noise`: DDIM on a v-prediction: x0 = a·s − b·m, eps = a·m + b·s,
 *   out = c·x0 + d·eps (+ noise·e)
 * - `ddim-epsilon-clip`, `ddim-v-clip` (and `…-clip-noise`): the same with x0 clamped to [lo, hi]
 *   (clip_sample; scalars [a, b, c, d, lo, hi] then e)
 * - `alpha-epsilon`: x0 = clamp((s − b·m) / a, lo, hi), out = c·x0 + d·s (DDPM, unCLIP, LCM's
 *   last step; scalars [a, b, lo, hi, c, d]; inputs [m, s]; outputs [out, x0])
 * - `alpha-epsilon-noise`: the same plus noise·e (inputs [m, s, noise])
 * - `lcm-epsilon-renoise`: denoised as `alpha-epsilon`'s out, out = e·denoised + f·noise
 *   (inputs [m, s, noise]; outputs [out, denoised])
 * - `alpha-v`, `alpha-v-noise`, `lcm-v-renoise`: the same on v-predictions, x0 = clamp(a·s − b·m, lo, hi)
 * - `euler-epsilon`: x0 = s − a·m, out = s + ((s − x0) / a)·b (inputs [m, s]; outputs [out, x0])
 * - `euler-ancestral-epsilon`: the same plus noise·c (inputs [m, s, noise]; outputs [out, x0])
 * - `euler-v`, `euler-ancestral-v`: on a v-prediction: x0 = m·a + s / b (a = −σ / √(σ² + 1),
 *   b = σ² + 1), out = s + ((s − x0) / c)·d (+ noise·e)
 * - `dpm-first-order`: x0 = (s − b·m) / a, out = c·s − d·x0 (DPM-Solver++ 1S; inputs [m, s]; outputs [out, x0])
 * - `dpm-second-order`: x0 as above, out = (c·s − d·x0) − e·(f·(x0 − p)) (2M; inputs [m, s, p]; outputs [out, x0])
 * - `dpm-first-order-v`, `dpm-second-order-v`: the same on a v-prediction, x0 = a·s − b·m
 * - `dpm-third-order`, `dpm-third-order-v`: 3M, x0 as above, p and q the newer and older x0
 *   before it: d10 = r0·(x0 − p), d11 = r1·(p − q), d1 = d10 + w·(d10 − d11), d2 = r01·(d10 −
 *   d11), out = ((cs·s − c0·x0) + c1·d1) − c2·d2 (inputs [m, s, p, q]; scalars [a, b, cs, c0, c1,
 *   c2, r0, r1, w, r01]; outputs [out, x0])
 * - `heun-first-epsilon`: x0 = s − a·m, d = (s − x0) / a, out = s + d·b (inputs [m, s]; outputs [out, x0, d])
 * - `heun-second-epsilon`: x0 = s − a·m, d = ((s − x0) / a + p) / c, out = q + d·b
 *   (inputs [m, s, p = first derivative, q = saved sample]; outputs [out, x0])
 * - `heun-first-v`, `heun-second-v`: the halves on a v-prediction, x0 = m·a + s / b (the v
 *   scalings as for `euler-v`); scalars [a, b, sigma, dt] (second half: [a, b, sigma, dt, two = 2])
 * - `heun-…-clip`: either half with x0 clamped to [lo, hi] (clip_sample; lo, hi after the other scalars)
 * - `plms-epsilon-K`: PNDM's e = the order-K Adams-Bashforth combination of m and the older
 *   model outputs p1, p2, p3 (K = 0: (m + p1) / 2), out = a·s − (b·e) / c (inputs [m, p1…, s] as
 *   the order reads them; outputs [out])
 * - `plms-v-K`: the same on v-predictions, e turned into a·e + b·s first (a = √ᾱ, b = √(1 − ᾱ)),
 *   then out = cs·s − (diff·e) / denom (scalars [a, b, cs, diff, denom])
 * - `prk-epsilon-first|middle|last`, `prk-v-…`: PNDM's Runge-Kutta warm-up sub-steps: out =
 *   cs·cur − (diff·e) / denom (e as `plms-v-K` converts it on v) with e = m, or the finished sum
 *   running + w·m for the last part; cur = s for the first part; the first and middle parts also
 *   output the running sum acc = w·m or running + w·m (inputs [m, s] or [m, running, cur];
 *   scalars [w, (a, b,) cs, diff, denom]; outputs [out, acc] or [out])
 * - `lms-epsilon-K`: x0 = s − a·m, d = (s − x0) / a, out = s + (c0·d + c1·d1 + …) with K
 *   coefficients (inputs [m, s, d1…]; scalars [a, c0…]; outputs [out, x0, d])
 * - `lms-v-K`: the same on v-predictions, x0 = m·a + s / b (scalars [a, b, sigma, c0…])
 * - `x0-epsilon`, `x0-v`: x0 alone, (s − b·m) / a or a·s − b·m (inputs [m, s]; outputs [out])
 * - `eps-v`: epsilon from a v-prediction, a·m + b·s (DPM-Solver's variable; outputs [out])
 * - `dynamic-threshold`: diffusers' dynamic thresholding of x per batch item, out = clamp(x, −s,
 *   s) / s with s the clamped quantile of |x| (scalars [k, loIndex, hiIndex, w, 1 − w, pickLow,
 *   max], worked out by `thresholdOnDevice`)
 * - `…-from-x0`: the DDIM, alpha (DDPM / unCLIP), LCM-renoise and DPM-Solver++ steps from a given
 *   x0 (a thresholded one): inputs [x0, …] in place of [m, …], the fused ops' scalars after x0's
 * - `split-channels`: the two halves of x along dim 1 (a learned-variance model output: the
 *   prediction, then the variance; outputs [first, second])
 * - `learned-range-noise`: mean + exp(0.5·(frac·maxLog + (1 − frac)·minLog))·noise with frac =
 *   (pv + 1) / 2 (inputs [mean, pv, noise]; scalars [maxLog, minLog]). Its Exp is the device's:
 *   not bound to the host's Math.exp bits (see docs/numerics.md)
 * - `learned-noise`: mean + sqrt(pv)·noise (inputs [mean, pv, noise])
 * - `concat-batch`: [x; y] along dim 0 (inputs [x, y])
 * - `split-halves`: the two halves of x along dim 0 (outputs [first, second])
 */
export type DeviceOp =
  | 'divide'
  | 'guidance'
  /** DDIM by prediction, clipped or not (clip_sample), with eta's noise or not. */
  | `ddim-${'epsilon' | 'v'}${'' | '-clip'}${'' | '-noise'}`
  | 'alpha-epsilon'
  | 'alpha-epsilon-noise'
  | 'lcm-epsilon-renoise'
  | 'alpha-v'
  | 'alpha-v-noise'
  | 'lcm-v-renoise'
  | 'euler-epsilon'
  | 'euler-ancestral-epsilon'
  | 'euler-v'
  | 'euler-ancestral-v'
  | 'dpm-first-order'
  | 'dpm-second-order'
  | 'dpm-first-order-v'
  | 'dpm-second-order-v'
  | 'dpm-third-order'
  | 'dpm-third-order-v'
  /** Heun's halves by prediction, x0 clipped (clip_sample) or not. */
  | `heun-${'first' | 'second'}-${'epsilon' | 'v'}${'' | '-clip'}`
  /** PNDM's linear multistep step by Adams-Bashforth order (0: the second warm-up step's average). */
  | `plms-${'epsilon' | 'v'}-${0 | 1 | 2 | 3 | 4}`
  /** PNDM's Runge-Kutta warm-up sub-steps: the first of four, the two middle ones, the last. */
  | `prk-${'epsilon' | 'v'}-${'first' | 'middle' | 'last'}`
  /** LMS by its number of coefficients (this step's derivative and up to three older ones). */
  | `lms-${'epsilon' | 'v'}-${1 | 2 | 3 | 4}`
  /** x0 alone and dynamic thresholding, then the steps from a given x0 (thresholding configs). */
  | 'x0-epsilon'
  | 'x0-v'
  | 'eps-v'
  | 'dynamic-threshold'
  | `ddim-${'epsilon' | 'v'}-from-x0${'' | '-noise'}`
  | `alpha-from-x0${'' | '-noise'}`
  | 'lcm-renoise-from-x0'
  | `dpm-${'first' | 'second' | 'third'}-order-from-x0`
  | 'split-channels'
  | 'learned-range-noise'
  | 'learned-noise'
  | 'concat-batch'
  | 'split-halves';

/** Where residents live and how their math runs; implemented by the runtime (src/runtime/resident.ts). */
export interface TensorDevice {
  /** e.g. `webgpu`. */
  readonly name: string;
  /** Runs `op` on the device; host tensors among `inputs` are uploaded. Returns the op's outputs, resident. */
  run(op: DeviceOp, inputs: readonly (Tensor<'float32'> | ResidentTensor)[], scalars?: readonly number[]): Promise<ResidentTensor[]>;
}

/** How a backend reads a resident's values back and frees its memory. */
export interface ResidentStorage {
  download(): Promise<Float32Array>;
  dispose(): void;
}

/**
 * Process-wide counts (for tests and benchmarks): `downloads` of resident tensors to the host,
 * `previewDownloads` among them made for zone previews, `outputDownloads` of WebGPU session
 * outputs a caller wanted on the host, resident tensors `created` and `disposed`.
 */
export const residentStats = { downloads: 0, previewDownloads: 0, outputDownloads: 0, disposed: 0, created: 0 };

const finalizer =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry<ResidentStorage>((storage) => {
        try {
          storage.dispose();
        } catch {
          // The device may be gone already (a released runtime): nothing left to free.
        }
      })
    : undefined;

export class ResidentTensor {
  readonly dtype = 'float32' as const;
  readonly shape: readonly number[];
  private downloaded: Promise<Tensor<'float32'>> | undefined;
  private disposed = false;

  constructor(
    shape: readonly number[],
    readonly device: TensorDevice,
    /** The backend's own handle (an onnxruntime tensor), for feeding it to a session. */
    readonly handle: unknown,
    private readonly storage: ResidentStorage,
  ) {
    this.shape = Object.freeze([...shape]);
    residentStats.created++;
    finalizer?.register(this, storage, this);
  }

  get size(): number {
    return shapeSize(this.shape);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** The values as a host tensor; the first call copies them from the device, later ones share that copy. */
  download(): Promise<Tensor<'float32'>> {
    if (!this.downloaded) {
      if (this.disposed) return Promise.reject(new Error(`a resident [${this.shape.join(', ')}] tensor was read after it was disposed`));
      residentStats.downloads++;
      this.downloaded = this.storage.download().then((data) => new Tensor('float32', this.shape, data));
    }
    return this.downloaded;
  }

  /** Frees the device memory (once a download in flight has its copy). Reading it afterwards fails. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    finalizer?.unregister(this);
    residentStats.disposed++;
    const free = () => this.storage.dispose();
    if (this.downloaded) void this.downloaded.then(free, free);
    else free();
  }
}

export function isResident(value: unknown): value is ResidentTensor {
  return value instanceof ResidentTensor;
}

/** A float32 tensor on the host or on a device. */
export type AnyFloatTensor = Tensor<'float32'> | ResidentTensor;

/** The host tensor for `t`: itself, or its download. */
export function toHost(t: AnyFloatTensor): Tensor<'float32'> | Promise<Tensor<'float32'>> {
  return isResident(t) ? t.download() : t;
}

/** The device of the first resident among `tensors`, if any. */
export function deviceOf(...tensors: readonly unknown[]): TensorDevice | undefined {
  for (const t of tensors) if (isResident(t)) return t.device;
  return undefined;
}

/**
 * Whether a node's input value holds a resident tensor: the value itself or one of its fields
 * (a LATENT's `samples`), one level down, as port values are shaped.
 */
export function holdsResident(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (value instanceof ResidentTensor) return true;
  if (ArrayBuffer.isView(value) || value instanceof Tensor) return false;
  if (Array.isArray(value)) return value.some((v) => v instanceof ResidentTensor);
  for (const key in value as Record<string, unknown>) if ((value as Record<string, unknown>)[key] instanceof ResidentTensor) return true;
  return false;
}

/**
 * `value` with every resident tensor (at the depth `holdsResident` looks) replaced by its
 * download; with `copy`, by a copy of it that the caller owns (to transfer to another thread:
 * moving the shared download would empty it for the resident's later readers).
 */
export async function hostValue(value: unknown, copy = false): Promise<unknown> {
  if (!holdsResident(value)) return value;
  const host = async (t: ResidentTensor) => (copy ? (await t.download()).clone() : t.download());
  if (value instanceof ResidentTensor) return host(value);
  if (Array.isArray(value)) return Promise.all(value.map((v) => (v instanceof ResidentTensor ? host(v) : v)));
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const key of Object.keys(out)) if (out[key] instanceof ResidentTensor) out[key] = await host(out[key] as ResidentTensor);
  return out;
}

/** Every resident tensor reachable from a port value (at the same depth), for ownership checks. */
export function collectResidents(value: unknown, into: Set<ResidentTensor>): void {
  if (value === null || typeof value !== 'object') return;
  if (value instanceof ResidentTensor) into.add(value);
  else if (Array.isArray(value)) for (const v of value) collectResidents1(v, into);
  else if (!ArrayBuffer.isView(value) && !(value instanceof Tensor)) {
    for (const key in value as Record<string, unknown>) collectResidents1((value as Record<string, unknown>)[key], into);
  }
}

function collectResidents1(v: unknown, into: Set<ResidentTensor>): void {
  if (v instanceof ResidentTensor) into.add(v);
}

/**
 * Every resident reachable from `value` through plain objects and arrays, `depth` levels down:
 * what a loop-carried value holds (a scheduler state keeps residents in its history).
 */
export function collectResidentsDeep(value: unknown, into: Set<ResidentTensor>, depth = 4): void {
  if (value === null || typeof value !== 'object') return;
  if (value instanceof ResidentTensor) {
    into.add(value);
    return;
  }
  if (depth === 0 || ArrayBuffer.isView(value)) return;
  if (Array.isArray(value)) {
    for (const v of value) collectResidentsDeep(v, into, depth - 1);
    return;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return;
  for (const key in value as Record<string, unknown>) collectResidentsDeep((value as Record<string, unknown>)[key], into, depth - 1);
}
