;; Stereo TDF-II biquad cascade, f64x2 (lane 0 left, lane 1 right).
;; Per section and lane the arithmetic is the JS reference's (dsp/biquad-kernels.ts
;; staticSections), in the same order, without fused multiply-adds: the output is bit-identical.
;; Speed: one section's recursion is latency-bound, so `pass` runs up to four sections per frame
;; with their state in locals (four independent recursions overlap in the CPU), and the recursion
;; is written with y substituted: z1' = (c x - a1 z1) + z2, z2' = d x - a2 z1 with c = b1 - a1 b0,
;; d = b2 - a2 b0 (the same TDF-II states, y = b0 x + z1 off the loop-carried path): the chain
;; from z1 to the next z1 is a multiply and two adds instead of three adds and a multiply.
;;
;; Memory (imported, one per EQ instance), all offsets 16-byte aligned:
;;   sections: 112 bytes each: b0, c, d, a1, a2 (each splatted to both lanes), z1 (L, R), z2 (L, R)
;;   buf:      the block as f64x2 frames (16 bytes a frame)
;;   l, r:     the block as f32
(module
  (import "env" "memory" (memory 1))

  ;; buf[i] = (l[i], r[i]) as f64
  (func (export "load") (param $l i32) (param $r i32) (param $buf i32) (param $frames i32)
    (local $i i32) (local $end i32)
    (if (i32.le_s (local.get $frames) (i32.const 0)) (then (return)))
    (local.set $end (i32.shl (local.get $frames) (i32.const 2)))
    (loop $frame
      (v128.store (local.get $buf)
        (f64x2.replace_lane 1
          (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $l) (local.get $i)))))
          (f64.promote_f32 (f32.load (i32.add (local.get $r) (local.get $i))))))
      (local.set $buf (i32.add (local.get $buf) (i32.const 16)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br_if $frame (i32.lt_u (local.get $i) (local.get $end)))))

  ;; l[i], r[i] = buf[i] rounded to f32
  (func (export "store") (param $buf i32) (param $l i32) (param $r i32) (param $frames i32)
    (local $i i32) (local $end i32) (local $v v128)
    (if (i32.le_s (local.get $frames) (i32.const 0)) (then (return)))
    (local.set $end (i32.shl (local.get $frames) (i32.const 2)))
    (loop $frame
      (local.set $v (v128.load (local.get $buf)))
      (f32.store (i32.add (local.get $l) (local.get $i)) (f32.demote_f64 (f64x2.extract_lane 0 (local.get $v))))
      (f32.store (i32.add (local.get $r) (local.get $i)) (f32.demote_f64 (f64x2.extract_lane 1 (local.get $v))))
      (local.set $buf (i32.add (local.get $buf) (i32.const 16)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br_if $frame (i32.lt_u (local.get $i) (local.get $end)))))

  ;; Sections [sec, sec + n * 112), 1 <= n <= 4, in series over buf in place.
  (func (export "pass") (param $sec i32) (param $n i32) (param $buf i32) (param $frames i32)
    (local $end i32) (local $x v128) (local $y v128) (local $t v128)
    (local $z1a v128) (local $z2a v128) (local $z1b v128) (local $z2b v128)
    (local $z1c v128) (local $z2c v128) (local $z1d v128) (local $z2d v128)
    (if (i32.le_s (local.get $frames) (i32.const 0)) (then (return)))
    (local.set $z1a (v128.load offset=80 (local.get $sec)))
    (local.set $z2a (v128.load offset=96 (local.get $sec)))
    (local.set $z1b (v128.load offset=192 (local.get $sec)))
    (local.set $z2b (v128.load offset=208 (local.get $sec)))
    (local.set $z1c (v128.load offset=304 (local.get $sec)))
    (local.set $z2c (v128.load offset=320 (local.get $sec)))
    (local.set $z1d (v128.load offset=416 (local.get $sec)))
    (local.set $z2d (v128.load offset=432 (local.get $sec)))
    (local.set $end (i32.add (local.get $buf) (i32.shl (local.get $frames) (i32.const 4))))
    (loop $frame
      (local.set $x (v128.load (local.get $buf)))
        ;; section 1: y = b0 x + z1; z1 = (c x - a1 z1) + z2; z2 = d x - a2 z1 (the old z1 in both)
        (local.set $y (f64x2.add (f64x2.mul (v128.load offset=0 (local.get $sec)) (local.get $x)) (local.get $z1a)))
        (local.set $t (f64x2.add (f64x2.sub (f64x2.mul (v128.load offset=16 (local.get $sec)) (local.get $x))
                                             (f64x2.mul (v128.load offset=48 (local.get $sec)) (local.get $z1a)))
                                  (local.get $z2a)))
        (local.set $z2a (f64x2.sub (f64x2.mul (v128.load offset=32 (local.get $sec)) (local.get $x))
                                    (f64x2.mul (v128.load offset=64 (local.get $sec)) (local.get $z1a))))
        (local.set $z1a (local.get $t))
        (local.set $x (local.get $y))
        (if (i32.gt_u (local.get $n) (i32.const 1)) (then
        ;; section 2: y = b0 x + z1; z1 = (c x - a1 z1) + z2; z2 = d x - a2 z1 (the old z1 in both)
        (local.set $y (f64x2.add (f64x2.mul (v128.load offset=112 (local.get $sec)) (local.get $x)) (local.get $z1b)))
        (local.set $t (f64x2.add (f64x2.sub (f64x2.mul (v128.load offset=128 (local.get $sec)) (local.get $x))
                                             (f64x2.mul (v128.load offset=160 (local.get $sec)) (local.get $z1b)))
                                  (local.get $z2b)))
        (local.set $z2b (f64x2.sub (f64x2.mul (v128.load offset=144 (local.get $sec)) (local.get $x))
                                    (f64x2.mul (v128.load offset=176 (local.get $sec)) (local.get $z1b))))
        (local.set $z1b (local.get $t))
        (local.set $x (local.get $y))))
        (if (i32.gt_u (local.get $n) (i32.const 2)) (then
        ;; section 3: y = b0 x + z1; z1 = (c x - a1 z1) + z2; z2 = d x - a2 z1 (the old z1 in both)
        (local.set $y (f64x2.add (f64x2.mul (v128.load offset=224 (local.get $sec)) (local.get $x)) (local.get $z1c)))
        (local.set $t (f64x2.add (f64x2.sub (f64x2.mul (v128.load offset=240 (local.get $sec)) (local.get $x))
                                             (f64x2.mul (v128.load offset=272 (local.get $sec)) (local.get $z1c)))
                                  (local.get $z2c)))
        (local.set $z2c (f64x2.sub (f64x2.mul (v128.load offset=256 (local.get $sec)) (local.get $x))
                                    (f64x2.mul (v128.load offset=288 (local.get $sec)) (local.get $z1c))))
        (local.set $z1c (local.get $t))
        (local.set $x (local.get $y))))
        (if (i32.gt_u (local.get $n) (i32.const 3)) (then
        ;; section 4: y = b0 x + z1; z1 = (c x - a1 z1) + z2; z2 = d x - a2 z1 (the old z1 in both)
        (local.set $y (f64x2.add (f64x2.mul (v128.load offset=336 (local.get $sec)) (local.get $x)) (local.get $z1d)))
        (local.set $t (f64x2.add (f64x2.sub (f64x2.mul (v128.load offset=352 (local.get $sec)) (local.get $x))
                                             (f64x2.mul (v128.load offset=384 (local.get $sec)) (local.get $z1d)))
                                  (local.get $z2d)))
        (local.set $z2d (f64x2.sub (f64x2.mul (v128.load offset=368 (local.get $sec)) (local.get $x))
                                    (f64x2.mul (v128.load offset=400 (local.get $sec)) (local.get $z1d))))
        (local.set $z1d (local.get $t))
        (local.set $x (local.get $y))))
      (v128.store (local.get $buf) (local.get $x))
      (local.set $buf (i32.add (local.get $buf) (i32.const 16)))
      (br_if $frame (i32.lt_u (local.get $buf) (local.get $end))))
    (v128.store offset=80 (local.get $sec) (local.get $z1a))
    (v128.store offset=96 (local.get $sec) (local.get $z2a))
    (v128.store offset=192 (local.get $sec) (local.get $z1b))
    (v128.store offset=208 (local.get $sec) (local.get $z2b))
    (v128.store offset=304 (local.get $sec) (local.get $z1c))
    (v128.store offset=320 (local.get $sec) (local.get $z2c))
    (v128.store offset=416 (local.get $sec) (local.get $z1d))
    (v128.store offset=432 (local.get $sec) (local.get $z2d))))
