;; The spectrum's CIC decimator in FIR form (meters/cic-decimator.ts cicFir, the JS reference):
;; for every output, the symmetric taps folded around the window's centre with two accumulators,
;; y0 over even and y1 over odd taps, with the same operations in the same order (no fused
;; multiply-add): the same outputs to the bit.
;;
;; Memory (imported): the spectrum meter's (meters/spectrum-kernels.ts, cic-pair-decimator.ts).
(module
  (import "env" "memory" (memory 1))
  ;; A channel pair interleaved as (a, b) f64x2 per sample, the lanes being the channels: per lane
  ;; the JS loop's operations in its order, y0 and y1 two f64x2 accumulators. Outputs at history
  ;; windows k = k0, k0 + factor, ... < n into out; returns their count. taps: (t, t) per tap (16 bytes); h, out: pair addresses.
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
