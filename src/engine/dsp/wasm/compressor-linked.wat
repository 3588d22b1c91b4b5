;; The compressor's common path (engine/compressor.ts #processLinkedStereo): stereo, fully linked
;; peak detection, soft-knee gain computer, attack/release smoothing in dB, gain applied. Per
;; frame the arithmetic and the comparisons are the JS reference's, with dsp/fast-math.ts's log2
;; and exp2 (same literals, same order, no fused multiply-adds): the same bits.
;;
;; Three passes over the block, f32 frames at $l and $r, f64 scratch at $s (all with room for one
;; frame past the end: an odd block's last pair computes a dropped lane):
;;  1. two frames per f64x2: level max(l^2, r^2), its dB, the static curve -> gc in the scratch;
;;  2. scalar: the branching smoother e (attack above, release below), its maximum -> e in place;
;;  3. two frames per f64x2: g = makeup 2^(-e log2(10)/20) (makeup when e = 0), l, r *= g.
;; At byte 0, f64 each: the envelope e and the largest e so far (read, and written back), then the
;; parameters: knee start (level squared), threshold, slope, knee, makeup, alpha attack, alpha
;; release (through memory: doubles passed as arguments from JS are boxed when the call is not
;; inlined, an allocation per block).
(module
  (import "env" "memory" (memory 1))
  (func (export "run")
    (param $l i32) (param $r i32) (param $s i32) (param $frames i32)
    (local $kneeStartSq f64) (local $thr f64) (local $slope f64) (local $knee f64) (local $makeup f64)
    (local $aA f64) (local $aR f64)
    (local $e f64) (local $maxGr f64) (local $i i32) (local $pl i32) (local $pr i32) (local $ps i32) (local $end i32)
    (local $bA f64) (local $bR f64) (local $gc f64)
    (local $vl v128) (local $vr v128) (local $lvl v128) (local $m v128) (local $k v128) (local $big v128)
    (local $f v128) (local $f2 v128) (local $x v128) (local $over v128) (local $two v128) (local $t v128)
    (local $gr v128) (local $y v128) (local $n v128) (local $g v128) (local $ev v128)
    (local $one v128) (local $kst v128) (local $thrV v128) (local $sloV v128) (local $kneV v128)
    (local $negKnee v128) (local $halfKnee v128) (local $twoKnee v128) (local $mak v128) (local $inf v128)
    (local.set $e (f64.load (i32.const 0)))
    (local.set $maxGr (f64.load (i32.const 8)))
    (local.set $kneeStartSq (f64.load (i32.const 16)))
    (local.set $thr (f64.load (i32.const 24)))
    (local.set $slope (f64.load (i32.const 32)))
    (local.set $knee (f64.load (i32.const 40)))
    (local.set $makeup (f64.load (i32.const 48)))
    (local.set $aA (f64.load (i32.const 56)))
    (local.set $aR (f64.load (i32.const 64)))
    (local.set $bA (f64.sub (f64.const 1) (local.get $aA)))
    (local.set $bR (f64.sub (f64.const 1) (local.get $aR)))
    (local.set $one (f64x2.splat (f64.const 1)))
    (local.set $inf (f64x2.splat (f64.const inf)))
    (local.set $kst (f64x2.splat (local.get $kneeStartSq)))
    (local.set $thrV (f64x2.splat (local.get $thr)))
    (local.set $sloV (f64x2.splat (local.get $slope)))
    (local.set $kneV (f64x2.splat (local.get $knee)))
    (local.set $negKnee (f64x2.neg (local.get $kneV)))
    (local.set $halfKnee (f64x2.splat (f64.div (local.get $knee) (f64.const 2))))
    (local.set $twoKnee (f64x2.splat (f64.mul (f64.const 2) (local.get $knee))))
    (local.set $mak (f64x2.splat (local.get $makeup)))

    ;; 1. gain computer
    (local.set $pl (local.get $l))
    (local.set $pr (local.get $r))
    (local.set $ps (local.get $s))
    (local.set $end (i32.add (local.get $s) (i32.shl (local.get $frames) (i32.const 3))))
    (block $done1
      (loop $pair1
        (br_if $done1 (i32.ge_u (local.get $ps) (local.get $end)))
        (local.set $vl (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $pl))))
        (local.set $vr (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $pr))))
        (local.set $vl (f64x2.mul (local.get $vl) (local.get $vl)))
        (local.set $vr (f64x2.mul (local.get $vr) (local.get $vr)))
        ;; lvl = rr > ll ? rr : ll
        (local.set $lvl (v128.bitselect (local.get $vr) (local.get $vl) (f64x2.gt (local.get $vr) (local.get $vl))))
        ;; log2(lvl): exponent k, mantissa m in [sqrt(1/2), sqrt(2))
        (local.set $k
          (f64x2.convert_low_i32x4_s
            (i32x4.sub
              (i32x4.shr_s (i8x16.shuffle 4 5 6 7 12 13 14 15 0 1 2 3 8 9 10 11 (local.get $lvl) (local.get $lvl)) (i32.const 20))
              (i32x4.splat (i32.const 1023)))))
        (local.set $m
          (v128.or
            (v128.and (local.get $lvl) (v128.const i64x2 0x000fffffffffffff 0x000fffffffffffff))
            (v128.const i64x2 0x3ff0000000000000 0x3ff0000000000000)))
        (local.set $big (f64x2.gt (local.get $m) (f64x2.splat (f64.const 1.4142135623730951))))
        (local.set $m (v128.bitselect (f64x2.mul (local.get $m) (f64x2.splat (f64.const 0.5))) (local.get $m) (local.get $big)))
        (local.set $k (v128.bitselect (f64x2.add (local.get $k) (local.get $one)) (local.get $k) (local.get $big)))
        (local.set $f (f64x2.div (f64x2.sub (local.get $m) (local.get $one)) (f64x2.add (local.get $m) (local.get $one))))
        (local.set $f2 (f64x2.mul (local.get $f) (local.get $f)))
        (local.set $x
          (f64x2.add (local.get $k)
            (f64x2.mul (local.get $f)
              (f64x2.add (f64x2.splat (f64.const 2.8853900817779268)) (f64x2.mul (local.get $f2)
              (f64x2.add (f64x2.splat (f64.const 0.9617966939259757)) (f64x2.mul (local.get $f2)
              (f64x2.add (f64x2.splat (f64.const 0.5770780163555853)) (f64x2.mul (local.get $f2)
              (f64x2.add (f64x2.splat (f64.const 0.41219858311113244)) (f64x2.mul (local.get $f2)
                (f64x2.splat (f64.const 0.3205988979753252)))))))))))))
        ;; +inf stays +inf
        (local.set $x (v128.bitselect (local.get $x) (local.get $lvl) (f64x2.lt (local.get $lvl) (local.get $inf))))
        ;; dB, then the static curve (compressor.ts staticGainReductionDb)
        (local.set $x (f64x2.mul (f64x2.splat (f64.const 3.010299956639812)) (local.get $x)))
        (local.set $over (f64x2.sub (local.get $x) (local.get $thrV)))
        (local.set $two (f64x2.mul (f64x2.splat (f64.const 2)) (local.get $over)))
        (local.set $t (f64x2.add (local.get $over) (local.get $halfKnee)))
        (local.set $gr
          (v128.bitselect
            (f64x2.div (f64x2.mul (f64x2.mul (local.get $sloV) (local.get $t)) (local.get $t)) (local.get $twoKnee))
            (f64x2.mul (local.get $sloV) (local.get $over))
            (f64x2.lt (local.get $two) (local.get $kneV))))
        (local.set $gr (v128.andnot (local.get $gr) (f64x2.le (local.get $two) (local.get $negKnee))))
        ;; gc = lvl > kneeStartSq ? curve : 0
        (v128.store (local.get $ps) (v128.and (local.get $gr) (f64x2.gt (local.get $lvl) (local.get $kst))))
        (local.set $pl (i32.add (local.get $pl) (i32.const 8)))
        (local.set $pr (i32.add (local.get $pr) (i32.const 8)))
        (local.set $ps (i32.add (local.get $ps) (i32.const 16)))
        (br $pair1)))

    ;; 2. smoother, frame by frame
    (local.set $ps (local.get $s))
    (block $done2
      (loop $frame
        (br_if $done2 (i32.ge_u (local.get $ps) (local.get $end)))
        (local.set $gc (f64.load (local.get $ps)))
        (local.set $e
          (select
            (f64.add (f64.mul (local.get $aA) (local.get $e)) (f64.mul (local.get $bA) (local.get $gc)))
            (f64.add (f64.mul (local.get $aR) (local.get $e)) (f64.mul (local.get $bR) (local.get $gc)))
            (f64.gt (local.get $gc) (local.get $e))))
        (local.set $maxGr (select (local.get $e) (local.get $maxGr) (f64.gt (local.get $e) (local.get $maxGr))))
        (f64.store (local.get $ps) (local.get $e))
        (local.set $ps (i32.add (local.get $ps) (i32.const 8)))
        (br $frame)))
    (f64.store (i32.const 0) (local.get $e))
    (f64.store (i32.const 8) (local.get $maxGr))

    ;; 3. gain
    (local.set $pl (local.get $l))
    (local.set $pr (local.get $r))
    (local.set $ps (local.get $s))
    (block $done3
      (loop $pair3
        (br_if $done3 (i32.ge_u (local.get $ps) (local.get $end)))
        (local.set $ev (v128.load (local.get $ps)))
        ;; fast-math.ts exp2(-e * log2(10)/20)
        (local.set $y (f64x2.mul (f64x2.neg (local.get $ev)) (f64x2.splat (f64.const 0.1660964047443681))))
        (local.set $y (f64x2.pmax (local.get $y) (f64x2.splat (f64.const -1022))))
        (local.set $y (f64x2.pmin (local.get $y) (f64x2.splat (f64.const 1023))))
        (local.set $n (f64x2.floor (f64x2.add (local.get $y) (f64x2.splat (f64.const 0.5)))))
        (local.set $t (f64x2.mul (f64x2.sub (local.get $y) (local.get $n)) (f64x2.splat (f64.const 0.6931471805599453))))
        (local.set $g
          (f64x2.add (local.get $one) (f64x2.mul (local.get $t)
          (f64x2.add (local.get $one) (f64x2.mul (local.get $t)
          (f64x2.add (f64x2.splat (f64.const 0.5)) (f64x2.mul (local.get $t)
          (f64x2.add (f64x2.splat (f64.const 0.16666666666666666)) (f64x2.mul (local.get $t)
          (f64x2.add (f64x2.splat (f64.const 0.041666666666666664)) (f64x2.mul (local.get $t)
          (f64x2.add (f64x2.splat (f64.const 0.008333333333333333)) (f64x2.mul (local.get $t)
          (f64x2.add (f64x2.splat (f64.const 0.001388888888888889)) (f64x2.mul (local.get $t)
          (f64x2.add (f64x2.splat (f64.const 0.0001984126984126984)) (f64x2.mul (local.get $t)
            (f64x2.splat (f64.const 0.0000248015873015873)))))))))))))))))))
        ;; times 2^n (bits (n + 1023) << 52), times makeup; makeup alone where e = 0
        (local.set $g
          (f64x2.mul
            (f64x2.mul (local.get $g)
              (i64x2.shl
                (i64x2.extend_low_i32x4_s (i32x4.add (i32x4.trunc_sat_f64x2_s_zero (local.get $n)) (i32x4.splat (i32.const 1023))))
                (i32.const 52)))
            (local.get $mak)))
        (local.set $g (v128.bitselect (local.get $mak) (local.get $g) (f64x2.eq (local.get $ev) (f64x2.splat (f64.const 0)))))
        (v128.store64_lane 0 (local.get $pl)
          (f32x4.demote_f64x2_zero (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $pl))) (local.get $g))))
        (v128.store64_lane 0 (local.get $pr)
          (f32x4.demote_f64x2_zero (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $pr))) (local.get $g))))
        (local.set $pl (i32.add (local.get $pl) (i32.const 8)))
        (local.set $pr (i32.add (local.get $pr) (i32.const 8)))
        (local.set $ps (i32.add (local.get $ps) (i32.const 16)))
        (br $pair3)))))
