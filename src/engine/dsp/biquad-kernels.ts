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
 */
export function staticSections(cur: Float64Array, st: Float64Array, ns: number, work: Float64Array[], ch0: number, ch1: number, pos: number, len: number): void {
  const end = pos + len;
  if (ch1 - ch0 === 2) {
    const x = work[ch0] as Float64Array;
    const w = work[ch0 + 1] as Float64Array;
    for (let s = 0; s < ns; s++) {
      const k = s * STRIDE;
      const b0 = cur[k] as number;
      const b1 = cur[k + 1] as number;
      const b2 = cur[k + 2] as number;
      const a1 = cur[k + 3] as number;
      const a2 = cur[k + 4] as number;
      const si = (ch0 * SECTIONS + s) * 2;
      const sj = ((ch0 + 1) * SECTIONS + s) * 2;
      let z1 = st[si] as number;
      let z2 = st[si + 1] as number;
      let u1 = st[sj] as number;
      let u2 = st[sj + 1] as number;
      for (let i = pos; i < end; i++) {
        const xi = x[i] as number;
        const wi = w[i] as number;
        const y = b0 * xi + z1;
        const v = b0 * wi + u1;
        z1 = b1 * xi - a1 * y + z2;
        u1 = b1 * wi - a1 * v + u2;
        z2 = b2 * xi - a2 * y;
        u2 = b2 * wi - a2 * v;
        x[i] = y;
        w[i] = v;
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
      const b1 = cur[k + 1] as number;
      const b2 = cur[k + 2] as number;
      const a1 = cur[k + 3] as number;
      const a2 = cur[k + 4] as number;
      const si = (c * SECTIONS + s) * 2;
      let z1 = st[si] as number;
      let z2 = st[si + 1] as number;
      for (let i = pos; i < end; i++) {
        const xi = x[i] as number;
        const y = b0 * xi + z1;
        z1 = b1 * xi - a1 * y + z2;
        z2 = b2 * xi - a2 * y;
        x[i] = y;
      }
      st[si] = z1;
      st[si + 1] = z2;
    }
  }
}
