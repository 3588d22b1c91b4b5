;; In-place complex FFT, radix 2, decimation in time, one complex number per f64x2 (re, im):
;; X_k = sum_n x_n e^(-2 pi i k n / N), the convention of fft.js (the JS reference). Not the same
;; order of operations as fft.js (radix 4): results agree to rounding (tests: 1e-9 relative).
;;
;; Memory (imported, one per analyser): set up by the JS side (dsp/wasm-fft.ts):
;;   data:  N complex values (16 bytes each), transformed in place
;;   tw:    N / 2 twiddles w_k = e^(-2 pi i k / N), 32 bytes each: (re, re), (-im, im)
;;   swaps: the bit-reversal permutation as pairs of byte offsets into data (i32, i32), i < rev(i)
(module
  (import "env" "memory" (memory 1))
  (func (export "fft") (param $data i32) (param $n i32) (param $tw i32) (param $swaps i32) (param $nswaps i32)
    (local $p i32) (local $end i32) (local $i i32) (local $j i32)
    (local $half i32) (local $span i32) (local $group i32) (local $a i32) (local $b i32) (local $aEnd i32)
    (local $twp i32) (local $twInc i32)
    (local $u v128) (local $v v128) (local $t v128)
    ;; bit-reversal permutation
    (local.set $p (local.get $swaps))
    (local.set $end (i32.add (local.get $swaps) (i32.shl (local.get $nswaps) (i32.const 3))))
    (block $permuted
      (loop $swap
        (br_if $permuted (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $i (i32.add (local.get $data) (i32.load (local.get $p))))
        (local.set $j (i32.add (local.get $data) (i32.load offset=4 (local.get $p))))
        (local.set $u (v128.load (local.get $i)))
        (v128.store (local.get $i) (v128.load (local.get $j)))
        (v128.store (local.get $j) (local.get $u))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (br $swap)))
    (local.set $end (i32.add (local.get $data) (i32.shl (local.get $n) (i32.const 4))))
    ;; first stage: butterflies of adjacent pairs, w = 1
    (local.set $a (local.get $data))
    (loop $pair
      (local.set $u (v128.load (local.get $a)))
      (local.set $v (v128.load offset=16 (local.get $a)))
      (v128.store (local.get $a) (f64x2.add (local.get $u) (local.get $v)))
      (v128.store offset=16 (local.get $a) (f64x2.sub (local.get $u) (local.get $v)))
      (local.set $a (i32.add (local.get $a) (i32.const 32)))
      (br_if $pair (i32.lt_u (local.get $a) (local.get $end))))
    ;; the other stages: half = 2, 4, ... N/2 (bytes: 32, 64, ...); twiddle step N / (2 half)
    (local.set $half (i32.const 32))
    ;; twiddle bytes per butterfly: 32 N / (2 half_complex), halved at the top of each stage
    (local.set $twInc (i32.shl (local.get $n) (i32.const 4)))
    (block $stagesDone
      (loop $stage
        (br_if $stagesDone (i32.ge_u (local.get $half) (i32.shl (local.get $n) (i32.const 4))))
        (local.set $twInc (i32.shr_u (local.get $twInc) (i32.const 1)))
        (local.set $span (i32.shl (local.get $half) (i32.const 1)))
        (local.set $group (local.get $data))
        (loop $groups
          (local.set $a (local.get $group))
          (local.set $aEnd (i32.add (local.get $group) (local.get $half)))
          (local.set $twp (local.get $tw))
          (loop $butterfly
            (local.set $b (i32.add (local.get $a) (local.get $half)))
            (local.set $u (v128.load (local.get $a)))
            (local.set $v (v128.load (local.get $b)))
            ;; t = v w = (vr wr - vi wi, vi wr + vr wi)
            (local.set $t
              (f64x2.add
                (f64x2.mul (local.get $v) (v128.load (local.get $twp)))
                (f64x2.mul (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))
                           (v128.load offset=16 (local.get $twp)))))
            (v128.store (local.get $a) (f64x2.add (local.get $u) (local.get $t)))
            (v128.store (local.get $b) (f64x2.sub (local.get $u) (local.get $t)))
            (local.set $twp (i32.add (local.get $twp) (local.get $twInc)))
            (local.set $a (i32.add (local.get $a) (i32.const 16)))
            (br_if $butterfly (i32.lt_u (local.get $a) (local.get $aEnd))))
          (local.set $group (i32.add (local.get $group) (local.get $span)))
          (br_if $groups (i32.lt_u (local.get $group) (local.get $end))))
        (local.set $half (i32.shl (local.get $half) (i32.const 1)))
        (br $stage)))))
