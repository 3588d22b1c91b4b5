;; In-place complex FFT, decimation in time, one complex number per f64x2 (re, im):
;; X_k = sum_n x_n e^(-2 pi i k n / N), the convention of fft.js (the JS reference), and its
;; operations: fft.js is radix 4 too (its base-4 digit reversal swaps the roles of x1 and x2 below),
;; with the same butterflies in the same order and, with the twiddles computed as it computes them
;; (dsp/wasm-fft.ts), the same values to the bit (tests: meters/spectrum-wasm.test.ts).
;;
;; After the bit-reversal permutation, the radix-2 stages are done two at a time (radix 4): the
;; stages of half q and 2q combine four DFTs of q points x0, x1, x2, x3 (blocks of q) into one of
;; 4q; with w = e^(-2 pi i j / 4q), j < q, and a = x0[j], b = w^2 x1[j], c = w x2[j], d = w^3 x3[j]:
;;   X[j] = (a + b) + (c + d)          X[j + 2q] = (a + b) - (c + d)
;;   X[j + q] = (a - b) - i (c - d)    X[j + 3q] = (a - b) + i (c - d)
;; (3 complex multiplies per 4 points instead of 4, and half the passes over the data). The first
;; pass has w = 1: one radix-2 stage when log2 N is odd, else a radix-4 pass of q = 1.
;;
;; Memory (imported; its own, or the spectrum meter's): set up by the JS side (dsp/wasm-fft.ts):
;;   data:  N complex values (16 bytes each), transformed in place
;;   tw:    per radix-4 pass after the first (q = 4, 16, ... or 2, 8, ... up to N / 4), per j < q:
;;          w, w^2, w^3, 32 bytes each: (re, re), (-im, im)
;;   swaps: the bit-reversal permutation as pairs of byte offsets into data (i32, i32), i < rev(i);
;;          nswaps = 0 when the caller wrote the input in bit-reversed order itself
(module
  (import "env" "memory" (memory 1))
  (func (export "fft") (param $data i32) (param $n i32) (param $tw i32) (param $swaps i32) (param $nswaps i32)
    (local $p i32) (local $end i32) (local $i i32) (local $j i32)
    (local $q i32) (local $group i32) (local $a i32) (local $aEnd i32) (local $twp i32)
    (local $x0 v128) (local $b v128) (local $c v128) (local $d v128)
    (local $s v128) (local $t v128) (local $u v128) (local $v v128)
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
    (local.set $a (local.get $data))
    (if (i32.eqz (i32.and (local.get $n) (i32.const 0x55555555)))
      (then
        ;; log2 N odd: a radix-2 stage of adjacent pairs, w = 1; then radix 4 from q = 2
        (loop $pair
          (local.set $u (v128.load (local.get $a)))
          (local.set $v (v128.load offset=16 (local.get $a)))
          (v128.store (local.get $a) (f64x2.add (local.get $u) (local.get $v)))
          (v128.store offset=16 (local.get $a) (f64x2.sub (local.get $u) (local.get $v)))
          (local.set $a (i32.add (local.get $a) (i32.const 32)))
          (br_if $pair (i32.lt_u (local.get $a) (local.get $end))))
        (local.set $q (i32.const 32)))
      (else
        ;; log2 N even: a radix-4 pass of q = 1 (w = 1); then radix 4 from q = 4
        (loop $quad
          (local.set $x0 (v128.load (local.get $a)))
          (local.set $b (v128.load offset=16 (local.get $a)))
          (local.set $c (v128.load offset=32 (local.get $a)))
          (local.set $d (v128.load offset=48 (local.get $a)))
          (local.set $s (f64x2.add (local.get $x0) (local.get $b)))
          (local.set $t (f64x2.add (local.get $c) (local.get $d)))
          (local.set $u (f64x2.sub (local.get $x0) (local.get $b)))
          ;; v = -i (c - d): (re, im) -> (im, -re)
          (local.set $v (f64x2.sub (local.get $c) (local.get $d)))
          (local.set $v (v128.xor (v128.const i64x2 0 0x8000000000000000)
            (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))
          (v128.store (local.get $a) (f64x2.add (local.get $s) (local.get $t)))
          (v128.store offset=16 (local.get $a) (f64x2.add (local.get $u) (local.get $v)))
          (v128.store offset=32 (local.get $a) (f64x2.sub (local.get $s) (local.get $t)))
          (v128.store offset=48 (local.get $a) (f64x2.sub (local.get $u) (local.get $v)))
          (local.set $a (i32.add (local.get $a) (i32.const 64)))
          (br_if $quad (i32.lt_u (local.get $a) (local.get $end))))
        (local.set $q (i32.const 64))))
    ;; the other radix-4 passes; q in bytes (16 per point)
    (block $passesDone
      (loop $pass
        (br_if $passesDone (i32.gt_u (i32.shl (local.get $q) (i32.const 2)) (i32.shl (local.get $n) (i32.const 4))))
        (local.set $group (local.get $data))
        (loop $groups
          (local.set $a (local.get $group))
          (local.set $aEnd (i32.add (local.get $group) (local.get $q)))
          (local.set $twp (local.get $tw))
          (loop $butterfly
            (local.set $x0 (v128.load (local.get $a)))
            ;; b = w^2 x1, c = w x2, d = w^3 x3; v w = (vr wr - vi wi, vi wr + vr wi)
            (local.set $u (v128.load (i32.add (local.get $a) (local.get $q))))
            (local.set $b (f64x2.add
              (f64x2.mul (local.get $u) (v128.load offset=32 (local.get $twp)))
              (f64x2.mul (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $u) (local.get $u))
                         (v128.load offset=48 (local.get $twp)))))
            (local.set $u (v128.load (i32.add (local.get $a) (i32.shl (local.get $q) (i32.const 1)))))
            (local.set $c (f64x2.add
              (f64x2.mul (local.get $u) (v128.load (local.get $twp)))
              (f64x2.mul (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $u) (local.get $u))
                         (v128.load offset=16 (local.get $twp)))))
            (local.set $u (v128.load (i32.add (local.get $a) (i32.mul (local.get $q) (i32.const 3)))))
            (local.set $d (f64x2.add
              (f64x2.mul (local.get $u) (v128.load offset=64 (local.get $twp)))
              (f64x2.mul (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $u) (local.get $u))
                         (v128.load offset=80 (local.get $twp)))))
            (local.set $s (f64x2.add (local.get $x0) (local.get $b)))
            (local.set $t (f64x2.add (local.get $c) (local.get $d)))
            (local.set $u (f64x2.sub (local.get $x0) (local.get $b)))
            (local.set $v (f64x2.sub (local.get $c) (local.get $d)))
            (local.set $v (v128.xor (v128.const i64x2 0 0x8000000000000000)
              (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))
            (v128.store (local.get $a) (f64x2.add (local.get $s) (local.get $t)))
            (v128.store (i32.add (local.get $a) (local.get $q)) (f64x2.add (local.get $u) (local.get $v)))
            (v128.store (i32.add (local.get $a) (i32.shl (local.get $q) (i32.const 1))) (f64x2.sub (local.get $s) (local.get $t)))
            (v128.store (i32.add (local.get $a) (i32.mul (local.get $q) (i32.const 3))) (f64x2.sub (local.get $u) (local.get $v)))
            (local.set $twp (i32.add (local.get $twp) (i32.const 96)))
            (local.set $a (i32.add (local.get $a) (i32.const 16)))
            (br_if $butterfly (i32.lt_u (local.get $a) (local.get $aEnd))))
          (local.set $group (i32.add (local.get $group) (i32.shl (local.get $q) (i32.const 2))))
          (br_if $groups (i32.lt_u (local.get $group) (local.get $end))))
        ;; the next pass's twiddles follow this one's (q / 16 points, 96 bytes each)
        (local.set $tw (i32.add (local.get $tw) (i32.mul (i32.shr_u (local.get $q) (i32.const 4)) (i32.const 96))))
        (local.set $q (i32.shl (local.get $q) (i32.const 2)))
        (br $pass)))))
