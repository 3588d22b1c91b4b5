;; The third-octave spectrum's glue around the FFT (meters/spectrum-meter.ts and spectrum-stage.ts,
;; whose JS loops are the reference): the same operations in the same order (no fused multiply-add),
;; so the same values to the bit.
;;
;; Memory (imported, one per spectrum meter, shared with its fft and cic-fir instances), placed by
;; meters/spectrum-kernels.ts: the Float32 staging of the input, and per stage the sample buffers
;; (channel pairs interleaved, one (a, b) f64x2 per sample), the window as (w, w) pairs, the FFT,
;; the band tables and the band powers.
(module
  (import "env" "memory" (memory 1))

  ;; n frames of two Float32 channels (byte addresses a, b) -> n (a, b) f64 pairs from dst, NaN and
  ;; Inf as 0 (x - x is exactly 0 for a finite x): SpectrumMeter's JS ingest, v - v === 0 ? v : 0.
  (func (export "ingest") (param $a i32) (param $b i32) (param $n i32) (param $dst i32)
    (local $end i32) (local $va v128) (local $vb v128) (local $lo v128) (local $hi v128)
    (local $x f32)
    ;; four frames at a time: scrub 4 + 4 samples, interleave, widen
    (local.set $end (i32.add (local.get $a) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $quadsDone
      (loop $quads
        (br_if $quadsDone (i32.ge_u (local.get $a) (local.get $end)))
        (local.set $va (v128.load (local.get $a)))
        (local.set $va (v128.and (local.get $va)
          (f32x4.eq (f32x4.sub (local.get $va) (local.get $va)) (v128.const i32x4 0 0 0 0))))
        (local.set $vb (v128.load (local.get $b)))
        (local.set $vb (v128.and (local.get $vb)
          (f32x4.eq (f32x4.sub (local.get $vb) (local.get $vb)) (v128.const i32x4 0 0 0 0))))
        ;; lo = (a0, b0, a1, b1), hi = (a2, b2, a3, b3)
        (local.set $lo (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $va) (local.get $vb)))
        (local.set $hi (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $va) (local.get $vb)))
        (v128.store (local.get $dst) (f64x2.promote_low_f32x4 (local.get $lo)))
        (v128.store offset=16 (local.get $dst)
          (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $lo) (local.get $lo))))
        (v128.store offset=32 (local.get $dst) (f64x2.promote_low_f32x4 (local.get $hi)))
        (v128.store offset=48 (local.get $dst)
          (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $hi) (local.get $hi))))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (i32.const 16)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 64)))
        (br $quads)))
    ;; the last n mod 4 frames
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 2))))
    (block $done
      (loop $frame
        (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
        (local.set $x (f32.load (local.get $a)))
        (f64.store (local.get $dst) (f64.promote_f32
          (select (local.get $x) (f32.const 0) (f32.eq (f32.sub (local.get $x) (local.get $x)) (f32.const 0)))))
        (local.set $x (f32.load (local.get $b)))
        (f64.store offset=8 (local.get $dst) (f64.promote_f32
          (select (local.get $x) (f32.const 0) (f32.eq (f32.sub (local.get $x) (local.get $x)) (f32.const 0)))))
        (local.set $a (i32.add (local.get $a) (i32.const 4)))
        (local.set $b (i32.add (local.get $b) (i32.const 4)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (br $frame))))

  ;; n pairs from src times the window's (w, w) pairs, scattered to dst + perm[k] (the bit-reversed
  ;; order the FFT starts from, wasm-fft.ts transformReversed): SpectrumStage's JS windowing.
  (func (export "window") (param $src i32) (param $win i32) (param $perm i32) (param $dst i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 4))))
    (block $done
      (loop $point
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (v128.store (i32.add (local.get $dst) (i32.load (local.get $perm)))
          (f64x2.mul (v128.load (local.get $src)) (v128.load (local.get $win))))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $win (i32.add (local.get $win) (i32.const 16)))
        (local.set $perm (i32.add (local.get $perm) (i32.const 4)))
        (br $point))))

  ;; Band powers of one transformed channel pair, added to power[band] (f64):
  ;;   power[band] += 0.5 sum_j w_j (|Z_k|^2 + |Z_(N-k)|^2)
  ;; counts: i32 bins per band; bins: per bin (i32 byte offset of Z_k in spec, i32 of Z_(N-k), f64 w).
  ;; SpectrumStage's JS band sums, in the same order.
  (func (export "bandPowers") (param $spec i32) (param $bins i32) (param $counts i32) (param $bands i32) (param $power i32)
    (local $end i32) (local $binsEnd i32) (local $p f64) (local $z i32) (local $z2 i32)
    (local $re f64) (local $im f64) (local $re2 f64) (local $im2 f64)
    (local.set $end (i32.add (local.get $counts) (i32.shl (local.get $bands) (i32.const 2))))
    (block $bandsDone
      (loop $band
        (br_if $bandsDone (i32.ge_u (local.get $counts) (local.get $end)))
        (local.set $binsEnd (i32.add (local.get $bins) (i32.shl (i32.load (local.get $counts)) (i32.const 4))))
        (local.set $p (f64.const 0))
        (block $binsDone
          (loop $bin
            (br_if $binsDone (i32.ge_u (local.get $bins) (local.get $binsEnd)))
            (local.set $z (i32.add (local.get $spec) (i32.load (local.get $bins))))
            (local.set $z2 (i32.add (local.get $spec) (i32.load offset=4 (local.get $bins))))
            (local.set $re (f64.load (local.get $z)))
            (local.set $im (f64.load offset=8 (local.get $z)))
            (local.set $re2 (f64.load (local.get $z2)))
            (local.set $im2 (f64.load offset=8 (local.get $z2)))
            (local.set $p (f64.add (local.get $p)
              (f64.mul (f64.load offset=8 (local.get $bins))
                (f64.add
                  (f64.add
                    (f64.add (f64.mul (local.get $re) (local.get $re)) (f64.mul (local.get $im) (local.get $im)))
                    (f64.mul (local.get $re2) (local.get $re2)))
                  (f64.mul (local.get $im2) (local.get $im2))))))
            (local.set $bins (i32.add (local.get $bins) (i32.const 16)))
            (br $bin)))
        (f64.store (local.get $power)
          (f64.add (f64.load (local.get $power)) (f64.mul (f64.const 0.5) (local.get $p))))
        (local.set $power (i32.add (local.get $power) (i32.const 8)))
        (local.set $counts (i32.add (local.get $counts) (i32.const 4)))
        (br $band)))))
