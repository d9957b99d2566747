;; The elementwise kernels outside the scheduler steps (add-noise, the sigma schedulers' input
;; scaling, CFG) and the latent preview: module fields that src/build/wasmKernels.mjs splices into
;; simdKernels.wat where it says `include simdElementwise.wat` (same conventions as there).
;; out = a * x + b * y   (add-noise of the alpha schedulers, DDIM / DPM general paths)
(func (export "linearCombination")
  (param $x i32) (param $y i32) (param $out i32) (param $bytes i32) (param $a f32) (param $b f32)
  (local $i i32) (local $va v128) (local $vb v128)
  (local.set $va (f32x4.splat (local.get $a)))
  (local.set $vb (f32x4.splat (local.get $b)))
  (block $done
    (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
      (;unroll;)
      (v128.store offset=0 (i32.add (local.get $out) (local.get $i))
        (f32x4.add
          (f32x4.mul (local.get $va) (v128.load offset=0 (i32.add (local.get $x) (local.get $i))))
          (f32x4.mul (local.get $vb) (v128.load offset=0 (i32.add (local.get $y) (local.get $i))))))
      (;end unroll;)
      (local.set $i (i32.add (local.get $i) (i32.const 16) (;vector step;)))
      (br $next))))

;; out = x + y * scale   (sigma add-noise: original + noise * sigma; DDIM's variance noise)
(func (export "addScaled")
  (param $x i32) (param $y i32) (param $out i32) (param $bytes i32) (param $scale f32)
  (local $i i32) (local $vk v128)
  (local.set $vk (f32x4.splat (local.get $scale)))
  (block $done
    (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
      (;unroll;)
      (v128.store offset=0 (i32.add (local.get $out) (local.get $i))
        (f32x4.add (v128.load offset=0 (i32.add (local.get $x) (local.get $i)))
          (f32x4.mul (v128.load offset=0 (i32.add (local.get $y) (local.get $i))) (local.get $vk))))
      (;end unroll;)
      (local.set $i (i32.add (local.get $i) (i32.const 16) (;vector step;)))
      (br $next))))

;; out = x / d   (the sigma schedulers' model input: sample / sqrt(sigma^2 + 1))
(func (export "divide")
  (param $x i32) (param $out i32) (param $bytes i32) (param $d f32)
  (local $i i32) (local $vd v128)
  (local.set $vd (f32x4.splat (local.get $d)))
  (block $done
    (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
      (;unroll;)
      (v128.store offset=0 (i32.add (local.get $out) (local.get $i))
        (f32x4.div (v128.load offset=0 (i32.add (local.get $x) (local.get $i))) (local.get $vd)))
      (;end unroll;)
      (local.set $i (i32.add (local.get $i) (i32.const 16) (;vector step;)))
      (br $next))))

;; CFG: out = u + scale * (c - u)
(func (export "guidance")
  (param $u i32) (param $c i32) (param $out i32) (param $bytes i32) (param $scale f32)
  (local $i i32) (local $vu v128) (local $vk v128)
  (local.set $vk (f32x4.splat (local.get $scale)))
  (block $done
    (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
      (;unroll;)
      (local.set $vu (v128.load offset=0 (i32.add (local.get $u) (local.get $i))))
      (v128.store offset=0 (i32.add (local.get $out) (local.get $i))
        (f32x4.add (local.get $vu)
          (f32x4.mul (local.get $vk) (f32x4.sub (v128.load offset=0 (i32.add (local.get $c) (local.get $i))) (local.get $vu)))))
      (;end unroll;)
      (local.set $i (i32.add (local.get $i) (i32.const 16) (;vector step;)))
      (br $next))))

;; Latent preview, one batch item: rgb_k = ((x0 * f0k + x1 * f1k) + x2 * f2k) + x3 * f3k in
;; float64 (as the JS preview computes it), then (v + 1) / 2 clamped to [0, 1] and rounded to
;; float32. `$stride` is the byte stride of one channel plane (padded to whole vectors).
(func $previewPair (param $x0 v128) (param $x1 v128) (param $x2 v128) (param $x3 v128)
  (param $f0 f64) (param $f1 f64) (param $f2 f64) (param $f3 f64) (result v128)
  (local $v v128)
  (local.set $v (f64x2.add
    (f64x2.add
      (f64x2.add (f64x2.mul (local.get $x0) (f64x2.splat (local.get $f0)))
        (f64x2.mul (local.get $x1) (f64x2.splat (local.get $f1))))
      (f64x2.mul (local.get $x2) (f64x2.splat (local.get $f2))))
    (f64x2.mul (local.get $x3) (f64x2.splat (local.get $f3)))))
  (local.set $v (f64x2.div (f64x2.add (local.get $v) (f64x2.splat (f64.const 1))) (f64x2.splat (f64.const 2))))
  ;; pmax/pmin keep NaN and pick the clamp bound only on a true comparison, like v < 0 ? 0 : ...
  (f32x4.demote_f64x2_zero
    (f64x2.pmin (f64x2.pmax (local.get $v) (f64x2.splat (f64.const 0))) (f64x2.splat (f64.const 1)))))

(func $previewPlane (param $src i32) (param $dst i32) (param $stride i32)
  (param $f0 f64) (param $f1 f64) (param $f2 f64) (param $f3 f64)
  (local $i i32) (local $a v128) (local $b v128) (local $c v128) (local $d v128)
  (block $done
    (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $stride)))
      (local.set $a (v128.load (i32.add (local.get $src) (local.get $i))))
      (local.set $b (v128.load (i32.add (i32.add (local.get $src) (local.get $stride)) (local.get $i))))
      (local.set $c (v128.load (i32.add (i32.add (local.get $src) (i32.shl (local.get $stride) (i32.const 1))) (local.get $i))))
      (local.set $d (v128.load (i32.add (i32.add (local.get $src) (i32.mul (local.get $stride) (i32.const 3))) (local.get $i))))
      (v128.store (i32.add (local.get $dst) (local.get $i))
        (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (call $previewPair
            (f64x2.promote_low_f32x4 (local.get $a)) (f64x2.promote_low_f32x4 (local.get $b))
            (f64x2.promote_low_f32x4 (local.get $c)) (f64x2.promote_low_f32x4 (local.get $d))
            (local.get $f0) (local.get $f1) (local.get $f2) (local.get $f3))
          (call $previewPair
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a) (local.get $a)))
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $b) (local.get $b)))
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $c) (local.get $c)))
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $d) (local.get $d)))
            (local.get $f0) (local.get $f1) (local.get $f2) (local.get $f3))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $next))))

;; Factors row-major by latent channel: (fc_r, fc_g, fc_b) for c = 0..3.
(func (export "latentToRgb") (param $src i32) (param $dst i32) (param $stride i32)
  (param $f0r f64) (param $f0g f64) (param $f0b f64) (param $f1r f64) (param $f1g f64) (param $f1b f64)
  (param $f2r f64) (param $f2g f64) (param $f2b f64) (param $f3r f64) (param $f3g f64) (param $f3b f64)
  (call $previewPlane (local.get $src) (local.get $dst) (local.get $stride)
    (local.get $f0r) (local.get $f1r) (local.get $f2r) (local.get $f3r))
  (call $previewPlane (local.get $src) (i32.add (local.get $dst) (local.get $stride)) (local.get $stride)
    (local.get $f0g) (local.get $f1g) (local.get $f2g) (local.get $f3g))
  (call $previewPlane (local.get $src) (i32.add (local.get $dst) (i32.shl (local.get $stride) (i32.const 1))) (local.get $stride)
    (local.get $f0b) (local.get $f1b) (local.get $f2b) (local.get $f3b)))
