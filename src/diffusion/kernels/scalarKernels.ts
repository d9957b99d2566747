/**
 * The kernels in plain JS: the reference the wasm SIMD kernels match bit for bit, and the
 * fallback where wasm SIMD is absent. Each op is rounded to float32 with Math.fround in torch's
 * evaluation order; the final op is rounded by the store into a Float32Array. Scalars are rounded
 * to float32 on entry, as the wasm kernels' f32 parameters are (the schedulers pass float32 values).
 */
import type { StepKernels, StepOutput, StepOutputWithDerivative } from './kernelTypes.ts';

const f32 = Math.fround;

export const scalarKernels: StepKernels = {
  backend: 'js',

  isResult(): boolean {
    return false;
  },

  eulerEpsilon(m, s, sigma, dt): StepOutput {
    [sigma, dt] = [f32(sigma), f32(dt)];
    const n = s.length;
    const out = new Float32Array(n);
    const x0 = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const si = s[i];
      const x = f32(si - f32(sigma * m[i]));
      x0[i] = x;
      out[i] = si + f32(f32(f32(si - x) / sigma) * dt);
    }
    return { out, x0 };
  },

  eulerAncestralEpsilon(m, s, noise, sigma, dt, sigmaUp): StepOutput {
    [sigma, dt, sigmaUp] = [f32(sigma), f32(dt), f32(sigmaUp)];
    const n = s.length;
    const out = new Float32Array(n);
    const x0 = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const si = s[i];
      const x = f32(si - f32(sigma * m[i]));
      x0[i] = x;
      out[i] = f32(si + f32(f32(f32(si - x) / sigma) * dt)) + f32(noise[i] * sigmaUp);
    }
    return { out, x0 };
  },

  ddimEpsilon(m, s, a, b, x0Coeff, dirCoeff): StepOutput {
    [a, b, x0Coeff, dirCoeff] = [f32(a), f32(b), f32(x0Coeff), f32(dirCoeff)];
    const n = s.length;
    const out = new Float32Array(n);
    const x0 = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const mi = m[i];
      const x = f32(f32(s[i] - f32(b * mi)) / a);
      x0[i] = x;
      out[i] = f32(x0Coeff * x) + f32(dirCoeff * mi);
    }
    return { out, x0 };
  },

  ddpmEpsilon(m, s, a, b, clip, c0, cs): StepOutput {
    [a, b, c0, cs] = [f32(a), f32(b), f32(c0), f32(cs)];
    const [lo, hi] = [f32(-clip), f32(clip)];
    const n = s.length;
    const out = new Float32Array(n);
    const x0 = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const si = s[i];
      const v = f32(f32(si - f32(b * m[i])) / a);
      const x = v < lo ? lo : v > hi ? hi : v;
      x0[i] = x;
      out[i] = f32(c0 * x) + f32(cs * si);
    }
    return { out, x0 };
  },

  dpmFirstOrder(m, s, alpha, sigma, cs, cd): StepOutput {
    [alpha, sigma, cs, cd] = [f32(alpha), f32(sigma), f32(cs), f32(cd)];
    const n = s.length;
    const out = new Float32Array(n);
    const x0 = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const si = s[i];
      const x = f32(f32(si - f32(sigma * m[i])) / alpha);
      x0[i] = x;
      out[i] = f32(cs * si) - f32(cd * x);
    }
    return { out, x0 };
  },

  dpmSecondOrder(m, s, prevX0, c): StepOutput {
    const [alpha, sigma, cs, c0, c1, invR0] = [c.alpha, c.sigma, c.cs, c.c0, c.c1, c.invR0].map(f32);
    const n = s.length;
    const out = new Float32Array(n);
    const x0 = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const si = s[i];
      const x = f32(f32(si - f32(sigma * m[i])) / alpha);
      x0[i] = x;
      const d1 = f32(invR0 * f32(x - prevX0[i]));
      out[i] = f32(f32(cs * si) - f32(c0 * x)) - f32(c1 * d1);
    }
    return { out, x0 };
  },

  plmsEpsilon(m, older, order, s, c): Float32Array {
    const [cs, diff, denom] = [f32(c.cs), f32(c.diff), f32(c.denom)];
    const n = s.length;
    const [p1, p2, p3] = older;
    const k = f32(1 / 24);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const mi = m[i];
      let e = mi;
      if (order === 0) e = f32(f32(mi + p1[i]) / 2);
      else if (order === 2) e = f32(f32(f32(3 * mi) - p1[i]) / 2);
      else if (order === 3) e = f32(f32(f32(f32(23 * mi) - f32(16 * p1[i])) + f32(5 * p2[i])) / 12);
      else if (order === 4) e = f32(k * f32(f32(f32(f32(55 * mi) - f32(59 * p1[i])) + f32(37 * p2[i])) - f32(9 * p3[i])));
      out[i] = f32(cs * s[i]) - f32(f32(diff * e) / denom);
    }
    return out;
  },

  lmsEpsilon(m, s, older, sigma, coefficients): StepOutputWithDerivative {
    sigma = f32(sigma);
    const n = s.length;
    const terms = coefficients.length;
    const out = new Float32Array(n);
    const x0 = new Float32Array(n);
    const derivative = new Float32Array(n);
    const [c0, c1 = 0, c2 = 0, c3 = 0] = coefficients.map(f32);
    const [d1 = s, d2 = s, d3 = s] = older;
    for (let i = 0; i < n; i++) {
      const si = s[i];
      const x = f32(si - f32(sigma * m[i]));
      x0[i] = x;
      const d = f32(f32(si - x) / sigma);
      derivative[i] = d;
      let acc = f32(c0 * d);
      if (terms > 1) acc = f32(acc + f32(c1 * d1[i]));
      if (terms > 2) acc = f32(acc + f32(c2 * d2[i]));
      if (terms > 3) acc = f32(acc + f32(c3 * d3[i]));
      out[i] = si + acc;
    }
    return { out, x0, derivative };
  },

  heunFirstEpsilon(m, s, sigma, dt): StepOutputWithDerivative {
    [sigma, dt] = [f32(sigma), f32(dt)];
    const n = s.length;
    const out = new Float32Array(n);
    const x0 = new Float32Array(n);
    const derivative = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const si = s[i];
      const x = f32(si - f32(sigma * m[i]));
      x0[i] = x;
      const d = f32(f32(si - x) / sigma);
      derivative[i] = d;
      out[i] = si + f32(d * dt);
    }
    return { out, x0, derivative };
  },

  heunSecondEpsilon(m, s, prevDerivative, base, sigmaNext, dt): StepOutput {
    [sigmaNext, dt] = [f32(sigmaNext), f32(dt)];
    const n = s.length;
    const out = new Float32Array(n);
    const x0 = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const si = s[i];
      const x = f32(si - f32(sigmaNext * m[i]));
      x0[i] = x;
      const d2 = f32(f32(si - x) / sigmaNext);
      const d = f32(f32(prevDerivative[i] + d2) / 2);
      out[i] = base[i] + f32(d * dt);
    }
    return { out, x0 };
  },

  linearCombination(a, x, b, y): Float32Array {
    [a, b] = [f32(a), f32(b)];
    const n = x.length;
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = f32(a * x[i]) + f32(b * y[i]);
    return out;
  },

  addScaled(x, y, scale): Float32Array {
    scale = f32(scale);
    const n = x.length;
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = x[i] + f32(y[i] * scale);
    return out;
  },

  divide(x, d): Float32Array {
    d = f32(d);
    const n = x.length;
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = x[i] / d;
    return out;
  },

  guidance(u, c, scale): Float32Array {
    scale = f32(scale);
    const n = c.length;
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const ui = u[i];
      out[i] = ui + f32(scale * f32(c[i] - ui));
    }
    return out;
  },

  latentToRgb(latent, batch, plane, factors, bias): Float32Array {
    const channels = factors.length;
    const out = new Float32Array(batch * 3 * plane);
    for (let b = 0; b < batch; b++) {
      const inBase = b * channels * plane;
      const outBase = b * 3 * plane;
      for (let p = 0; p < plane; p++) {
        for (let rgb = 0; rgb < 3; rgb++) {
          let v = bias?.[rgb] ?? 0;
          for (let c = 0; c < channels; c++) v += latent[inBase + c * plane + p] * factors[c][rgb];
          const mapped = (v + 1) / 2;
          out[outBase + rgb * plane + p] = mapped < 0 ? 0 : mapped > 1 ? 1 : mapped;
        }
      }
    }
    return out;
  },
};
