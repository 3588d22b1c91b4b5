;; The spectrum's CIC decimator in FIR form (meters/cic-decimator.ts process): for every output,
;; the symmetric taps folded around the window's centre with two accumulators, y0 over even and
;; y1 over odd taps: here the two accumulators are the two lanes of one f64x2, with the same
;; operations in the same order (no fused multiply-add): the same outputs to the bit.
;;
;; Memory (imported, one per decimator): the taps, each channel's history, the outputs (f64),
;; placed by cic-decimator.ts; or, for decimatePairs, the spectrum meter's memory
;; (meters/spectrum-kernels.ts, cic-pair-decimator.ts).
(module
  (import "env" "memory" (memory 1))
  ;; Outputs at history windows k = k0, k0 + factor, ... < n into out; returns their count.
  (func (export "decimate")
    (param $h i32) (param $taps i32) (param $half i32) (param $odd i32) (param $keep i32)
    (param $k0 i32) (param $n i32) (param $factor i32) (param $out i32) (result i32)
    (local $m i32) (local $k i32) (local $j i32) (local $lo i32) (local $hi i32) (local $acc v128)
    (local $y0 f64) (local $y1 f64)
    (local.set $k (local.get $k0))
    (block $done
      (loop $output
        (br_if $done (i32.ge_s (local.get $k) (local.get $n)))
        (local.set $acc (f64x2.splat (f64.const 0)))
        ;; lo -> h[k + j], hi -> h[top - j - 1] with top = k + keep
        (local.set $lo (i32.add (local.get $h) (i32.shl (local.get $k) (i32.const 3))))
        (local.set $hi (i32.add (local.get $lo) (i32.shl (i32.sub (local.get $keep) (i32.const 1)) (i32.const 3))))
        (local.set $j (i32.const 0))
        (block $pairsDone
          (loop $pairs
            (br_if $pairsDone (i32.ge_s (i32.add (local.get $j) (i32.const 1)) (local.get $half)))
            ;; acc += (t[j], t[j+1]) * ((h[k+j], h[k+j+1]) + (h[top-j], h[top-j-1]))
            (local.set $acc
              (f64x2.add (local.get $acc)
                (f64x2.mul
                  (v128.load (i32.add (local.get $taps) (i32.shl (local.get $j) (i32.const 3))))
                  (f64x2.add
                    (v128.load (local.get $lo))
                    (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (v128.load (local.get $hi)) (v128.load (local.get $hi)))))))
            (local.set $lo (i32.add (local.get $lo) (i32.const 16)))
            (local.set $hi (i32.sub (local.get $hi) (i32.const 16)))
            (local.set $j (i32.add (local.get $j) (i32.const 2)))
            (br $pairs)))
        (local.set $y0 (f64x2.extract_lane 0 (local.get $acc)))
        (local.set $y1 (f64x2.extract_lane 1 (local.get $acc)))
        ;; an odd number of folded taps: the last one into y0 (h[k+j] + h[top-j], top - j = hi + 1)
        (if (i32.lt_s (local.get $j) (local.get $half)) (then
          (local.set $y0 (f64.add (local.get $y0)
            (f64.mul (f64.load (i32.add (local.get $taps) (i32.shl (local.get $j) (i32.const 3))))
                     (f64.add (f64.load (local.get $lo)) (f64.load offset=8 (local.get $hi))))))))
        ;; an odd window length: the centre tap into y1
        (if (local.get $odd) (then
          (local.set $y1 (f64.add (local.get $y1)
            (f64.mul (f64.load (i32.add (local.get $taps) (i32.shl (local.get $half) (i32.const 3))))
                     (f64.load (i32.add (local.get $h) (i32.shl (i32.add (local.get $k) (local.get $half)) (i32.const 3)))))))))
        (f64.store (i32.add (local.get $out) (i32.shl (local.get $m) (i32.const 3))) (f64.add (local.get $y0) (local.get $y1)))
        (local.set $m (i32.add (local.get $m) (i32.const 1)))
        (local.set $k (i32.add (local.get $k) (local.get $factor)))
        (br $output)))
    (local.get $m))
  ;; decimate for a channel pair interleaved as (a, b) f64x2 per sample, the lanes being the
  ;; channels: per lane the same operations in the same order as decimate (and the JS loop), y0
  ;; and y1 now two f64x2 accumulators. taps: (t, t) per tap (16 bytes); h, out: pair addresses.
  (func (export "decimatePairs")
    (param $h i32) (param $taps i32) (param $half i32) (param $odd i32) (param $keep i32)
    (param $k0 i32) (param $n i32) (param $factor i32) (param $out i32) (result i32)
    (local $m i32) (local $k i32) (local $j i32) (local $lo i32) (local $hi i32) (local $tp i32)
    (local $y0 v128) (local $y1 v128)
    (local.set $k (local.get $k0))
    (block $done
      (loop $output
        (br_if $done (i32.ge_s (local.get $k) (local.get $n)))
        (local.set $y0 (f64x2.splat (f64.const 0)))
        (local.set $y1 (f64x2.splat (f64.const 0)))
        ;; lo -> h[k + j], hi -> h[top - j] with top = k + keep
        (local.set $lo (i32.add (local.get $h) (i32.shl (local.get $k) (i32.const 4))))
        (local.set $hi (i32.add (local.get $lo) (i32.shl (local.get $keep) (i32.const 4))))
        (local.set $tp (local.get $taps))
        (local.set $j (i32.const 0))
        (block $pairsDone
          (loop $pairs
            (br_if $pairsDone (i32.ge_s (i32.add (local.get $j) (i32.const 1)) (local.get $half)))
            (local.set $y0 (f64x2.add (local.get $y0)
              (f64x2.mul (v128.load (local.get $tp))
                (f64x2.add (v128.load (local.get $lo)) (v128.load (local.get $hi))))))
            (local.set $y1 (f64x2.add (local.get $y1)
              (f64x2.mul (v128.load offset=16 (local.get $tp))
                (f64x2.add (v128.load offset=16 (local.get $lo)) (v128.load (i32.sub (local.get $hi) (i32.const 16)))))))
            (local.set $lo (i32.add (local.get $lo) (i32.const 32)))
            (local.set $hi (i32.sub (local.get $hi) (i32.const 32)))
            (local.set $tp (i32.add (local.get $tp) (i32.const 32)))
            (local.set $j (i32.add (local.get $j) (i32.const 2)))
            (br $pairs)))
        ;; an odd number of folded taps: the last one into y0
        (if (i32.lt_s (local.get $j) (local.get $half)) (then
          (local.set $y0 (f64x2.add (local.get $y0)
            (f64x2.mul (v128.load (local.get $tp))
              (f64x2.add (v128.load (local.get $lo)) (v128.load (local.get $hi))))))))
        ;; an odd window length: the centre tap into y1
        (if (local.get $odd) (then
          (local.set $y1 (f64x2.add (local.get $y1)
            (f64x2.mul (v128.load (i32.add (local.get $taps) (i32.shl (local.get $half) (i32.const 4))))
              (v128.load (i32.add (local.get $h) (i32.shl (i32.add (local.get $k) (local.get $half)) (i32.const 4)))))))))
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $m) (i32.const 4))) (f64x2.add (local.get $y0) (local.get $y1)))
        (local.set $m (i32.add (local.get $m) (i32.const 1)))
        (local.set $k (i32.add (local.get $k) (local.get $factor)))
        (br $output)))
    (local.get $m)))
