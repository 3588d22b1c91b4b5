;; The true-peak limiter's detector (engine/limiter-detector.ts detect): BS.1770-4 Annex 2, 4x, the
;; 48-tap filter folded for its symmetry, in single precision, four consecutive samples per f32x4.
;; Per lane the arithmetic and the comparisons are the JS loop's (Math.fround after every
;; operation), in the same order, without fused multiply-adds: the same peaks to the bit.
;; s_k = x[base - k] (newest first), the f32 history doubled so no index wraps.
;;
;; Memory (imported, one per limiter): at 0, 24 v128 coefficients (f32), each splatted to the four
;; lanes: phase 0 symmetric, phase 0 antisymmetric, phase 1 symmetric, phase 1 antisymmetric (6
;; each); then the per-sample peaks (f32), the channels' histories (f32), the scalars of `ingest`
;; and its f32 input (set up by limiter-detector.ts).
(module
  (import "env" "memory" (memory 1))

  ;; One channel's block, what LimiterDetector.detectWasm's JS loop did (the same operations in the
  ;; same order, so the same bits): per chunk of 16 new samples (a chunk never straddles the end of
  ;; the history) the driven samples into the doubled f32 history (fround(input * drive), as a
  ;; Float32Array store rounds it: promote, multiply in f64, demote), then the quiet test (the
  ;; largest |x| under the chunk's windows times l1, which carries the margin for the f32
  ;; rounding, against the limit); runs of loud chunks through `detect`.
  ;; $in: the block's f32 samples; $x: the channel history's byte address; $xLen: its length in
  ;; samples (a power of two); $n0: the clock of the block's first sample; $ramp: samples of the
  ;; block on which the drive ramp steps ($ramp <= $drvR); $drvR: steps left on the ramp.
  ;; Scalars at $sc (f64): [0] drive value (in and out), [1] drive step, [2] drive target,
  ;; [3] l1, [4] quiet limit. Peaks are raised from byte address $peaks (sample 0 of the block).
  (func (export "ingest") (param $in i32) (param $x i32) (param $xLen i32) (param $n0 i32) (param $frames i32)
        (param $ramp i32) (param $drvR i32) (param $sc i32) (param $peaks i32)
    (local $mask i32) (local $xBytes i32) (local $start i32) (local $end i32) (local $w0 i32) (local $i i32)
    (local $rampEnd i32) (local $src i32) (local $dst i32) (local $j i32) (local $last i32) (local $loudFrom i32)
    (local $drvV f64) (local $step f64) (local $target f64) (local $l1 f64) (local $limit f64) (local $v f32)
    (local $d v128) (local $a v128) (local $m v128)
    (local.set $mask (i32.sub (local.get $xLen) (i32.const 1)))
    (local.set $xBytes (i32.shl (local.get $xLen) (i32.const 2)))
    (local.set $drvV (f64.load offset=0 (local.get $sc)))
    (local.set $step (f64.load offset=8 (local.get $sc)))
    (local.set $target (f64.load offset=16 (local.get $sc)))
    (local.set $l1 (f64.load offset=24 (local.get $sc)))
    (local.set $limit (f64.load offset=32 (local.get $sc)))
    (local.set $loudFrom (i32.const -1))
    (block $blockDone
      (loop $chunk
        (br_if $blockDone (i32.ge_s (local.get $start) (local.get $frames)))
        (local.set $w0 (i32.and (i32.add (local.get $n0) (local.get $start)) (local.get $mask)))
        (local.set $end
          (select (i32.add (local.get $start) (i32.const 16)) (local.get $frames)
            (i32.lt_s (i32.add (local.get $start) (i32.const 16)) (local.get $frames))))
        (if (i32.gt_s (i32.sub (local.get $end) (local.get $start)) (i32.sub (local.get $xLen) (local.get $w0)))
          (then (local.set $end (i32.sub (i32.add (local.get $start) (local.get $xLen)) (local.get $w0)))))
        ;; the chunk's samples go to x[w0 ..] and x[w0 + xLen ..], contiguous
        (local.set $src (i32.add (local.get $in) (i32.shl (local.get $start) (i32.const 2))))
        (local.set $dst (i32.add (local.get $x) (i32.shl (local.get $w0) (i32.const 2))))
        (local.set $i (local.get $start))
        ;; on the drive ramp: one sample at a time
        (local.set $rampEnd (select (local.get $ramp) (local.get $end) (i32.lt_s (local.get $ramp) (local.get $end))))
        (block $rampDone
          (loop $rampWrite
            (br_if $rampDone (i32.ge_s (local.get $i) (local.get $rampEnd)))
            (local.set $drvV
              (select (local.get $target) (f64.add (local.get $drvV) (local.get $step))
                (i32.eq (i32.add (local.get $i) (i32.const 1)) (local.get $drvR))))
            (local.set $v (f32.demote_f64 (call $bounded (f64.mul (f64.promote_f32 (f32.load (local.get $src))) (local.get $drvV)))))
            (f32.store (local.get $dst) (local.get $v))
            (f32.store (i32.add (local.get $dst) (local.get $xBytes)) (local.get $v))
            (local.set $src (i32.add (local.get $src) (i32.const 4)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $rampWrite)))
        ;; past the ramp the drive is constant: four at a time, each lane the scalar's operations
        (local.set $d (f64x2.splat (local.get $drvV)))
        (block $quadsDone
          (loop $quadWrite
            (br_if $quadsDone (i32.gt_s (i32.add (local.get $i) (i32.const 4)) (local.get $end)))
            (local.set $a (v128.load (local.get $src)))
            (local.set $a
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                ;; held within +-65536 (+96 dBFS) (see $bounded): pmin / pmax are the JS comparisons
                (f32x4.demote_f64x2_zero
                  (f64x2.pmax (f64x2.pmin (f64x2.mul (f64x2.promote_low_f32x4 (local.get $a)) (local.get $d)) (f64x2.splat (f64.const 65536)))
                              (f64x2.splat (f64.const -65536))))
                (f32x4.demote_f64x2_zero
                  (f64x2.pmax
                    (f64x2.pmin
                      (f64x2.mul (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $a) (local.get $a)))
                                 (local.get $d))
                      (f64x2.splat (f64.const 65536)))
                    (f64x2.splat (f64.const -65536))))))
            (v128.store (local.get $dst) (local.get $a))
            (v128.store (i32.add (local.get $dst) (local.get $xBytes)) (local.get $a))
            (local.set $src (i32.add (local.get $src) (i32.const 16)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $quadWrite)))
        (block $restDone
          (loop $restWrite
            (br_if $restDone (i32.ge_s (local.get $i) (local.get $end)))
            (local.set $v (f32.demote_f64 (call $bounded (f64.mul (f64.promote_f32 (f32.load (local.get $src))) (local.get $drvV)))))
            (f32.store (local.get $dst) (local.get $v))
            (f32.store (i32.add (local.get $dst) (local.get $xBytes)) (local.get $v))
            (local.set $src (i32.add (local.get $src) (i32.const 4)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $restWrite)))
        ;; largest |x| under the chunk's windows, x[w0 + xLen - 11 .. w0 + xLen + end - start) (at
        ;; least 12 samples): four at a time, the last four overlapping (max does not mind).
        ;; pmax(m, v) is m < v ? v : m: NaN compares false, ignored.
        (local.set $m (v128.const i32x4 0 0 0 0))
        (local.set $j (i32.add (local.get $x) (i32.shl (i32.sub (i32.add (local.get $w0) (local.get $xLen)) (i32.const 11)) (i32.const 2))))
        (local.set $last (i32.sub (i32.add (local.get $dst) (local.get $xBytes)) (i32.const 16)))
        (block $scanDone
          (loop $scan
            (br_if $scanDone (i32.ge_u (local.get $j) (local.get $last)))
            (local.set $m (f32x4.pmax (local.get $m) (f32x4.abs (v128.load (local.get $j)))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $scan)))
        (local.set $m (f32x4.pmax (local.get $m) (f32x4.abs (v128.load (local.get $last)))))
        (local.set $m (f32x4.pmax (local.get $m) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $m) (local.get $m))))
        (local.set $m (f32x4.pmax (local.get $m) (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $m) (local.get $m))))
        (if (f64.gt (f64.mul (f64.promote_f32 (f32x4.extract_lane 0 (local.get $m))) (local.get $l1)) (local.get $limit))
          (then (if (i32.lt_s (local.get $loudFrom) (i32.const 0)) (then (local.set $loudFrom (local.get $start)))))
          (else
            (if (i32.ge_s (local.get $loudFrom) (i32.const 0))
              (then
                (call $run (local.get $x) (local.get $xLen) (local.get $mask) (local.get $n0) (local.get $loudFrom) (local.get $start) (local.get $peaks))
                (local.set $loudFrom (i32.const -1))))))
        (local.set $start (local.get $end))
        (br $chunk)))
    (if (i32.ge_s (local.get $loudFrom) (i32.const 0))
      (then (call $run (local.get $x) (local.get $xLen) (local.get $mask) (local.get $n0) (local.get $loudFrom) (local.get $frames) (local.get $peaks))))
    (f64.store offset=0 (local.get $sc) (local.get $drvV)))

  ;; The limiter's pass 2 (limiter.ts #gains, the same operations in the same order: the same
  ;; bits): per sample g_req = min(1, limit / peak) (the f32 peak, exact in f64) into the g
  ;; history, the sliding minimum over the window (a deque of indices), the release towards
  ;; unity, the moving average over the lookahead
  ;; (re-summed exactly once per history length) -> gains. Indices are whole numbers kept as i64
  ;; (f64 in memory, as JS keeps them); a ring position is the index's low 32 bits and the mask,
  ;; as JS's `&` takes it.
  ;; Scalars at $sc (f64): [0] ceiling value, [1] its step, [2] its target, [3] steps left,
  ;; [4] safety gain, [5] release coefficient, [6] 1 / L, [7] previous release value, [8] running
  ;; sum, [9] n (clock), [10] deque head, [11] deque tail, [12] out: the smallest gain.
  (func (export "gains") (param $sc i32) (param $peaks i32) (param $gains i32) (param $frames i32)
        (param $g i32) (param $gm i32) (param $dq i32) (param $dm i32) (param $r i32) (param $rm i32)
        (param $delta i32) (param $win i32) (param $l i32)
    (local $i i32) (local $ceilR i32) (local $ri i32)
    (local $n i64) (local $head i64) (local $tail i64) (local $tap i64) (local $j i64)
    (local $ceilV f64) (local $step f64) (local $target f64) (local $safety f64) (local $aR f64) (local $invL f64)
    (local $rPrev f64) (local $sum f64) (local $minGain f64) (local $peak f64) (local $limit f64) (local $gv f64)
    (local $h f64) (local $rv f64) (local $s f64)
    (local.set $ceilV (f64.load offset=0 (local.get $sc)))
    (local.set $step (f64.load offset=8 (local.get $sc)))
    (local.set $target (f64.load offset=16 (local.get $sc)))
    (local.set $ceilR (i32.trunc_f64_s (f64.load offset=24 (local.get $sc))))
    (local.set $safety (f64.load offset=32 (local.get $sc)))
    (local.set $aR (f64.load offset=40 (local.get $sc)))
    (local.set $invL (f64.load offset=48 (local.get $sc)))
    (local.set $rPrev (f64.load offset=56 (local.get $sc)))
    (local.set $sum (f64.load offset=64 (local.get $sc)))
    (local.set $n (i64.trunc_f64_s (f64.load offset=72 (local.get $sc))))
    (local.set $head (i64.trunc_f64_s (f64.load offset=80 (local.get $sc))))
    (local.set $tail (i64.trunc_f64_s (f64.load offset=88 (local.get $sc))))
    (local.set $minGain (f64.const 1))
    (block $done
      (loop $sample
        (br_if $done (i32.ge_s (local.get $i) (local.get $frames)))
        (if (i32.gt_s (local.get $ceilR) (i32.const 0))
          (then
            (local.set $ceilV (f64.add (local.get $ceilV) (local.get $step)))
            (local.set $ceilR (i32.sub (local.get $ceilR) (i32.const 1)))
            (if (i32.eqz (local.get $ceilR)) (then (local.set $ceilV (local.get $target))))))
        (local.set $peak (f64.promote_f32 (f32.load (i32.add (local.get $peaks) (i32.shl (local.get $i) (i32.const 2))))))
        (local.set $limit (f64.mul (local.get $ceilV) (local.get $safety)))
        (f64.store (i32.add (local.get $g) (i32.shl (i32.and (i32.wrap_i64 (local.get $n)) (local.get $gm)) (i32.const 3)))
          (select (f64.div (local.get $limit) (local.get $peak)) (f64.const 1) (f64.gt (local.get $peak) (local.get $limit))))
        ;; sliding minimum over [tap - W + 1, tap]
        (local.set $tap (i64.sub (local.get $n) (i64.extend_i32_s (local.get $delta))))
        (local.set $gv (f64.load (i32.add (local.get $g) (i32.shl (i32.and (i32.wrap_i64 (local.get $tap)) (local.get $gm)) (i32.const 3)))))
        (block $popped
          (loop $pop
            (br_if $popped (i64.le_s (local.get $tail) (local.get $head)))
            (br_if $popped
              (i32.eqz (f64.ge
                (f64.load (i32.add (local.get $g) (i32.shl (i32.and (i32.wrap_i64 (i64.trunc_f64_s (f64.load (i32.add (local.get $dq) (i32.shl (i32.and (i32.wrap_i64 (i64.sub (local.get $tail) (i64.const 1))) (local.get $dm)) (i32.const 3)))))) (local.get $gm)) (i32.const 3))))
                (local.get $gv))))
            (local.set $tail (i64.sub (local.get $tail) (i64.const 1)))
            (br $pop)))
        (f64.store (i32.add (local.get $dq) (i32.shl (i32.and (i32.wrap_i64 (local.get $tail)) (local.get $dm)) (i32.const 3))) (f64.convert_i64_s (local.get $tap)))
        (local.set $tail (i64.add (local.get $tail) (i64.const 1)))
        (block $advanced
          (loop $advance
            (br_if $advanced
              (i64.gt_s (i64.trunc_f64_s (f64.load (i32.add (local.get $dq) (i32.shl (i32.and (i32.wrap_i64 (local.get $head)) (local.get $dm)) (i32.const 3)))))
                        (i64.sub (local.get $tap) (i64.extend_i32_s (local.get $win)))))
            (local.set $head (i64.add (local.get $head) (i64.const 1)))
            (br $advance)))
        (local.set $h (f64.load (i32.add (local.get $g) (i32.shl (i32.and (i32.wrap_i64 (i64.trunc_f64_s (f64.load (i32.add (local.get $dq) (i32.shl (i32.and (i32.wrap_i64 (local.get $head)) (local.get $dm)) (i32.const 3)))))) (local.get $gm)) (i32.const 3)))))
        ;; release towards unity, never above the hold
        (local.set $rv (f64.sub (f64.const 1) (f64.mul (local.get $aR) (f64.sub (f64.const 1) (local.get $rPrev)))))
        (if (f64.lt (local.get $h) (local.get $rv)) (then (local.set $rv (local.get $h))))
        (local.set $rPrev (local.get $rv))
        (local.set $ri (i32.and (i32.wrap_i64 (local.get $n)) (local.get $rm)))
        (local.set $sum
          (f64.add (local.get $sum)
            (f64.sub (local.get $rv)
              (f64.load (i32.add (local.get $r) (i32.shl (i32.and (i32.wrap_i64 (i64.sub (local.get $n) (i64.extend_i32_s (local.get $l)))) (local.get $rm)) (i32.const 3)))))))
        (f64.store (i32.add (local.get $r) (i32.shl (local.get $ri) (i32.const 3))) (local.get $rv))
        (if (i32.eqz (local.get $ri))
          (then
            ;; re-sum exactly once per history length: no drift from the running additions
            (local.set $sum (f64.const 0))
            (local.set $j (i64.add (i64.sub (local.get $n) (i64.extend_i32_s (local.get $l))) (i64.const 1)))
            (block $summed
              (loop $resum
                (br_if $summed (i64.gt_s (local.get $j) (local.get $n)))
                (local.set $sum (f64.add (local.get $sum) (f64.load (i32.add (local.get $r) (i32.shl (i32.and (i32.wrap_i64 (local.get $j)) (local.get $rm)) (i32.const 3))))))
                (local.set $j (i64.add (local.get $j) (i64.const 1)))
                (br $resum)))))
        (local.set $s (f64.mul (local.get $sum) (local.get $invL)))
        (if (f64.lt (local.get $s) (local.get $minGain)) (then (local.set $minGain (local.get $s))))
        (f64.store (i32.add (local.get $gains) (i32.shl (local.get $i) (i32.const 3))) (local.get $s))
        (local.set $n (i64.add (local.get $n) (i64.const 1)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $sample)))
    (f64.store offset=0 (local.get $sc) (local.get $ceilV))
    (f64.store offset=24 (local.get $sc) (f64.convert_i32_s (local.get $ceilR)))
    (f64.store offset=56 (local.get $sc) (local.get $rPrev))
    (f64.store offset=64 (local.get $sc) (local.get $sum))
    (f64.store offset=72 (local.get $sc) (f64.convert_i64_s (local.get $n)))
    (f64.store offset=80 (local.get $sc) (f64.convert_i64_s (local.get $head)))
    (f64.store offset=88 (local.get $sc) (f64.convert_i64_s (local.get $tail)))
    (f64.store offset=96 (local.get $sc) (local.get $minGain)))

  ;; The limiter's pass 3 for one channel: out[i] = x[(n0 + i - lat) & mask] * gains[i] (the f32
  ;; history sample times the f64 gain), rounded to f32 as a Float32Array store rounds it. $out: f32
  ;; samples; $x: the channel history's byte address; $start: (n0 - lat) & mask, the history
  ;; position of the block's first output.
  (func (export "apply") (param $out i32) (param $x i32) (param $start i32) (param $mask i32) (param $gains i32) (param $frames i32)
    (local $i i32)
    (block $done
      (loop $sample
        (br_if $done (i32.ge_s (local.get $i) (local.get $frames)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2)))
          (f32.demote_f64
            (f64.mul
              (f64.promote_f32 (f32.load (i32.add (local.get $x) (i32.shl (i32.and (i32.add (local.get $start) (local.get $i)) (local.get $mask)) (i32.const 2)))))
              (f64.load (i32.add (local.get $gains) (i32.shl (local.get $i) (i32.const 3)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $sample))))

  ;; `detect` over samples [from, to) of the block, split where the history wraps.
  (func $run (param $x i32) (param $xLen i32) (param $mask i32) (param $n0 i32) (param $from i32) (param $to i32) (param $peaks i32)
    (local $first i32) (local $count i32) (local $head i32)
    (local.set $first (i32.and (i32.add (local.get $n0) (local.get $from)) (local.get $mask)))
    (local.set $count (i32.sub (local.get $to) (local.get $from)))
    (local.set $head
      (select (i32.sub (local.get $xLen) (local.get $first)) (local.get $count)
        (i32.lt_s (i32.sub (local.get $xLen) (local.get $first)) (local.get $count))))
    (call $detect
      (i32.add (local.get $x) (i32.shl (i32.add (local.get $first) (local.get $xLen)) (i32.const 2)))
      (i32.add (local.get $peaks) (i32.shl (local.get $from) (i32.const 2)))
      (local.get $head))
    (if (i32.lt_s (local.get $head) (local.get $count))
      (then
        (call $detect
          (i32.add (local.get $x) (i32.shl (local.get $xLen) (i32.const 2)))
          (i32.add (local.get $peaks) (i32.shl (i32.add (local.get $from) (local.get $head)) (i32.const 2)))
          (i32.sub (local.get $count) (local.get $head))))))

  ;; Raise peaks[i] (f32 at $peaks + 4 i) for `count` consecutive samples, the first one's newest
  ;; history sample at byte address $x (the next ones follow it): four samples per f32x4, then
  ;; the last count mod 4 one by one with the same f32 operations.
  (func $detect (export "detect") (param $x i32) (param $peaks i32) (param $count i32)
    (local $end i32) (local $quads i32) (local $lo i32) (local $inf v128)
    (local $sa v128) (local $sb v128) (local $p v128) (local $m v128) (local $pk v128)
    (local $A v128) (local $B v128) (local $C v128) (local $D v128)
    (local $ta f32) (local $tb f32) (local $tp f32) (local $tm f32) (local $tk f32)
    (local $tA f32) (local $tB f32) (local $tC f32) (local $tD f32)
    (local.set $inf (f32x4.splat (f32.const inf)))
    (local.set $end (i32.add (local.get $peaks) (i32.shl (local.get $count) (i32.const 2))))
    (local.set $quads (i32.add (local.get $peaks) (i32.shl (i32.and (local.get $count) (i32.const -4)) (i32.const 2))))
    (block $quadsDone
      (loop $quad
        (br_if $quadsDone (i32.ge_u (local.get $peaks) (local.get $quads)))
        (local.set $lo (i32.sub (local.get $x) (i32.const 44)))
        (local.set $sa (v128.load offset=44 (local.get $lo)))
        (local.set $sb (v128.load offset=0 (local.get $lo)))
        (local.set $p (f32x4.add (local.get $sa) (local.get $sb)))
        (local.set $m (f32x4.sub (local.get $sa) (local.get $sb)))
        (local.set $A (f32x4.mul (v128.load offset=0 (i32.const 0)) (local.get $p)))
        (local.set $C (f32x4.mul (v128.load offset=192 (i32.const 0)) (local.get $p)))
        (local.set $B (f32x4.mul (v128.load offset=96 (i32.const 0)) (local.get $m)))
        (local.set $D (f32x4.mul (v128.load offset=288 (i32.const 0)) (local.get $m)))
        (local.set $sa (v128.load offset=40 (local.get $lo)))
        (local.set $sb (v128.load offset=4 (local.get $lo)))
        (local.set $p (f32x4.add (local.get $sa) (local.get $sb)))
        (local.set $m (f32x4.sub (local.get $sa) (local.get $sb)))
        (local.set $A (f32x4.add (local.get $A) (f32x4.mul (v128.load offset=16 (i32.const 0)) (local.get $p))))
        (local.set $C (f32x4.add (local.get $C) (f32x4.mul (v128.load offset=208 (i32.const 0)) (local.get $p))))
        (local.set $B (f32x4.add (local.get $B) (f32x4.mul (v128.load offset=112 (i32.const 0)) (local.get $m))))
        (local.set $D (f32x4.add (local.get $D) (f32x4.mul (v128.load offset=304 (i32.const 0)) (local.get $m))))
        (local.set $sa (v128.load offset=36 (local.get $lo)))
        (local.set $sb (v128.load offset=8 (local.get $lo)))
        (local.set $p (f32x4.add (local.get $sa) (local.get $sb)))
        (local.set $m (f32x4.sub (local.get $sa) (local.get $sb)))
        (local.set $A (f32x4.add (local.get $A) (f32x4.mul (v128.load offset=32 (i32.const 0)) (local.get $p))))
        (local.set $C (f32x4.add (local.get $C) (f32x4.mul (v128.load offset=224 (i32.const 0)) (local.get $p))))
        (local.set $B (f32x4.add (local.get $B) (f32x4.mul (v128.load offset=128 (i32.const 0)) (local.get $m))))
        (local.set $D (f32x4.add (local.get $D) (f32x4.mul (v128.load offset=320 (i32.const 0)) (local.get $m))))
        (local.set $sa (v128.load offset=32 (local.get $lo)))
        (local.set $sb (v128.load offset=12 (local.get $lo)))
        (local.set $p (f32x4.add (local.get $sa) (local.get $sb)))
        (local.set $m (f32x4.sub (local.get $sa) (local.get $sb)))
        (local.set $A (f32x4.add (local.get $A) (f32x4.mul (v128.load offset=48 (i32.const 0)) (local.get $p))))
        (local.set $C (f32x4.add (local.get $C) (f32x4.mul (v128.load offset=240 (i32.const 0)) (local.get $p))))
        (local.set $B (f32x4.add (local.get $B) (f32x4.mul (v128.load offset=144 (i32.const 0)) (local.get $m))))
        (local.set $D (f32x4.add (local.get $D) (f32x4.mul (v128.load offset=336 (i32.const 0)) (local.get $m))))
        (local.set $sa (v128.load offset=28 (local.get $lo)))
        (local.set $sb (v128.load offset=16 (local.get $lo)))
        (local.set $p (f32x4.add (local.get $sa) (local.get $sb)))
        (local.set $m (f32x4.sub (local.get $sa) (local.get $sb)))
        (local.set $A (f32x4.add (local.get $A) (f32x4.mul (v128.load offset=64 (i32.const 0)) (local.get $p))))
        (local.set $C (f32x4.add (local.get $C) (f32x4.mul (v128.load offset=256 (i32.const 0)) (local.get $p))))
        (local.set $B (f32x4.add (local.get $B) (f32x4.mul (v128.load offset=160 (i32.const 0)) (local.get $m))))
        (local.set $D (f32x4.add (local.get $D) (f32x4.mul (v128.load offset=352 (i32.const 0)) (local.get $m))))
        (local.set $sa (v128.load offset=24 (local.get $lo)))
        (local.set $sb (v128.load offset=20 (local.get $lo)))
        (local.set $p (f32x4.add (local.get $sa) (local.get $sb)))
        (local.set $m (f32x4.sub (local.get $sa) (local.get $sb)))
        (local.set $A (f32x4.add (local.get $A) (f32x4.mul (v128.load offset=80 (i32.const 0)) (local.get $p))))
        (local.set $C (f32x4.add (local.get $C) (f32x4.mul (v128.load offset=272 (i32.const 0)) (local.get $p))))
        (local.set $B (f32x4.add (local.get $B) (f32x4.mul (v128.load offset=176 (i32.const 0)) (local.get $m))))
        (local.set $D (f32x4.add (local.get $D) (f32x4.mul (v128.load offset=368 (i32.const 0)) (local.get $m))))
        ;; p = |s6|; if (|A| + |B| > p) p = it; if (|C| + |D| > p) p = it (pmax(p, v) is p < v ? v : p,
        ;; the JS comparison, NaN included; f32x4.abs differs from JS's `v < 0 ? -v : v` only in the
        ;; sign of a zero or a NaN, which no comparison here can tell)
        (local.set $pk (f32x4.abs (v128.load offset=20 (local.get $lo))))
        (local.set $pk (f32x4.pmax (local.get $pk) (f32x4.add (f32x4.abs (local.get $A)) (f32x4.abs (local.get $B)))))
        (local.set $pk (f32x4.pmax (local.get $pk) (f32x4.add (f32x4.abs (local.get $C)) (f32x4.abs (local.get $D)))))
        ;; if (p > peaks[i] && p < Infinity) peaks[i] = p: peaks are >= 0, so an Inf or NaN p made +0 never wins
        (v128.store (local.get $peaks)
          (f32x4.pmax (v128.load (local.get $peaks)) (v128.and (local.get $pk) (f32x4.lt (local.get $pk) (local.get $inf)))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $peaks (i32.add (local.get $peaks) (i32.const 16)))
        (br $quad)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $peaks) (local.get $end)))
        (local.set $lo (i32.sub (local.get $x) (i32.const 44)))
        (local.set $ta (f32.load offset=44 (local.get $lo)))
        (local.set $tb (f32.load offset=0 (local.get $lo)))
        (local.set $tp (f32.add (local.get $ta) (local.get $tb)))
        (local.set $tm (f32.sub (local.get $ta) (local.get $tb)))
        (local.set $tA (f32.mul (f32.load offset=0 (i32.const 0)) (local.get $tp)))
        (local.set $tC (f32.mul (f32.load offset=192 (i32.const 0)) (local.get $tp)))
        (local.set $tB (f32.mul (f32.load offset=96 (i32.const 0)) (local.get $tm)))
        (local.set $tD (f32.mul (f32.load offset=288 (i32.const 0)) (local.get $tm)))
        (local.set $ta (f32.load offset=40 (local.get $lo)))
        (local.set $tb (f32.load offset=4 (local.get $lo)))
        (local.set $tp (f32.add (local.get $ta) (local.get $tb)))
        (local.set $tm (f32.sub (local.get $ta) (local.get $tb)))
        (local.set $tA (f32.add (local.get $tA) (f32.mul (f32.load offset=16 (i32.const 0)) (local.get $tp))))
        (local.set $tC (f32.add (local.get $tC) (f32.mul (f32.load offset=208 (i32.const 0)) (local.get $tp))))
        (local.set $tB (f32.add (local.get $tB) (f32.mul (f32.load offset=112 (i32.const 0)) (local.get $tm))))
        (local.set $tD (f32.add (local.get $tD) (f32.mul (f32.load offset=304 (i32.const 0)) (local.get $tm))))
        (local.set $ta (f32.load offset=36 (local.get $lo)))
        (local.set $tb (f32.load offset=8 (local.get $lo)))
        (local.set $tp (f32.add (local.get $ta) (local.get $tb)))
        (local.set $tm (f32.sub (local.get $ta) (local.get $tb)))
        (local.set $tA (f32.add (local.get $tA) (f32.mul (f32.load offset=32 (i32.const 0)) (local.get $tp))))
        (local.set $tC (f32.add (local.get $tC) (f32.mul (f32.load offset=224 (i32.const 0)) (local.get $tp))))
        (local.set $tB (f32.add (local.get $tB) (f32.mul (f32.load offset=128 (i32.const 0)) (local.get $tm))))
        (local.set $tD (f32.add (local.get $tD) (f32.mul (f32.load offset=320 (i32.const 0)) (local.get $tm))))
        (local.set $ta (f32.load offset=32 (local.get $lo)))
        (local.set $tb (f32.load offset=12 (local.get $lo)))
        (local.set $tp (f32.add (local.get $ta) (local.get $tb)))
        (local.set $tm (f32.sub (local.get $ta) (local.get $tb)))
        (local.set $tA (f32.add (local.get $tA) (f32.mul (f32.load offset=48 (i32.const 0)) (local.get $tp))))
        (local.set $tC (f32.add (local.get $tC) (f32.mul (f32.load offset=240 (i32.const 0)) (local.get $tp))))
        (local.set $tB (f32.add (local.get $tB) (f32.mul (f32.load offset=144 (i32.const 0)) (local.get $tm))))
        (local.set $tD (f32.add (local.get $tD) (f32.mul (f32.load offset=336 (i32.const 0)) (local.get $tm))))
        (local.set $ta (f32.load offset=28 (local.get $lo)))
        (local.set $tb (f32.load offset=16 (local.get $lo)))
        (local.set $tp (f32.add (local.get $ta) (local.get $tb)))
        (local.set $tm (f32.sub (local.get $ta) (local.get $tb)))
        (local.set $tA (f32.add (local.get $tA) (f32.mul (f32.load offset=64 (i32.const 0)) (local.get $tp))))
        (local.set $tC (f32.add (local.get $tC) (f32.mul (f32.load offset=256 (i32.const 0)) (local.get $tp))))
        (local.set $tB (f32.add (local.get $tB) (f32.mul (f32.load offset=160 (i32.const 0)) (local.get $tm))))
        (local.set $tD (f32.add (local.get $tD) (f32.mul (f32.load offset=352 (i32.const 0)) (local.get $tm))))
        (local.set $ta (f32.load offset=24 (local.get $lo)))
        (local.set $tb (f32.load offset=20 (local.get $lo)))
        (local.set $tp (f32.add (local.get $ta) (local.get $tb)))
        (local.set $tm (f32.sub (local.get $ta) (local.get $tb)))
        (local.set $tA (f32.add (local.get $tA) (f32.mul (f32.load offset=80 (i32.const 0)) (local.get $tp))))
        (local.set $tC (f32.add (local.get $tC) (f32.mul (f32.load offset=272 (i32.const 0)) (local.get $tp))))
        (local.set $tB (f32.add (local.get $tB) (f32.mul (f32.load offset=176 (i32.const 0)) (local.get $tm))))
        (local.set $tD (f32.add (local.get $tD) (f32.mul (f32.load offset=368 (i32.const 0)) (local.get $tm))))
        (local.set $tk (f32.abs (f32.load offset=20 (local.get $lo))))
        (local.set $ta (f32.add (f32.abs (local.get $tA)) (f32.abs (local.get $tB))))
        (local.set $tk (select (local.get $ta) (local.get $tk) (f32.lt (local.get $tk) (local.get $ta))))
        (local.set $ta (f32.add (f32.abs (local.get $tC)) (f32.abs (local.get $tD))))
        (local.set $tk (select (local.get $ta) (local.get $tk) (f32.lt (local.get $tk) (local.get $ta))))
        (if (i32.and (f32.gt (local.get $tk) (f32.load (local.get $peaks))) (f32.lt (local.get $tk) (f32.const inf)))
          (then (f32.store (local.get $peaks) (local.get $tk))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $peaks (i32.add (local.get $peaks) (i32.const 4)))
        (br $tail))))

  ;; The driven sample held within +-65536, +96 dBFS (JS: v > 65536 ? 65536 : v < -65536 ? -65536 : v;
  ;; NaN passes): no audio comes near. Far beyond, the float32 sums of the interpolator overflow (a
  ;; peak the limiter must reduce would become an Inf it skips), and the gain's running average
  ;; (f64, about 1e-16 of its unity) could not reach the reduction an absurd sample needs: within
  ;; +96 dB it can, so even garbage leaves at the ceiling.
  (func $bounded (param $v f64) (result f64)
    (local.set $v (select (f64.const 65536) (local.get $v) (f64.gt (local.get $v) (f64.const 65536))))
    (select (f64.const -65536) (local.get $v) (f64.lt (local.get $v) (f64.const -65536))))
)
