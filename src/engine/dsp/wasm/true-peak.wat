;; BS.1770-4 Annex 2 true peak in single precision, four consecutive output instants per f32x4:
;; `peak4` (44.1/48 kHz: the 48-tap ITU filter, folded for its symmetry) and `peak2` (88.2/96 kHz: the
;; meter's 24-tap half-sample interpolator). Per lane the arithmetic is the JS reference's
;; (meters/true-peak-meter.ts peak4f / peak2f, Math.fround after every operation), in the same order,
;; without fused multiply-adds: the same maxima to the bit. The last (frames mod 4) instants go one
;; by one with the same operations in scalar f32. Single precision is what a meter reading to 0.01 dB
;; needs (2^-24 relative, 5e-7 dB) and is twice the throughput of f64x2.
;;
;; The scalar tail of each function repeats its vector body operation for operation (f32 for f32x4):
;; an edit to one must be made to the other (the WASM-vs-JS tests at block sizes 1 and 7 run the
;; tails, the larger ones the quads).
;;
;; Memory (imported, one per meter): at 0, 24 f32x4 coefficients, each splatted to the four lanes:
;; sym0[0..5], anti0[0..5], sym1[0..5], anti1[0..5]; at 384, the 12 half-sample taps g0..g11, splatted;
;; at 576 the f64 scalars of `block` (the running peak first: read and raised, in memory because an
;; f64 argument or result would be boxed on every call from JS). The channels' f32 buffers (history,
;; then the block, then 4 samples of padding the last quad may read) anywhere after 640.
(module
  (import "env" "memory" (memory 1))

  ;; One channel's block, what TruePeakMeter #processBlock does in JS for it: the f32 samples at $in
  ;; scrubbed (NaN/Inf -> 0, counted) into $buf after its $history samples, with the sample peak and
  ;; each 64-sample chunk's largest |x| (f64 at $chunkMax); every chunk whose inputs (its own and the
  ;; $history before; $history <= 64) times the bound can beat the running peak then goes through
  ;; peak4 ($factor 4) or peak2; last, the block's last $history samples move to the front of $buf.
  ;; Scalars (f64): 576 the running peak (in and out), 584 the sample peak over the channels so far
  ;; (in and out), 592 non-finite samples counted (in and out), 600 the bound: the filter's largest
  ;; sum of |taps| times (1 + 1e-5), which covers the single-precision rounding of the sums.
  (func (export "block") (param $in i32) (param $buf i32) (param $frames i32) (param $chunkMax i32) (param $history i32) (param $factor i32)
    (local $start i32) (local $end i32) (local $i i32) (local $chunk i32) (local $dst i32) (local $src i32)
    (local $v f32) (local $a f64) (local $cm f64) (local $sp f64) (local $bad f64) (local $peak f64)
    (local $previousMax f64) (local $own f64) (local $reach f64) (local $l1 f64)
    (local.set $sp (f64.load (i32.const 584)))
    (local.set $bad (f64.load (i32.const 592)))
    (local.set $l1 (f64.load (i32.const 600)))
    (local.set $dst (i32.add (local.get $buf) (i32.shl (local.get $history) (i32.const 2))))
    (block $convDone
      (loop $conv
        (br_if $convDone (i32.ge_s (local.get $start) (local.get $frames)))
        (local.set $end
          (select (i32.add (local.get $start) (i32.const 64)) (local.get $frames)
            (i32.lt_s (i32.add (local.get $start) (i32.const 64)) (local.get $frames))))
        (local.set $cm (f64.const 0))
        (local.set $i (local.get $start))
        (block $sampleDone
          (loop $sample
            (br_if $sampleDone (i32.ge_s (local.get $i) (local.get $end)))
            (local.set $v (f32.load (i32.add (local.get $in) (i32.shl (local.get $i) (i32.const 2)))))
            (if (f32.ne (f32.sub (local.get $v) (local.get $v)) (f32.const 0))
              (then
                (local.set $v (f32.const 0))
                (local.set $bad (f64.add (local.get $bad) (f64.const 1)))))
            (f32.store (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 2))) (local.get $v))
            (local.set $a (f64.promote_f32 (f32.abs (local.get $v))))
            (if (f64.gt (local.get $a) (local.get $cm)) (then (local.set $cm (local.get $a))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $sample)))
        (f64.store (i32.add (local.get $chunkMax) (i32.shl (local.get $chunk) (i32.const 3))) (local.get $cm))
        (if (f64.gt (local.get $cm) (local.get $sp)) (then (local.set $sp (local.get $cm))))
        (local.set $start (local.get $end))
        (local.set $chunk (i32.add (local.get $chunk) (i32.const 1)))
        (br $conv)))
    (f64.store (i32.const 584) (local.get $sp))
    (f64.store (i32.const 592) (local.get $bad))
    ;; the skip test and the interpolation
    (local.set $peak (f64.load (i32.const 576)))
    (local.set $i (i32.const 0))
    (block $histDone
      (loop $hist
        (br_if $histDone (i32.ge_s (local.get $i) (local.get $history)))
        (local.set $a (f64.promote_f32 (f32.abs (f32.load (i32.add (local.get $buf) (i32.shl (local.get $i) (i32.const 2)))))))
        (if (f64.gt (local.get $a) (local.get $previousMax)) (then (local.set $previousMax (local.get $a))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $hist)))
    (local.set $start (i32.const 0))
    (local.set $chunk (i32.const 0))
    (block $skipDone
      (loop $skip
        (br_if $skipDone (i32.ge_s (local.get $start) (local.get $frames)))
        (local.set $own (f64.load (i32.add (local.get $chunkMax) (i32.shl (local.get $chunk) (i32.const 3)))))
        (local.set $reach (select (local.get $own) (local.get $previousMax) (f64.gt (local.get $own) (local.get $previousMax))))
        (local.set $previousMax (local.get $own))
        (local.set $end
          (select (i32.add (local.get $start) (i32.const 64)) (local.get $frames)
            (i32.lt_s (i32.add (local.get $start) (i32.const 64)) (local.get $frames))))
        (if (f64.gt (f64.mul (local.get $reach) (local.get $l1)) (local.get $peak))
          (then
            (f64.store (i32.const 576) (local.get $peak))
            (if (i32.eq (local.get $factor) (i32.const 4))
              (then (call $peak4 (local.get $buf) (local.get $start) (local.get $end)))
              (else (call $peak2 (local.get $buf) (local.get $start) (local.get $end))))
            (local.set $peak (f64.load (i32.const 576)))))
        (local.set $start (local.get $end))
        (local.set $chunk (i32.add (local.get $chunk) (i32.const 1)))
        (br $skip)))
    (f64.store (i32.const 576) (local.get $peak))
    ;; keep the last $history samples as the next block's history (buf.copyWithin(0, frames, frames + history))
    (local.set $src (i32.add (local.get $buf) (i32.shl (local.get $frames) (i32.const 2))))
    (local.set $i (i32.const 0))
    (block $keepDone
      (loop $keep
        (br_if $keepDone (i32.ge_s (local.get $i) (i32.shl (local.get $history) (i32.const 2))))
        (f32.store (i32.add (local.get $buf) (local.get $i)) (f32.load (i32.add (local.get $src) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $keep))))

  (func $peak4 (export "peak4") (param $buf i32) (param $start i32) (param $end i32)
    (local $p i32) (local $last i32) (local $e v128) (local $g v128) (local $h v128) (local $run v128) (local $se f32) (local $sg f32) (local $sh f32) (local $srun f32)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128) (local $x4 v128) (local $x5 v128) (local $x6 v128) (local $x7 v128) (local $x8 v128) (local $x9 v128) (local $x10 v128) (local $x11 v128) (local $p0 v128) (local $m0 v128) (local $p1 v128) (local $m1 v128) (local $p2 v128) (local $m2 v128) (local $p3 v128) (local $m3 v128) (local $p4 v128) (local $m4 v128) (local $p5 v128) (local $m5 v128)
    (local $sx0 f32) (local $sx1 f32) (local $sx2 f32) (local $sx3 f32) (local $sx4 f32) (local $sx5 f32) (local $sx6 f32) (local $sx7 f32) (local $sx8 f32) (local $sx9 f32) (local $sx10 f32) (local $sx11 f32) (local $sp0 f32) (local $sm0 f32) (local $sp1 f32) (local $sm1 f32) (local $sp2 f32) (local $sm2 f32) (local $sp3 f32) (local $sm3 f32) (local $sp4 f32) (local $sm4 f32) (local $sp5 f32) (local $sm5 f32)
    (local.set $srun (f32.demote_f64 (f64.load (i32.const 576))))
    (local.set $run (f32x4.splat (local.get $srun)))
    (local.set $p (i32.add (local.get $buf) (i32.shl (local.get $start) (i32.const 2))))
    (local.set $last (i32.add (local.get $buf) (i32.shl (local.get $end) (i32.const 2))))
    ;; four instants per f32x4
    (block $quadsDone
      (loop $quad
        (br_if $quadsDone (i32.gt_u (i32.add (local.get $p) (i32.const 16)) (local.get $last)))
        (local.set $x0 (v128.load offset=0 (local.get $p)))
        (local.set $x1 (v128.load offset=4 (local.get $p)))
        (local.set $x2 (v128.load offset=8 (local.get $p)))
        (local.set $x3 (v128.load offset=12 (local.get $p)))
        (local.set $x4 (v128.load offset=16 (local.get $p)))
        (local.set $x5 (v128.load offset=20 (local.get $p)))
        (local.set $x6 (v128.load offset=24 (local.get $p)))
        (local.set $x7 (v128.load offset=28 (local.get $p)))
        (local.set $x8 (v128.load offset=32 (local.get $p)))
        (local.set $x9 (v128.load offset=36 (local.get $p)))
        (local.set $x10 (v128.load offset=40 (local.get $p)))
        (local.set $x11 (v128.load offset=44 (local.get $p)))
        (local.set $p0 (f32x4.add (local.get $x0) (local.get $x11)))
        (local.set $m0 (f32x4.sub (local.get $x0) (local.get $x11)))
        (local.set $p1 (f32x4.add (local.get $x1) (local.get $x10)))
        (local.set $m1 (f32x4.sub (local.get $x1) (local.get $x10)))
        (local.set $p2 (f32x4.add (local.get $x2) (local.get $x9)))
        (local.set $m2 (f32x4.sub (local.get $x2) (local.get $x9)))
        (local.set $p3 (f32x4.add (local.get $x3) (local.get $x8)))
        (local.set $m3 (f32x4.sub (local.get $x3) (local.get $x8)))
        (local.set $p4 (f32x4.add (local.get $x4) (local.get $x7)))
        (local.set $m4 (f32x4.sub (local.get $x4) (local.get $x7)))
        (local.set $p5 (f32x4.add (local.get $x5) (local.get $x6)))
        (local.set $m5 (f32x4.sub (local.get $x5) (local.get $x6)))
        (local.set $e (f32x4.add (f32x4.abs (f32x4.add (f32x4.add (f32x4.add (f32x4.add (f32x4.add (f32x4.mul (v128.load offset=0 (i32.const 0)) (local.get $p0)) (f32x4.mul (v128.load offset=16 (i32.const 0)) (local.get $p1))) (f32x4.mul (v128.load offset=32 (i32.const 0)) (local.get $p2))) (f32x4.mul (v128.load offset=48 (i32.const 0)) (local.get $p3))) (f32x4.mul (v128.load offset=64 (i32.const 0)) (local.get $p4))) (f32x4.mul (v128.load offset=80 (i32.const 0)) (local.get $p5)))) (f32x4.abs (f32x4.add (f32x4.add (f32x4.add (f32x4.add (f32x4.add (f32x4.mul (v128.load offset=96 (i32.const 0)) (local.get $m0)) (f32x4.mul (v128.load offset=112 (i32.const 0)) (local.get $m1))) (f32x4.mul (v128.load offset=128 (i32.const 0)) (local.get $m2))) (f32x4.mul (v128.load offset=144 (i32.const 0)) (local.get $m3))) (f32x4.mul (v128.load offset=160 (i32.const 0)) (local.get $m4))) (f32x4.mul (v128.load offset=176 (i32.const 0)) (local.get $m5))))))
        (local.set $g (f32x4.add (f32x4.abs (f32x4.add (f32x4.add (f32x4.add (f32x4.add (f32x4.add (f32x4.mul (v128.load offset=192 (i32.const 0)) (local.get $p0)) (f32x4.mul (v128.load offset=208 (i32.const 0)) (local.get $p1))) (f32x4.mul (v128.load offset=224 (i32.const 0)) (local.get $p2))) (f32x4.mul (v128.load offset=240 (i32.const 0)) (local.get $p3))) (f32x4.mul (v128.load offset=256 (i32.const 0)) (local.get $p4))) (f32x4.mul (v128.load offset=272 (i32.const 0)) (local.get $p5)))) (f32x4.abs (f32x4.add (f32x4.add (f32x4.add (f32x4.add (f32x4.add (f32x4.mul (v128.load offset=288 (i32.const 0)) (local.get $m0)) (f32x4.mul (v128.load offset=304 (i32.const 0)) (local.get $m1))) (f32x4.mul (v128.load offset=320 (i32.const 0)) (local.get $m2))) (f32x4.mul (v128.load offset=336 (i32.const 0)) (local.get $m3))) (f32x4.mul (v128.load offset=352 (i32.const 0)) (local.get $m4))) (f32x4.mul (v128.load offset=368 (i32.const 0)) (local.get $m5))))))
        (local.set $h (v128.bitselect (local.get $e) (local.get $g) (f32x4.gt (local.get $e) (local.get $g))))
        ;; if (h > run) run = h (NaN compares false, as in the JS)
        (local.set $run (v128.bitselect (local.get $h) (local.get $run) (f32x4.gt (local.get $h) (local.get $run))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $quad)))
    ;; the lanes into one running peak, then the last instants one by one
    (local.set $sh (f32x4.extract_lane 0 (local.get $run)))
    (if (f32.gt (local.get $sh) (local.get $srun)) (then (local.set $srun (local.get $sh))))
    (local.set $sh (f32x4.extract_lane 1 (local.get $run)))
    (if (f32.gt (local.get $sh) (local.get $srun)) (then (local.set $srun (local.get $sh))))
    (local.set $sh (f32x4.extract_lane 2 (local.get $run)))
    (if (f32.gt (local.get $sh) (local.get $srun)) (then (local.set $srun (local.get $sh))))
    (local.set $sh (f32x4.extract_lane 3 (local.get $run)))
    (if (f32.gt (local.get $sh) (local.get $srun)) (then (local.set $srun (local.get $sh))))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $p) (local.get $last)))
        (local.set $sx0 (f32.load offset=0 (local.get $p)))
        (local.set $sx1 (f32.load offset=4 (local.get $p)))
        (local.set $sx2 (f32.load offset=8 (local.get $p)))
        (local.set $sx3 (f32.load offset=12 (local.get $p)))
        (local.set $sx4 (f32.load offset=16 (local.get $p)))
        (local.set $sx5 (f32.load offset=20 (local.get $p)))
        (local.set $sx6 (f32.load offset=24 (local.get $p)))
        (local.set $sx7 (f32.load offset=28 (local.get $p)))
        (local.set $sx8 (f32.load offset=32 (local.get $p)))
        (local.set $sx9 (f32.load offset=36 (local.get $p)))
        (local.set $sx10 (f32.load offset=40 (local.get $p)))
        (local.set $sx11 (f32.load offset=44 (local.get $p)))
        (local.set $sp0 (f32.add (local.get $sx0) (local.get $sx11)))
        (local.set $sm0 (f32.sub (local.get $sx0) (local.get $sx11)))
        (local.set $sp1 (f32.add (local.get $sx1) (local.get $sx10)))
        (local.set $sm1 (f32.sub (local.get $sx1) (local.get $sx10)))
        (local.set $sp2 (f32.add (local.get $sx2) (local.get $sx9)))
        (local.set $sm2 (f32.sub (local.get $sx2) (local.get $sx9)))
        (local.set $sp3 (f32.add (local.get $sx3) (local.get $sx8)))
        (local.set $sm3 (f32.sub (local.get $sx3) (local.get $sx8)))
        (local.set $sp4 (f32.add (local.get $sx4) (local.get $sx7)))
        (local.set $sm4 (f32.sub (local.get $sx4) (local.get $sx7)))
        (local.set $sp5 (f32.add (local.get $sx5) (local.get $sx6)))
        (local.set $sm5 (f32.sub (local.get $sx5) (local.get $sx6)))
        (local.set $se (f32.add (f32.abs (f32.add (f32.add (f32.add (f32.add (f32.add (f32.mul (f32.load offset=0 (i32.const 0)) (local.get $sp0)) (f32.mul (f32.load offset=16 (i32.const 0)) (local.get $sp1))) (f32.mul (f32.load offset=32 (i32.const 0)) (local.get $sp2))) (f32.mul (f32.load offset=48 (i32.const 0)) (local.get $sp3))) (f32.mul (f32.load offset=64 (i32.const 0)) (local.get $sp4))) (f32.mul (f32.load offset=80 (i32.const 0)) (local.get $sp5)))) (f32.abs (f32.add (f32.add (f32.add (f32.add (f32.add (f32.mul (f32.load offset=96 (i32.const 0)) (local.get $sm0)) (f32.mul (f32.load offset=112 (i32.const 0)) (local.get $sm1))) (f32.mul (f32.load offset=128 (i32.const 0)) (local.get $sm2))) (f32.mul (f32.load offset=144 (i32.const 0)) (local.get $sm3))) (f32.mul (f32.load offset=160 (i32.const 0)) (local.get $sm4))) (f32.mul (f32.load offset=176 (i32.const 0)) (local.get $sm5))))))
        (local.set $sg (f32.add (f32.abs (f32.add (f32.add (f32.add (f32.add (f32.add (f32.mul (f32.load offset=192 (i32.const 0)) (local.get $sp0)) (f32.mul (f32.load offset=208 (i32.const 0)) (local.get $sp1))) (f32.mul (f32.load offset=224 (i32.const 0)) (local.get $sp2))) (f32.mul (f32.load offset=240 (i32.const 0)) (local.get $sp3))) (f32.mul (f32.load offset=256 (i32.const 0)) (local.get $sp4))) (f32.mul (f32.load offset=272 (i32.const 0)) (local.get $sp5)))) (f32.abs (f32.add (f32.add (f32.add (f32.add (f32.add (f32.mul (f32.load offset=288 (i32.const 0)) (local.get $sm0)) (f32.mul (f32.load offset=304 (i32.const 0)) (local.get $sm1))) (f32.mul (f32.load offset=320 (i32.const 0)) (local.get $sm2))) (f32.mul (f32.load offset=336 (i32.const 0)) (local.get $sm3))) (f32.mul (f32.load offset=352 (i32.const 0)) (local.get $sm4))) (f32.mul (f32.load offset=368 (i32.const 0)) (local.get $sm5))))))
        (local.set $sh (select (local.get $se) (local.get $sg) (f32.gt (local.get $se) (local.get $sg))))
        (if (f32.gt (local.get $sh) (local.get $srun)) (then (local.set $srun (local.get $sh))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $tail)))
    (f64.store (i32.const 576) (f64.promote_f32 (local.get $srun))))

  (func $peak2 (export "peak2") (param $buf i32) (param $start i32) (param $end i32)
    (local $p i32) (local $last i32) (local $e v128) (local $g v128) (local $h v128) (local $run v128) (local $se f32) (local $sg f32) (local $sh f32) (local $srun f32)
    (local.set $srun (f32.demote_f64 (f64.load (i32.const 576))))
    (local.set $run (f32x4.splat (local.get $srun)))
    (local.set $p (i32.add (local.get $buf) (i32.shl (local.get $start) (i32.const 2))))
    (local.set $last (i32.add (local.get $buf) (i32.shl (local.get $end) (i32.const 2))))
    ;; four instants per f32x4
    (block $quadsDone
      (loop $quad
        (br_if $quadsDone (i32.gt_u (i32.add (local.get $p) (i32.const 16)) (local.get $last)))
        (local.set $e (f32x4.abs (f32x4.add (f32x4.add (f32x4.add (f32x4.add (f32x4.add (f32x4.add (f32x4.add (f32x4.add (f32x4.add (f32x4.add (f32x4.add (f32x4.mul (v128.load offset=384 (i32.const 0)) (f32x4.add (v128.load offset=44 (local.get $p)) (v128.load offset=48 (local.get $p)))) (f32x4.mul (v128.load offset=400 (i32.const 0)) (f32x4.add (v128.load offset=40 (local.get $p)) (v128.load offset=52 (local.get $p))))) (f32x4.mul (v128.load offset=416 (i32.const 0)) (f32x4.add (v128.load offset=36 (local.get $p)) (v128.load offset=56 (local.get $p))))) (f32x4.mul (v128.load offset=432 (i32.const 0)) (f32x4.add (v128.load offset=32 (local.get $p)) (v128.load offset=60 (local.get $p))))) (f32x4.mul (v128.load offset=448 (i32.const 0)) (f32x4.add (v128.load offset=28 (local.get $p)) (v128.load offset=64 (local.get $p))))) (f32x4.mul (v128.load offset=464 (i32.const 0)) (f32x4.add (v128.load offset=24 (local.get $p)) (v128.load offset=68 (local.get $p))))) (f32x4.mul (v128.load offset=480 (i32.const 0)) (f32x4.add (v128.load offset=20 (local.get $p)) (v128.load offset=72 (local.get $p))))) (f32x4.mul (v128.load offset=496 (i32.const 0)) (f32x4.add (v128.load offset=16 (local.get $p)) (v128.load offset=76 (local.get $p))))) (f32x4.mul (v128.load offset=512 (i32.const 0)) (f32x4.add (v128.load offset=12 (local.get $p)) (v128.load offset=80 (local.get $p))))) (f32x4.mul (v128.load offset=528 (i32.const 0)) (f32x4.add (v128.load offset=8 (local.get $p)) (v128.load offset=84 (local.get $p))))) (f32x4.mul (v128.load offset=544 (i32.const 0)) (f32x4.add (v128.load offset=4 (local.get $p)) (v128.load offset=88 (local.get $p))))) (f32x4.mul (v128.load offset=560 (i32.const 0)) (f32x4.add (v128.load offset=0 (local.get $p)) (v128.load offset=92 (local.get $p)))))))
        (local.set $h (local.get $e))
        ;; if (h > run) run = h (NaN compares false, as in the JS)
        (local.set $run (v128.bitselect (local.get $h) (local.get $run) (f32x4.gt (local.get $h) (local.get $run))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $quad)))
    ;; the lanes into one running peak, then the last instants one by one
    (local.set $sh (f32x4.extract_lane 0 (local.get $run)))
    (if (f32.gt (local.get $sh) (local.get $srun)) (then (local.set $srun (local.get $sh))))
    (local.set $sh (f32x4.extract_lane 1 (local.get $run)))
    (if (f32.gt (local.get $sh) (local.get $srun)) (then (local.set $srun (local.get $sh))))
    (local.set $sh (f32x4.extract_lane 2 (local.get $run)))
    (if (f32.gt (local.get $sh) (local.get $srun)) (then (local.set $srun (local.get $sh))))
    (local.set $sh (f32x4.extract_lane 3 (local.get $run)))
    (if (f32.gt (local.get $sh) (local.get $srun)) (then (local.set $srun (local.get $sh))))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $p) (local.get $last)))
        (local.set $se (f32.abs (f32.add (f32.add (f32.add (f32.add (f32.add (f32.add (f32.add (f32.add (f32.add (f32.add (f32.add (f32.mul (f32.load offset=384 (i32.const 0)) (f32.add (f32.load offset=44 (local.get $p)) (f32.load offset=48 (local.get $p)))) (f32.mul (f32.load offset=400 (i32.const 0)) (f32.add (f32.load offset=40 (local.get $p)) (f32.load offset=52 (local.get $p))))) (f32.mul (f32.load offset=416 (i32.const 0)) (f32.add (f32.load offset=36 (local.get $p)) (f32.load offset=56 (local.get $p))))) (f32.mul (f32.load offset=432 (i32.const 0)) (f32.add (f32.load offset=32 (local.get $p)) (f32.load offset=60 (local.get $p))))) (f32.mul (f32.load offset=448 (i32.const 0)) (f32.add (f32.load offset=28 (local.get $p)) (f32.load offset=64 (local.get $p))))) (f32.mul (f32.load offset=464 (i32.const 0)) (f32.add (f32.load offset=24 (local.get $p)) (f32.load offset=68 (local.get $p))))) (f32.mul (f32.load offset=480 (i32.const 0)) (f32.add (f32.load offset=20 (local.get $p)) (f32.load offset=72 (local.get $p))))) (f32.mul (f32.load offset=496 (i32.const 0)) (f32.add (f32.load offset=16 (local.get $p)) (f32.load offset=76 (local.get $p))))) (f32.mul (f32.load offset=512 (i32.const 0)) (f32.add (f32.load offset=12 (local.get $p)) (f32.load offset=80 (local.get $p))))) (f32.mul (f32.load offset=528 (i32.const 0)) (f32.add (f32.load offset=8 (local.get $p)) (f32.load offset=84 (local.get $p))))) (f32.mul (f32.load offset=544 (i32.const 0)) (f32.add (f32.load offset=4 (local.get $p)) (f32.load offset=88 (local.get $p))))) (f32.mul (f32.load offset=560 (i32.const 0)) (f32.add (f32.load offset=0 (local.get $p)) (f32.load offset=92 (local.get $p)))))))
        (local.set $sh (local.get $se))
        (if (f32.gt (local.get $sh) (local.get $srun)) (then (local.set $srun (local.get $sh))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $tail)))
    (f64.store (i32.const 576) (f64.promote_f32 (local.get $srun)))))
