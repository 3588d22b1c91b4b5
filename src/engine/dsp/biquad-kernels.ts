import { COEF_STRIDE, MAX_SECTIONS } from './filter-types.ts';

/** Processing kernels of the EQ bands: fixed-coefficient TDF-II cascades and the M/S matrix. */

// Imported bindings are property reads under tsx/vite: module constants for the hot loops.
const STRIDE = COEF_STRIDE;
const SECTIONS = MAX_SECTIONS;

/** L/R -> M/S in place on channels 0/1 of the work buffers, span [from, to). */
export function toMidSide(work: Float64Array[], from: number, to: number): void {
  const l = work[0] as Float64Array;
  const r = work[1] as Float64Array;
  for (let i = from; i < to; i++) {
    const a = l[i] as number;
    const b = r[i] as number;
    l[i] = 0.5 * (a + b);
    r[i] = 0.5 * (a - b);
  }
}

/** M/S -> L/R in place (the inverse of toMidSide). */
export function toLeftRight(work: Float64Array[], from: number, to: number): void {
  const m = work[0] as Float64Array;
  const s = work[1] as Float64Array;
  for (let i = from; i < to; i++) {
    const a = m[i] as number;
    const b = s[i] as number;
    m[i] = a + b;
    s[i] = a - b;
  }
}

/**
 * Run `sections` fixed TDF-II sections over channels [ch0, ch1) of `work`, span [pos, pos + len).
 * A stereo pair goes through each section in one loop: the two channels' recursions are
 * independent, so the CPU overlaps them (the loop is latency-bound, not throughput-bound).
 *
 * The recursion with y substituted: y = b0 x + z1, z1' = (c x - a1 z1) + z2, z2' = d x - a2 z1,
 * c = b1 - a1 b0, d = b2 - a2 b0. The states are the TDF-II states (z1' = b1 x - a1 y + z2 and
 * z2' = b2 x - a2 y exactly, to rounding), so a band can go from gliding (eq-band-kernels.ts, the
 * plain form) to this loop between blocks; but y is off the loop-carried path: z1 to the next z1 is
 * a multiply and two adds, not three adds and a multiply (the WASM cascade does the same).
 */
export function staticSections(cur: Float64Array, st: Float64Array, ns: number, work: Float64Array[], ch0: number, ch1: number, pos: number, len: number): void {
  const end = pos + len;
  if (ch1 - ch0 === 2) {
    const x = work[ch0] as Float64Array;
    const w = work[ch0 + 1] as Float64Array;
    for (let s = 0; s < ns; s++) {
      const k = s * STRIDE;
      const b0 = cur[k] as number;
      const a1 = cur[k + 3] as number;
      const a2 = cur[k + 4] as number;
      const c = (cur[k + 1] as number) - a1 * b0;
      const d = (cur[k + 2] as number) - a2 * b0;
      const si = (ch0 * SECTIONS + s) * 2;
      const sj = ((ch0 + 1) * SECTIONS + s) * 2;
      let z1 = st[si] as number;
      let z2 = st[si + 1] as number;
      let u1 = st[sj] as number;
      let u2 = st[sj + 1] as number;
      for (let i = pos; i < end; i++) {
        const xi = x[i] as number;
        const wi = w[i] as number;
        x[i] = b0 * xi + z1;
        w[i] = b0 * wi + u1;
        const t = c * xi - a1 * z1 + z2;
        const q = c * wi - a1 * u1 + u2;
        z2 = d * xi - a2 * z1;
        u2 = d * wi - a2 * u1;
        z1 = t;
        u1 = q;
      }
      st[si] = z1;
      st[si + 1] = z2;
      st[sj] = u1;
      st[sj + 1] = u2;
    }
    return;
  }
  for (let c = ch0; c < ch1; c++) {
    const x = work[c] as Float64Array;
    for (let s = 0; s < ns; s++) {
      const k = s * STRIDE;
      const b0 = cur[k] as number;
      const a1 = cur[k + 3] as number;
      const a2 = cur[k + 4] as number;
      const cc = (cur[k + 1] as number) - a1 * b0;
      const d = (cur[k + 2] as number) - a2 * b0;
      const si = (c * SECTIONS + s) * 2;
      let z1 = st[si] as number;
      let z2 = st[si + 1] as number;
      for (let i = pos; i < end; i++) {
        const xi = x[i] as number;
        x[i] = b0 * xi + z1;
        const t = cc * xi - a1 * z1 + z2;
        z2 = d * xi - a2 * z1;
        z1 = t;
      }
      st[si] = z1;
      st[si + 1] = z2;
    }
  }
}
