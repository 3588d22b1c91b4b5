/**
 * log2 and exp2 for the compressor's gain computer and gain stage, with the exact operations of
 * the WebAssembly kernel (dsp/wasm/compressor-linked.wat): IEEE f64 adds, multiplies and one
 * divide in the same order, no fused multiply-add, so the JS reference and the kernel give the
 * same bits whatever path a block takes. The literals below are written the same in the .wat.
 *
 * log2: exponent from the bits, mantissa folded to [sqrt(1/2), sqrt(2)), then the atanh series
 * ln(m) = 2 (f + f^3/3 + ... + f^9/9), f = (m - 1)/(m + 1), |f| <= 0.1716: error < 1.1e-9
 * (3.3e-9 dB on a power level). exp2: y = n + r, n = floor(y + 1/2), |r| <= 1/2, e^(r ln 2) by
 * its Taylor series to degree 8: relative error < 2.1e-10 (1.8e-9 dB). The degrees are the
 * lowest that keep a wide margin under the 1e-4 dB the kernel is tested to. Both far inside the 0.1 dB / 5 %
 * tolerances of the compressor's tests; test/engine/compressor-wasm.test.ts checks them.
 */

/** 10 log10(2): dB of a power per octave of power. */
export const DB_PER_LOG2_POWER = 3.010299956639812;
/** log2(10) / 20: exp2 of -dB times this is the amplitude gain. */
export const LOG2_PER_DB_AMPLITUDE = 0.1660964047443681;

const SQRT2 = 1.4142135623730951;
const LN2 = 0.6931471805599453;
// 2 / (k ln 2), k = 1, 3, ..., 9.
const L1 = 2.8853900817779268;
const L3 = 0.9617966939259757;
const L5 = 0.5770780163555853;
const L7 = 0.41219858311113244;
const L9 = 0.3205988979753252;
// 1 / k!, k = 2 .. 8.
const E2 = 0.5;
const E3 = 0.16666666666666666;
const E4 = 0.041666666666666664;
const E5 = 0.008333333333333333;
const E6 = 0.001388888888888889;
const E7 = 0.0001984126984126984;
const E8 = 0.0000248015873015873;

export class FastMath {
  readonly #f64 = new Float64Array(1);
  /** The same 8 bytes as 32-bit words (little-endian: [1] is the sign/exponent word). */
  readonly #i32 = new Int32Array(this.#f64.buffer);

  /** log2(x) for a positive normal x (or +Infinity, returned as is). */
  log2(x: number): number {
    const f64 = this.#f64;
    const i32 = this.#i32;
    f64[0] = x;
    const hi = i32[1] as number;
    let k = (hi >> 20) - 1023;
    i32[1] = (hi & 0x000fffff) | 0x3ff00000;
    let m = f64[0];
    if (m > SQRT2) {
      m = m * 0.5;
      k = k + 1;
    }
    const f = (m - 1) / (m + 1);
    const f2 = f * f;
    const p = f * (L1 + f2 * (L3 + f2 * (L5 + f2 * (L7 + f2 * L9))));
    return x < Infinity ? k + p : x;
  }

  /** 2^y, y clamped to [-1022, 1023] (so -Infinity gives 2^-1022, not 0). */
  exp2(y: number): number {
    const f64 = this.#f64;
    const i32 = this.#i32;
    const lo = y < -1022 ? -1022 : y;
    const v = lo > 1023 ? 1023 : lo;
    const n = Math.floor(v + 0.5);
    const t = (v - n) * LN2;
    const p = 1 + t * (1 + t * (E2 + t * (E3 + t * (E4 + t * (E5 + t * (E6 + t * (E7 + t * E8)))))));
    i32[0] = 0;
    i32[1] = (n + 1023) << 20;
    return p * (f64[0] as number);
  }
}
