;; Float32 scheduler, guidance, add-noise and preview kernels in wasm SIMD (f32x4).
;;
;; Each kernel does, per element, the same float32 operations in the same order as the JS code it
;; replaces (src/diffusion/kernels/scalarKernels.ts): JS rounds every op with Math.fround, which
;; for +, -, * and / of float32 values equals the single float32 op (double rounding of these is
;; exact), and wasm has no fused multiply-add in this instruction set, so results are bit-equal
;; (NaN payloads aside). Pointers are byte offsets into the exported memory, 16-byte aligned;
;; `$bytes` is the element count rounded up to whole vectors, times 4: the padding lanes are
;; computed and ignored. Scalars are float32 values (the JS callers pass Math.fround'ed numbers).
;;
;; Unrolling: the build (src/build/wasmKernels.mjs) repeats each loop body between the `unroll`
;; and `end unroll` comment markers UNROLL times, the k-th copy with `offset=16k` in place of
;; `offset=0`, and makes each `vector step` constant 16 * UNROLL; `$bytes` is then a multiple of
;; that (the `vectorBytes` export). As written, the file is the same kernels, one vector a turn.
;;
;; Division by a step's scalar stays f32x4.div. Multiplying in float64 by r = fl64(1 / d)
;; (f64x2.promote_low_f32x4 of each half, f64x2.mul, f32x4.demote_f64x2_zero, a shuffle to join)
;; is not a substitute: it matches x / d while the quotient is a normal float32 (the float64
;; product is within 2^-52 relative of x / d, and x / d is never on, and at least 2^-49 relative
;; from, a float32 rounding midpoint there), but a quotient below 2^-126 can be exactly a midpoint
;; between two subnormals, where the product falls just off it and rounds the wrong way: x =
;; 147 * 2^-149, d = 98 gives 1.5 * 2^-149, which x / d rounds to 2^-148 (ties to even) and the
;; product to 2^-149 (tests/diffusion/kernels: subnormalMidpointQuotients). Nor is it faster here:
;; the four conversions and two shuffles per vector took the Euler kernel on a [1, 4, 128, 128]
;; latent from 11 to 18-21 us on this project's Zen 5 test machine (mixing it with f32x4.div on
;; alternate vectors: 12-17 us). Without any division the same kernel takes about 9 us: the
;; division costs about a fifth of a step, the rest is the four latents it moves.
(module
  (memory (export "memory") 1)
  ;; The granularity `$bytes` must have (16 * UNROLL after the build's unrolling).
  (global (export "vectorBytes") i32 (i32.const 16) (;vector step;))

  ;; x0 = s - sigma * m ; out = s + ((s - x0) / sigma) * dt   (Euler, epsilon prediction)
  (func (export "eulerEpsilon")
    (param $m i32) (param $s i32) (param $out i32) (param $x0 i32) (param $bytes i32)
    (param $sigma f32) (param $dt f32)
    (local $i i32) (local $vs v128) (local $vx v128) (local $vsig v128) (local $vdt v128)
    (local.set $vsig (f32x4.splat (local.get $sigma)))
    (local.set $vdt (f32x4.splat (local.get $dt)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
        (;unroll;)
        (local.set $vs (v128.load offset=0 (i32.add (local.get $s) (local.get $i))))
        (local.set $vx (f32x4.sub (local.get $vs)
          (f32x4.mul (local.get $vsig) (v128.load offset=0 (i32.add (local.get $m) (local.get $i))))))
        (v128.store offset=0 (i32.add (local.get $x0) (local.get $i)) (local.get $vx))
        (v128.store offset=0 (i32.add (local.get $out) (local.get $i))
          (f32x4.add (local.get $vs)
            (f32x4.mul (f32x4.div (f32x4.sub (local.get $vs) (local.get $vx)) (local.get $vsig)) (local.get $vdt))))
        (;end unroll;)
        (local.set $i (i32.add (local.get $i) (i32.const 16) (;vector step;)))
        (br $next))))

  ;; The ancestral Euler step: the Euler part above, then + noise * sigmaUp.
  (func (export "eulerAncestralEpsilon")
    (param $m i32) (param $s i32) (param $noise i32) (param $out i32) (param $x0 i32) (param $bytes i32)
    (param $sigma f32) (param $dt f32) (param $sigmaUp f32)
    (local $i i32) (local $vs v128) (local $vx v128) (local $vsig v128) (local $vdt v128) (local $vup v128)
    (local.set $vsig (f32x4.splat (local.get $sigma)))
    (local.set $vdt (f32x4.splat (local.get $dt)))
    (local.set $vup (f32x4.splat (local.get $sigmaUp)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
        (;unroll;)
        (local.set $vs (v128.load offset=0 (i32.add (local.get $s) (local.get $i))))
        (local.set $vx (f32x4.sub (local.get $vs)
          (f32x4.mul (local.get $vsig) (v128.load offset=0 (i32.add (local.get $m) (local.get $i))))))
        (v128.store offset=0 (i32.add (local.get $x0) (local.get $i)) (local.get $vx))
        (v128.store offset=0 (i32.add (local.get $out) (local.get $i))
          (f32x4.add
            (f32x4.add (local.get $vs)
              (f32x4.mul (f32x4.div (f32x4.sub (local.get $vs) (local.get $vx)) (local.get $vsig)) (local.get $vdt)))
            (f32x4.mul (v128.load offset=0 (i32.add (local.get $noise) (local.get $i))) (local.get $vup))))
        (;end unroll;)
        (local.set $i (i32.add (local.get $i) (i32.const 16) (;vector step;)))
        (br $next))))

  ;; x0 = (s - b * m) / a ; out = x0Coeff * x0 + dirCoeff * m   (DDIM, epsilon prediction)
  (func (export "ddimEpsilon")
    (param $m i32) (param $s i32) (param $out i32) (param $x0 i32) (param $bytes i32)
    (param $a f32) (param $b f32) (param $x0Coeff f32) (param $dirCoeff f32)
    (local $i i32) (local $vm v128) (local $vx v128)
    (local $va v128) (local $vb v128) (local $vc v128) (local $vd v128)
    (local.set $va (f32x4.splat (local.get $a)))
    (local.set $vb (f32x4.splat (local.get $b)))
    (local.set $vc (f32x4.splat (local.get $x0Coeff)))
    (local.set $vd (f32x4.splat (local.get $dirCoeff)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
        (;unroll;)
        (local.set $vm (v128.load offset=0 (i32.add (local.get $m) (local.get $i))))
        (local.set $vx (f32x4.div
          (f32x4.sub (v128.load offset=0 (i32.add (local.get $s) (local.get $i))) (f32x4.mul (local.get $vb) (local.get $vm)))
          (local.get $va)))
        (v128.store offset=0 (i32.add (local.get $x0) (local.get $i)) (local.get $vx))
        (v128.store offset=0 (i32.add (local.get $out) (local.get $i))
          (f32x4.add (f32x4.mul (local.get $vc) (local.get $vx)) (f32x4.mul (local.get $vd) (local.get $vm))))
        (;end unroll;)
        (local.set $i (i32.add (local.get $i) (i32.const 16) (;vector step;)))
        (br $next))))

  ;; x0 = clamp((s - b * m) / a, lo, hi) ; out = c0 * x0 + cs * s   (DDPM, epsilon prediction;
  ;; lo, hi = -Inf, Inf without clip_sample). pmax(v, lo) is v < lo ? lo : v and pmin(w, hi) is
  ;; hi < w ? hi : w: the JS clamp, NaN kept.
  (func (export "ddpmEpsilon")
    (param $m i32) (param $s i32) (param $out i32) (param $x0 i32) (param $bytes i32)
    (param $a f32) (param $b f32) (param $lo f32) (param $hi f32) (param $c0 f32) (param $cs f32)
    (local $i i32) (local $vs v128) (local $vx v128)
    (local $va v128) (local $vb v128) (local $vlo v128) (local $vhi v128) (local $vc0 v128) (local $vcs v128)
    (local.set $va (f32x4.splat (local.get $a)))
    (local.set $vb (f32x4.splat (local.get $b)))
    (local.set $vlo (f32x4.splat (local.get $lo)))
    (local.set $vhi (f32x4.splat (local.get $hi)))
    (local.set $vc0 (f32x4.splat (local.get $c0)))
    (local.set $vcs (f32x4.splat (local.get $cs)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
        (;unroll;)
        (local.set $vs (v128.load offset=0 (i32.add (local.get $s) (local.get $i))))
        (local.set $vx (f32x4.pmin
          (f32x4.pmax
            (f32x4.div
              (f32x4.sub (local.get $vs) (f32x4.mul (local.get $vb) (v128.load offset=0 (i32.add (local.get $m) (local.get $i)))))
              (local.get $va))
            (local.get $vlo))
          (local.get $vhi)))
        (v128.store offset=0 (i32.add (local.get $x0) (local.get $i)) (local.get $vx))
        (v128.store offset=0 (i32.add (local.get $out) (local.get $i))
          (f32x4.add (f32x4.mul (local.get $vc0) (local.get $vx)) (f32x4.mul (local.get $vcs) (local.get $vs))))
        (;end unroll;)
        (local.set $i (i32.add (local.get $i) (i32.const 16) (;vector step;)))
        (br $next))))

    ;; x0 = (s - sigma * m) / alpha ; out = cs * s - cd * x0   (DPM-Solver++ first order)
  (func (export "dpmFirstOrder")
    (param $m i32) (param $s i32) (param $out i32) (param $x0 i32) (param $bytes i32)
    (param $alpha f32) (param $sigma f32) (param $cs f32) (param $cd f32)
    (local $i i32) (local $vs v128) (local $vx v128)
    (local $va v128) (local $vsig v128) (local $vcs v128) (local $vcd v128)
    (local.set $va (f32x4.splat (local.get $alpha)))
    (local.set $vsig (f32x4.splat (local.get $sigma)))
    (local.set $vcs (f32x4.splat (local.get $cs)))
    (local.set $vcd (f32x4.splat (local.get $cd)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
        (;unroll;)
        (local.set $vs (v128.load offset=0 (i32.add (local.get $s) (local.get $i))))
        (local.set $vx (f32x4.div
          (f32x4.sub (local.get $vs) (f32x4.mul (local.get $vsig) (v128.load offset=0 (i32.add (local.get $m) (local.get $i)))))
          (local.get $va)))
        (v128.store offset=0 (i32.add (local.get $x0) (local.get $i)) (local.get $vx))
        (v128.store offset=0 (i32.add (local.get $out) (local.get $i))
          (f32x4.sub (f32x4.mul (local.get $vcs) (local.get $vs)) (f32x4.mul (local.get $vcd) (local.get $vx))))
        (;end unroll;)
        (local.set $i (i32.add (local.get $i) (i32.const 16) (;vector step;)))
        (br $next))))

  ;; x0 as above ; d1 = invR0 * (x0 - prevX0) ; out = (cs * s - c0 * x0) - c1 * d1   (2M)
  (func (export "dpmSecondOrder")
    (param $m i32) (param $s i32) (param $prev i32) (param $out i32) (param $x0 i32) (param $bytes i32)
    (param $alpha f32) (param $sigma f32) (param $cs f32) (param $c0 f32) (param $c1 f32) (param $invR0 f32)
    (local $i i32) (local $vs v128) (local $vx v128) (local $vd1 v128)
    (local $va v128) (local $vsig v128) (local $vcs v128) (local $vc0 v128) (local $vc1 v128) (local $vr v128)
    (local.set $va (f32x4.splat (local.get $alpha)))
    (local.set $vsig (f32x4.splat (local.get $sigma)))
    (local.set $vcs (f32x4.splat (local.get $cs)))
    (local.set $vc0 (f32x4.splat (local.get $c0)))
    (local.set $vc1 (f32x4.splat (local.get $c1)))
    (local.set $vr (f32x4.splat (local.get $invR0)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
        (;unroll;)
        (local.set $vs (v128.load offset=0 (i32.add (local.get $s) (local.get $i))))
        (local.set $vx (f32x4.div
          (f32x4.sub (local.get $vs) (f32x4.mul (local.get $vsig) (v128.load offset=0 (i32.add (local.get $m) (local.get $i)))))
          (local.get $va)))
        (v128.store offset=0 (i32.add (local.get $x0) (local.get $i)) (local.get $vx))
        (local.set $vd1 (f32x4.mul (local.get $vr)
          (f32x4.sub (local.get $vx) (v128.load offset=0 (i32.add (local.get $prev) (local.get $i))))))
        (v128.store offset=0 (i32.add (local.get $out) (local.get $i))
          (f32x4.sub
            (f32x4.sub (f32x4.mul (local.get $vcs) (local.get $vs)) (f32x4.mul (local.get $vc0) (local.get $vx)))
            (f32x4.mul (local.get $vc1) (local.get $vd1))))
        (;end unroll;)
        (local.set $i (i32.add (local.get $i) (i32.const 16) (;vector step;)))
        (br $next))))

  ;; PLMS (PNDM, epsilon prediction): e = the Adams-Bashforth combination of the model outputs,
  ;; newest m, then p1, p2, p3 — by `$order` 1: m ; 2: (3m - p1) / 2 ; 3: ((23m - 16p1) + 5p2) / 12 ;
  ;; 4: (((55m - 59p1) + 37p2) - 9p3) * fl(1/24) ; 0 (the second warm-up step): (m + p1) / 2 —
  ;; then out = cs * s - (diff * e) / denom. x / 2 is x * 0.5 exactly (the same real number).
  (func (export "plmsEpsilon")
    (param $m i32) (param $p1 i32) (param $p2 i32) (param $p3 i32) (param $s i32) (param $out i32)
    (param $bytes i32) (param $order i32) (param $cs f32) (param $diff f32) (param $denom f32)
    (local $i i32) (local $vm v128) (local $e v128) (local $vcs v128) (local $vdiff v128) (local $vden v128)
    (local.set $vcs (f32x4.splat (local.get $cs)))
    (local.set $vdiff (f32x4.splat (local.get $diff)))
    (local.set $vden (f32x4.splat (local.get $denom)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
        (;unroll;)
        (local.set $vm (v128.load offset=0 (i32.add (local.get $m) (local.get $i))))
        (local.set $e (local.get $vm))
        (if (i32.eqz (local.get $order))
          (then (local.set $e (f32x4.mul
            (f32x4.add (local.get $vm) (v128.load offset=0 (i32.add (local.get $p1) (local.get $i))))
            (f32x4.splat (f32.const 0.5))))))
        (if (i32.eq (local.get $order) (i32.const 2))
          (then (local.set $e (f32x4.mul
            (f32x4.sub (f32x4.mul (f32x4.splat (f32.const 3)) (local.get $vm))
              (v128.load offset=0 (i32.add (local.get $p1) (local.get $i))))
            (f32x4.splat (f32.const 0.5))))))
        (if (i32.eq (local.get $order) (i32.const 3))
          (then (local.set $e (f32x4.div
            (f32x4.add
              (f32x4.sub (f32x4.mul (f32x4.splat (f32.const 23)) (local.get $vm))
                (f32x4.mul (f32x4.splat (f32.const 16)) (v128.load offset=0 (i32.add (local.get $p1) (local.get $i)))))
              (f32x4.mul (f32x4.splat (f32.const 5)) (v128.load offset=0 (i32.add (local.get $p2) (local.get $i)))))
            (f32x4.splat (f32.const 12))))))
        (if (i32.eq (local.get $order) (i32.const 4))
          (then (local.set $e (f32x4.mul
            (f32x4.splat (f32.div (f32.const 1) (f32.const 24)))
            (f32x4.sub
              (f32x4.add
                (f32x4.sub (f32x4.mul (f32x4.splat (f32.const 55)) (local.get $vm))
                  (f32x4.mul (f32x4.splat (f32.const 59)) (v128.load offset=0 (i32.add (local.get $p1) (local.get $i)))))
                (f32x4.mul (f32x4.splat (f32.const 37)) (v128.load offset=0 (i32.add (local.get $p2) (local.get $i)))))
              (f32x4.mul (f32x4.splat (f32.const 9)) (v128.load offset=0 (i32.add (local.get $p3) (local.get $i)))))))))
        (v128.store offset=0 (i32.add (local.get $out) (local.get $i))
          (f32x4.sub
            (f32x4.mul (local.get $vcs) (v128.load offset=0 (i32.add (local.get $s) (local.get $i))))
            (f32x4.div (f32x4.mul (local.get $vdiff) (local.get $e)) (local.get $vden))))
        (;end unroll;)
        (local.set $i (i32.add (local.get $i) (i32.const 16) (;vector step;)))
        (br $next))))

    ;; LMS: x0 = s - sigma * m ; d0 = (s - x0) / sigma ;
  ;; out = s + (((c0 * d0 + c1 * d1) + c2 * d2) + c3 * d3), the sum cut after `$terms` terms.
  (func (export "lmsEpsilon")
    (param $m i32) (param $s i32) (param $d1 i32) (param $d2 i32) (param $d3 i32)
    (param $out i32) (param $x0 i32) (param $d0 i32) (param $bytes i32) (param $terms i32)
    (param $sigma f32) (param $c0 f32) (param $c1 f32) (param $c2 f32) (param $c3 f32)
    (local $i i32) (local $vs v128) (local $vx v128) (local $vd v128) (local $acc v128)
    (local $vsig v128) (local $vc0 v128) (local $vc1 v128) (local $vc2 v128) (local $vc3 v128)
    (local.set $vsig (f32x4.splat (local.get $sigma)))
    (local.set $vc0 (f32x4.splat (local.get $c0)))
    (local.set $vc1 (f32x4.splat (local.get $c1)))
    (local.set $vc2 (f32x4.splat (local.get $c2)))
    (local.set $vc3 (f32x4.splat (local.get $c3)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
        (;unroll;)
        (local.set $vs (v128.load offset=0 (i32.add (local.get $s) (local.get $i))))
        (local.set $vx (f32x4.sub (local.get $vs)
          (f32x4.mul (local.get $vsig) (v128.load offset=0 (i32.add (local.get $m) (local.get $i))))))
        (v128.store offset=0 (i32.add (local.get $x0) (local.get $i)) (local.get $vx))
        (local.set $vd (f32x4.div (f32x4.sub (local.get $vs) (local.get $vx)) (local.get $vsig)))
        (v128.store offset=0 (i32.add (local.get $d0) (local.get $i)) (local.get $vd))
        (local.set $acc (f32x4.mul (local.get $vc0) (local.get $vd)))
        (if (i32.gt_u (local.get $terms) (i32.const 1))
          (then (local.set $acc (f32x4.add (local.get $acc)
            (f32x4.mul (local.get $vc1) (v128.load offset=0 (i32.add (local.get $d1) (local.get $i))))))))
        (if (i32.gt_u (local.get $terms) (i32.const 2))
          (then (local.set $acc (f32x4.add (local.get $acc)
            (f32x4.mul (local.get $vc2) (v128.load offset=0 (i32.add (local.get $d2) (local.get $i))))))))
        (if (i32.gt_u (local.get $terms) (i32.const 3))
          (then (local.set $acc (f32x4.add (local.get $acc)
            (f32x4.mul (local.get $vc3) (v128.load offset=0 (i32.add (local.get $d3) (local.get $i))))))))
        (v128.store offset=0 (i32.add (local.get $out) (local.get $i)) (f32x4.add (local.get $vs) (local.get $acc)))
        (;end unroll;)
        (local.set $i (i32.add (local.get $i) (i32.const 16) (;vector step;)))
        (br $next))))

  ;; Heun's first half: x0 = s - sigma * m ; d = (s - x0) / sigma ; out = s + d * dt
  (func (export "heunFirstEpsilon")
    (param $m i32) (param $s i32) (param $out i32) (param $x0 i32) (param $deriv i32) (param $bytes i32)
    (param $sigma f32) (param $dt f32)
    (local $i i32) (local $vs v128) (local $vx v128) (local $vd v128) (local $vsig v128) (local $vdt v128)
    (local.set $vsig (f32x4.splat (local.get $sigma)))
    (local.set $vdt (f32x4.splat (local.get $dt)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
        (;unroll;)
        (local.set $vs (v128.load offset=0 (i32.add (local.get $s) (local.get $i))))
        (local.set $vx (f32x4.sub (local.get $vs)
          (f32x4.mul (local.get $vsig) (v128.load offset=0 (i32.add (local.get $m) (local.get $i))))))
        (v128.store offset=0 (i32.add (local.get $x0) (local.get $i)) (local.get $vx))
        (local.set $vd (f32x4.div (f32x4.sub (local.get $vs) (local.get $vx)) (local.get $vsig)))
        (v128.store offset=0 (i32.add (local.get $deriv) (local.get $i)) (local.get $vd))
        (v128.store offset=0 (i32.add (local.get $out) (local.get $i))
          (f32x4.add (local.get $vs) (f32x4.mul (local.get $vd) (local.get $vdt))))
        (;end unroll;)
        (local.set $i (i32.add (local.get $i) (i32.const 16) (;vector step;)))
        (br $next))))

  ;; Heun's second half: x0 = s - sigmaNext * m ; d2 = (s - x0) / sigmaNext ;
  ;; out = base + ((prevD + d2) / 2) * dt
  (func (export "heunSecondEpsilon")
    (param $m i32) (param $s i32) (param $prevD i32) (param $base i32) (param $out i32) (param $x0 i32)
    (param $bytes i32) (param $sigmaNext f32) (param $dt f32)
    (local $i i32) (local $vs v128) (local $vx v128) (local $vd v128) (local $vsig v128) (local $vdt v128)
    (local $half v128)
    (local.set $vsig (f32x4.splat (local.get $sigmaNext)))
    (local.set $vdt (f32x4.splat (local.get $dt)))
    (local.set $half (f32x4.splat (f32.const 0.5)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
        (;unroll;)
        (local.set $vs (v128.load offset=0 (i32.add (local.get $s) (local.get $i))))
        (local.set $vx (f32x4.sub (local.get $vs)
          (f32x4.mul (local.get $vsig) (v128.load offset=0 (i32.add (local.get $m) (local.get $i))))))
        (v128.store offset=0 (i32.add (local.get $x0) (local.get $i)) (local.get $vx))
        ;; (a + b) * 0.5 is (a + b) / 2 exactly (both round the same real number), and cheaper.
        (local.set $vd (f32x4.mul
          (f32x4.add (v128.load offset=0 (i32.add (local.get $prevD) (local.get $i)))
            (f32x4.div (f32x4.sub (local.get $vs) (local.get $vx)) (local.get $vsig)))
          (local.get $half)))
        (v128.store offset=0 (i32.add (local.get $out) (local.get $i))
          (f32x4.add (v128.load offset=0 (i32.add (local.get $base) (local.get $i))) (f32x4.mul (local.get $vd) (local.get $vdt))))
        (;end unroll;)
        (local.set $i (i32.add (local.get $i) (i32.const 16) (;vector step;)))
        (br $next))))

  (;include simdElementwise.wat;)
)
