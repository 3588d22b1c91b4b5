;; Stage meter levels of a stereo pair, f64x2 (lane 0 left, lane 1 right): peak, one-pole mean
;; square and its maximum, peak hold with fall, non-finite count. Per lane the arithmetic and the
;; comparisons are the JS reference's (meters/stage-meter.ts #processChannel), branch-free with
;; compare-and-select: the same state to the bit.
;;
;; Memory (imported, one per meter), v128 each: 0 peak, 16 ms, 32 maxMs, 48 hold, 64 holdLeft,
;; 80 non-finite count, 96 coef, 112 gain (1 - coef), 128 fall per sample, 144 hold samples;
;; the f32 frames at l and r.
(module
  (import "env" "memory" (memory 1))
  (func (export "run") (param $l i32) (param $r i32) (param $frames i32)
    (local $i i32) (local $end i32)
    (local $v v128) (local $a v128) (local $ok v128) (local $ge v128) (local $pos v128)
    (local $peak v128) (local $ms v128) (local $maxMs v128) (local $hold v128) (local $left v128) (local $bad v128)
    (local $coef v128) (local $gain v128) (local $fall v128) (local $holdN v128) (local $one v128) (local $zero v128)
    (if (i32.le_s (local.get $frames) (i32.const 0)) (then (return)))
    (local.set $peak (v128.load (i32.const 0)))
    (local.set $ms (v128.load (i32.const 16)))
    (local.set $maxMs (v128.load (i32.const 32)))
    (local.set $hold (v128.load (i32.const 48)))
    (local.set $left (v128.load (i32.const 64)))
    (local.set $bad (v128.load (i32.const 80)))
    (local.set $coef (v128.load (i32.const 96)))
    (local.set $gain (v128.load (i32.const 112)))
    (local.set $fall (v128.load (i32.const 128)))
    (local.set $holdN (v128.load (i32.const 144)))
    (local.set $one (f64x2.splat (f64.const 1)))
    (local.set $zero (f64x2.splat (f64.const 0)))
    (local.set $end (i32.shl (local.get $frames) (i32.const 2)))
    (loop $frame
      (local.set $v
        (f64x2.replace_lane 1
          (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $l) (local.get $i)))))
          (f64.promote_f32 (f32.load (i32.add (local.get $r) (local.get $i))))))
      ;; NaN / Inf: v - v is not 0; the sample becomes 0 and is counted
      (local.set $ok (f64x2.eq (f64x2.sub (local.get $v) (local.get $v)) (local.get $zero)))
      (local.set $v (v128.and (local.get $v) (local.get $ok)))
      (local.set $bad (f64x2.add (local.get $bad) (v128.andnot (local.get $one) (local.get $ok))))
      ;; a = v < 0 ? -v : v (keeps -0 like the JS)
      (local.set $a (v128.bitselect (f64x2.neg (local.get $v)) (local.get $v) (f64x2.lt (local.get $v) (local.get $zero))))
      ;; if (a > peak) peak = a
      (local.set $peak (v128.bitselect (local.get $a) (local.get $peak) (f64x2.gt (local.get $a) (local.get $peak))))
      ;; ms = coef * ms + gain * v * v; if (ms > maxMs) maxMs = ms
      (local.set $ms (f64x2.add (f64x2.mul (local.get $coef) (local.get $ms))
                                (f64x2.mul (f64x2.mul (local.get $gain) (local.get $v)) (local.get $v))))
      (local.set $maxMs (v128.bitselect (local.get $ms) (local.get $maxMs) (f64x2.gt (local.get $ms) (local.get $maxMs))))
      ;; if (a >= hold) { hold = a; left = holdSamples } else if (left > 0) left-- else hold *= fall
      (local.set $ge (f64x2.ge (local.get $a) (local.get $hold)))
      (local.set $pos (f64x2.gt (local.get $left) (local.get $zero)))
      (local.set $hold
        (v128.bitselect (local.get $a)
          (v128.bitselect (local.get $hold) (f64x2.mul (local.get $hold) (local.get $fall)) (local.get $pos))
          (local.get $ge)))
      (local.set $left
        (v128.bitselect (local.get $holdN)
          (v128.bitselect (f64x2.sub (local.get $left) (local.get $one)) (local.get $left) (local.get $pos))
          (local.get $ge)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br_if $frame (i32.lt_u (local.get $i) (local.get $end))))
    (v128.store (i32.const 0) (local.get $peak))
    (v128.store (i32.const 16) (local.get $ms))
    (v128.store (i32.const 32) (local.get $maxMs))
    (v128.store (i32.const 48) (local.get $hold))
    (v128.store (i32.const 64) (local.get $left))
    (v128.store (i32.const 80) (local.get $bad))))
