/**
 * TorchGenerator against real PyTorch draws (fixtures/torch/randn.json, written by
 * fixtures/torch/make_randn.py with PyTorch 1.13.1 on x86-64): the default AVX2 kernel must
 * match bit for bit; the portable kernel to two float ulps (PyTorch there uses glibc's
 * logf/cosf/sinf, which are not correctly rounded).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { TorchGenerator } from '../../src/tensor/torchGenerator.ts';

interface ReferenceCase {
  seed: string;
  shape: number[];
  dtype: 'float32' | 'float64' | 'float16';
  fn: string;
  kernel: 'avx2' | 'scalar';
  sha256: string;
  base64?: string;
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/torch/randn.json', import.meta.url), 'utf8')) as { cases: ReferenceCase[] };

function draw(c: ReferenceCase): Float32Array | Float64Array | Uint16Array {
  const g = new TorchGenerator(BigInt(c.seed), { kernel: c.kernel });
  if (c.fn === 'rand') return g.rand(c.shape);
  if (c.fn.startsWith('randn(3), randn(3)')) return Float32Array.from([...g.randn(3), ...g.randn(3), ...g.randn(20)]);
  if (c.dtype === 'float64') return g.randnFloat64(c.shape);
  if (c.dtype === 'float16') return g.randnFloat16(c.shape);
  return g.randn(c.shape);
}

const bytesOf = (a: ArrayBufferView): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const label = (c: ReferenceCase): string => `seed ${c.seed} ${c.fn}([${c.shape.join(', ')}], ${c.dtype})`;

describe('TorchGenerator against PyTorch 1.13.1 draws', () => {
  const exact = fixture.cases.filter((c) => c.kernel === 'avx2' && c.dtype !== 'float64');
  it.each(exact.map((c) => [label(c), c] as const))('avx2 kernel: %s is bit-identical', (_name, c) => {
    const mine = draw(c);
    expect(createHash('sha256').update(bytesOf(mine)).digest('hex')).toBe(c.sha256);
  });

  it('float64 randn agrees to a double ulp or two (libm double log/cos/sin may differ)', () => {
    for (const c of fixture.cases.filter((x) => x.dtype === 'float64')) {
      const ref = new Float64Array(new Uint8Array(Buffer.from(c.base64!, 'base64')).buffer);
      const mine = draw(c) as Float64Array;
      for (let i = 0; i < ref.length; i++) expect(Math.abs(mine[i] - ref[i])).toBeLessThanOrEqual(4 * Number.EPSILON * Math.max(1, Math.abs(ref[i])));
    }
  });

  it('scalar kernel: within two float ulps, almost all values identical', () => {
    let total = 0;
    let differing = 0;
    for (const c of fixture.cases.filter((x) => x.kernel === 'scalar')) {
      const ref = new Float32Array(new Uint8Array(Buffer.from(c.base64!, 'base64')).buffer);
      const mine = draw(c) as Float32Array;
      const refBits = new Int32Array(ref.buffer);
      const mineBits = new Int32Array(mine.buffer);
      for (let i = 0; i < ref.length; i++) {
        total++;
        if (refBits[i] !== mineBits[i]) {
          differing++;
          expect(Math.abs(refBits[i] - mineBits[i])).toBeLessThanOrEqual(2);
        }
      }
    }
    expect(differing / total).toBeLessThan(0.03);
  });
});
