;; The loudness meter's per-sample core for channels 0 and 1 (meters/loudness-meter.ts #filterAndSlide):
;; K-weighting (BS.1770-4 Annex 1: shelf, then high-pass, transposed direct form II) with the two
;; channels as the lanes of f64x2 (lane 0 left, lane 1 right) and the channel weights; then the
;; 400 ms and 3 s windows, as the two lanes of f64x2 again, sliding one sample at a time over a 3 s
;; ring with their maxima at every sample; the 1024-sample state flush points; and at every 100 ms
;; boundary the fresh-sum resync and the gating-block / short-term powers. Per lane the arithmetic
;; and the comparisons are the JS reference's, in the same order, without fused multiply-adds: the
;; same state to the bit.
;;
;; Memory (imported, one per meter; laid out by meters/loudness-kernel.ts):
;;   0    10 v128 coefficients, each splatted: shelf b0 b1 b2 a1 a2, high-pass b0 b1 b2 a1 a2
;;   160  v128 channel weights (g0, g1)
;;   176  f64 non-finite input counts of channels 0 and 1 (the caller moves them out)
;;   192  f64 scalar state: the meter's #s, S_* at 192 + 8 S_* (loudness-meter.ts)
;;   384  f64 constants: 400 ms window, 3 s window, 100 ms hop (samples)
;;   512  per 100 ms boundary passed in this call: f64 pair (400 ms power, 3 s power), 32 at most
;;   1024 filter state: v128 s1, s2, h1, h2 (lane 0 left, lane 1 right); more channels after it
;; the ring (3 s of f64), the other channels' power (f64) and the f32 input at the addresses passed.
(module
  (import "env" "memory" (memory 1))

  ;; NaN / Inf (exponent all ones) among `frames` f32 at $x become +0 (the JS path's `v - v !== 0`
  ;; test, true exactly for those); returns how many. Four at a time, before the sample loop, so the
  ;; loop does not test its samples one by one.
  (func $scrub (param $x i32) (param $frames i32) (result i32)
    (local $end i32) (local $n i32) (local $v v128) (local $bad v128) (local $exp v128) (local $count v128)
    (local.set $exp (i32x4.splat (i32.const 0x7f800000)))
    (local.set $end (i32.add (local.get $x) (i32.shl (i32.and (local.get $frames) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $quad
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $v (v128.load (local.get $x)))
        (local.set $bad (i32x4.eq (v128.and (local.get $v) (local.get $exp)) (local.get $exp)))
        (if (v128.any_true (local.get $bad)) (then
          (v128.store (local.get $x) (v128.andnot (local.get $v) (local.get $bad)))
          ;; a lane that is all ones is -1: subtracting it counts one
          (local.set $count (i32x4.sub (local.get $count) (local.get $bad)))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (br $quad)))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $frames) (i32.const 3)) (i32.const 2))))
    (block $done
      (loop $one
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (if (i32.eq (i32.and (i32.load (local.get $x)) (i32.const 0x7f800000)) (i32.const 0x7f800000)) (then
          (i32.store (local.get $x) (i32.const 0))
          (local.set $n (i32.add (local.get $n) (i32.const 1)))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (br $one)))
    (i32.add (local.get $n)
      (i32.add (i32.add (i32x4.extract_lane 0 (local.get $count)) (i32x4.extract_lane 1 (local.get $count)))
               (i32.add (i32x4.extract_lane 2 (local.get $count)) (i32x4.extract_lane 3 (local.get $count))))))

  ;; Process `frames` frames of f32 input at $l and $r ($r may equal $l; NaN / Inf there become 0). $extra: 0, or the f64
  ;; power of the channels beyond the first two, added to each sample's. $untilFlush: samples until
  ;; the next 1024-sample flush point of the stream. Returns how many 100 ms boundaries were passed
  ;; (their powers at 512, 528, ...).
  ;;
  ;; The two windows are the lanes of f64x2 too (lane 0 the 400 ms one, lane 1 the 3 s one): their
  ;; running sums, fresh sums and maxima. `if (sum > max) max = sum` is f64x2.pmax(max, sum), which
  ;; is defined as exactly that comparison (max < sum ? sum : max), so it keeps the JS semantics for
  ;; NaN and signed zeros, without a branch.
  (func (export "run") (param $ring i32) (param $extra i32) (param $l i32) (param $r i32) (param $frames i32) (param $untilFlush i32) (result i32)
    (local $i i32) (local $end i32) (local $n i32) (local $w i32) (local $m i32) (local $nM i32) (local $nS i32)
    (local $hop i32) (local $hopLeft i32) (local $events i32) (local $phaseM i32) (local $phaseS i32) (local $at i32)
    (local $wAt i32) (local $mAt i32)
    (local $p f64) (local $hops f64)
    (local $sums v128) (local $fresh v128) (local $max v128) (local $windows v128) (local $pp v128) (local $old v128)
    (local $sb0 v128) (local $sb1 v128) (local $sb2 v128) (local $sa1 v128) (local $sa2 v128)
    (local $hb0 v128) (local $hb1 v128) (local $hb2 v128) (local $ha1 v128) (local $ha2 v128)
    (local $g v128) (local $zero v128) (local $flush v128) (local $negFlush v128)
    (local $s1 v128) (local $s2 v128) (local $h1 v128) (local $h2 v128)
    (local $v v128) (local $y v128) (local $z v128) (local $t v128)
    (local.set $sb0 (v128.load (i32.const 0)))
    (local.set $sb1 (v128.load (i32.const 16)))
    (local.set $sb2 (v128.load (i32.const 32)))
    (local.set $sa1 (v128.load (i32.const 48)))
    (local.set $sa2 (v128.load (i32.const 64)))
    (local.set $hb0 (v128.load (i32.const 80)))
    (local.set $hb1 (v128.load (i32.const 96)))
    (local.set $hb2 (v128.load (i32.const 112)))
    (local.set $ha1 (v128.load (i32.const 128)))
    (local.set $ha2 (v128.load (i32.const 144)))
    (local.set $g (v128.load (i32.const 160)))
    ;; the non-finite samples, counted per channel (once when both lanes read the same input)
    (f64.store (i32.const 176) (f64.add (f64.load (i32.const 176)) (f64.convert_i32_u (call $scrub (local.get $l) (local.get $frames)))))
    (if (i32.ne (local.get $r) (local.get $l)) (then
      (f64.store (i32.const 184) (f64.add (f64.load (i32.const 184)) (f64.convert_i32_u (call $scrub (local.get $r) (local.get $frames)))))))
    (local.set $zero (f64x2.splat (f64.const 0)))
    ;; STATE_FLUSH of loudness-meter.ts (1e-20, -400 dB)
    (local.set $flush (f64x2.splat (f64.const 1e-20)))
    (local.set $negFlush (f64x2.splat (f64.const -1e-20)))
    (local.set $s1 (v128.load (i32.const 1024)))
    (local.set $s2 (v128.load (i32.const 1040)))
    (local.set $h1 (v128.load (i32.const 1056)))
    (local.set $h2 (v128.load (i32.const 1072)))
    ;; the scalar state, at 192 + 8 * S_* of loudness-meter.ts
    (local.set $w (i32.trunc_f64_u (f64.load (i32.const 192))))       ;; S_WRITE
    (local.set $sums (v128.load (i32.const 200)))                     ;; S_SUM_M, S_SUM_S
    (local.set $fresh (v128.load (i32.const 216)))                    ;; S_FRESH_M, S_FRESH_S
    (local.set $max (v128.load (i32.const 232)))                      ;; S_MAX_M_READ, S_MAX_S_READ
    (local.set $hopLeft (i32.trunc_f64_u (f64.load (i32.const 264)))) ;; S_HOP_LEFT
    (local.set $hops (f64.load (i32.const 272)))                      ;; S_HOPS
    ;; the window lengths (400 ms, 3 s) and the hop, in samples
    (local.set $windows (v128.load (i32.const 384)))
    (local.set $nM (i32.trunc_f64_u (f64x2.extract_lane 0 (local.get $windows))))
    (local.set $nS (i32.trunc_f64_u (f64x2.extract_lane 1 (local.get $windows))))
    (local.set $hop (i32.trunc_f64_u (f64.load (i32.const 400))))
    ;; where the stream is in the 4-hop and 30-hop resync cycles
    (local.set $phaseM (i32.wrap_i64 (i64.rem_u (i64.trunc_f64_u (local.get $hops)) (i64.const 4))))
    (local.set $phaseS (i32.wrap_i64 (i64.rem_u (i64.trunc_f64_u (local.get $hops)) (i64.const 30))))
    (block $done
      (loop $segment
        (br_if $done (i32.ge_u (local.get $i) (local.get $frames)))
        ;; up to the next 100 ms boundary or flush point, whichever is first
        (local.set $n (i32.sub (local.get $frames) (local.get $i)))
        (if (i32.lt_u (local.get $hopLeft) (local.get $n)) (then (local.set $n (local.get $hopLeft))))
        (if (i32.lt_u (local.get $untilFlush) (local.get $n)) (then (local.set $n (local.get $untilFlush))))
        (local.set $end (i32.add (local.get $i) (local.get $n)))
        ;; the 400 ms window starts nM samples behind the write position; both wrap only at hop boundaries
        (local.set $m
          (if (result i32) (i32.ge_u (local.get $w) (local.get $nM))
            (then (i32.sub (local.get $w) (local.get $nM)))
            (else (i32.add (i32.sub (local.get $w) (local.get $nM)) (local.get $nS)))))
        (local.set $wAt (i32.add (local.get $ring) (i32.shl (local.get $w) (i32.const 3))))
        (local.set $mAt (i32.add (local.get $ring) (i32.shl (local.get $m) (i32.const 3))))
        (local.set $w (i32.add (local.get $w) (local.get $n)))
        (loop $sample
          (local.set $at (i32.shl (local.get $i) (i32.const 2)))
          (local.set $v
            (f64x2.promote_low_f32x4
              (v128.load32_lane 1 (i32.add (local.get $r) (local.get $at))
                (v128.load32_zero (i32.add (local.get $l) (local.get $at))))))
          ;; y = sb0 v + s1; s1 = sb1 v - sa1 y + s2; s2 = sb2 v - sa2 y (the shelf), then z from y (the high-pass)
          (local.set $y (f64x2.add (f64x2.mul (local.get $sb0) (local.get $v)) (local.get $s1)))
          (local.set $s1 (f64x2.add (f64x2.sub (f64x2.mul (local.get $sb1) (local.get $v)) (f64x2.mul (local.get $sa1) (local.get $y))) (local.get $s2)))
          (local.set $s2 (f64x2.sub (f64x2.mul (local.get $sb2) (local.get $v)) (f64x2.mul (local.get $sa2) (local.get $y))))
          (local.set $z (f64x2.add (f64x2.mul (local.get $hb0) (local.get $y)) (local.get $h1)))
          (local.set $h1 (f64x2.add (f64x2.sub (f64x2.mul (local.get $hb1) (local.get $y)) (f64x2.mul (local.get $ha1) (local.get $z))) (local.get $h2)))
          (local.set $h2 (f64x2.sub (f64x2.mul (local.get $hb2) (local.get $y)) (f64x2.mul (local.get $ha2) (local.get $z))))
          ;; p = g0 z0 z0 + g1 z1 z1 (+ the other channels')
          (local.set $t (f64x2.mul (f64x2.mul (local.get $g) (local.get $z)) (local.get $z)))
          (local.set $p (f64.add (f64x2.extract_lane 0 (local.get $t)) (f64x2.extract_lane 1 (local.get $t))))
          (if (local.get $extra)
            (then (local.set $p (f64.add (local.get $p) (f64.load (i32.add (local.get $extra) (i32.shl (local.get $i) (i32.const 3))))))))
          ;; slide both windows: (oldM, oldS) = (ring[m], ring[w]); ring[w] = p; sums += p - old; fresh += p
          (local.set $old (v128.load64_lane 1 (local.get $wAt) (v128.load64_zero (local.get $mAt))))
          (f64.store (local.get $wAt) (local.get $p))
          (local.set $pp (f64x2.splat (local.get $p)))
          (local.set $sums (f64x2.add (local.get $sums) (f64x2.sub (local.get $pp) (local.get $old))))
          (local.set $fresh (f64x2.add (local.get $fresh) (local.get $pp)))
          (local.set $max (f64x2.pmax (local.get $max) (local.get $sums)))
          (local.set $wAt (i32.add (local.get $wAt) (i32.const 8)))
          (local.set $mAt (i32.add (local.get $mAt) (i32.const 8)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $sample (i32.lt_u (local.get $i) (local.get $end))))
        ;; a stream flush point: filter state below the flush level becomes 0 (never denormal)
        (local.set $untilFlush (i32.sub (local.get $untilFlush) (local.get $n)))
        (if (i32.eqz (local.get $untilFlush)) (then
          (local.set $untilFlush (i32.const 1024))
          (local.set $s1 (v128.andnot (local.get $s1) (v128.and (f64x2.lt (local.get $s1) (local.get $flush)) (f64x2.gt (local.get $s1) (local.get $negFlush)))))
          (local.set $s2 (v128.andnot (local.get $s2) (v128.and (f64x2.lt (local.get $s2) (local.get $flush)) (f64x2.gt (local.get $s2) (local.get $negFlush)))))
          (local.set $h1 (v128.andnot (local.get $h1) (v128.and (f64x2.lt (local.get $h1) (local.get $flush)) (f64x2.gt (local.get $h1) (local.get $negFlush)))))
          (local.set $h2 (v128.andnot (local.get $h2) (v128.and (f64x2.lt (local.get $h2) (local.get $flush)) (f64x2.gt (local.get $h2) (local.get $negFlush)))))))
        ;; a 100 ms boundary (#endOfHop): resync the running sums, record the block powers
        (local.set $hopLeft (i32.sub (local.get $hopLeft) (local.get $n)))
        (if (i32.eqz (local.get $hopLeft)) (then
          (local.set $hopLeft (local.get $hop))
          (if (i32.eq (local.get $w) (local.get $nS)) (then (local.set $w (i32.const 0))))
          (local.set $hops (f64.add (local.get $hops) (f64.const 1)))
          (local.set $phaseM (i32.add (local.get $phaseM) (i32.const 1)))
          (if (i32.eq (local.get $phaseM) (i32.const 4)) (then
            (local.set $phaseM (i32.const 0))
            (local.set $sums (f64x2.replace_lane 0 (local.get $sums) (f64x2.extract_lane 0 (local.get $fresh))))
            (local.set $fresh (f64x2.replace_lane 0 (local.get $fresh) (f64.const 0)))))
          (local.set $phaseS (i32.add (local.get $phaseS) (i32.const 1)))
          (if (i32.eq (local.get $phaseS) (i32.const 30)) (then
            (local.set $phaseS (i32.const 0))
            (local.set $sums (f64x2.replace_lane 1 (local.get $sums) (f64x2.extract_lane 1 (local.get $fresh))))
            (local.set $fresh (f64x2.replace_lane 1 (local.get $fresh) (f64.const 0)))))
          ;; if (sum < 0) sum = 0; then the block powers sum / window
          (local.set $sums (v128.bitselect (local.get $zero) (local.get $sums) (f64x2.lt (local.get $sums) (local.get $zero))))
          (v128.store (i32.add (i32.const 512) (i32.shl (local.get $events) (i32.const 4))) (f64x2.div (local.get $sums) (local.get $windows)))
          (local.set $events (i32.add (local.get $events) (i32.const 1)))))
        (br $segment)))
    (v128.store (i32.const 1024) (local.get $s1))
    (v128.store (i32.const 1040) (local.get $s2))
    (v128.store (i32.const 1056) (local.get $h1))
    (v128.store (i32.const 1072) (local.get $h2))
    (f64.store (i32.const 192) (f64.convert_i32_u (local.get $w)))
    (v128.store (i32.const 200) (local.get $sums))
    (v128.store (i32.const 216) (local.get $fresh))
    (v128.store (i32.const 232) (local.get $max))
    (f64.store (i32.const 264) (f64.convert_i32_u (local.get $hopLeft)))
    (f64.store (i32.const 272) (local.get $hops))
    (local.get $events)))
