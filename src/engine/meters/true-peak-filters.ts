import { TRUE_PEAK_PHASES } from '../dsp/true-peak-filter.ts';

/**
 * Interpolation filters for the true-peak meter (ITU-R BS.1770-4 Annex 2).
 */

/**
 * BS.1770-4 Annex 2, the order-48, 4-phase interpolating FIR for 4x oversampling at 48 kHz (and, as
 * the Annex allows, at 44.1 kHz), phase by phase, 12 taps each, oldest input sample first: the one
 * table the limiter's detector uses too (dsp/true-peak-filter.ts).
 * The prototype is symmetric: phase 3 is phase 0 reversed and phase 2 is phase 1 reversed.
 */
export const ITU_TRUE_PEAK_PHASES: readonly (readonly number[])[] = TRUE_PEAK_PHASES;

/**
 * The 4x ITU filter folded for its symmetry: with s_k = x_k + x_(11-k) and d_k = x_k - x_(11-k)
 * (k = 0..5, x oldest first), phase 0 = A + B and phase 3 = A - B where A = sum(sym0_k s_k),
 * B = sum(anti0_k d_k); likewise phases 1/2 with sym1/anti1. max(|A + B|, |A - B|) = |A| + |B|, so the
 * largest of the four interpolated values costs 24 multiplies instead of 48.
 */
export interface FoldedItuFilter {
  readonly sym0: Float64Array;
  readonly anti0: Float64Array;
  readonly sym1: Float64Array;
  readonly anti1: Float64Array;
}

export function foldedItuFilter(): FoldedItuFilter {
  const fold = (phase: readonly number[], sign: 1 | -1): Float64Array => {
    const out = new Float64Array(6);
    for (let k = 0; k < 6; k++) out[k] = ((phase[k] ?? 0) + sign * (phase[11 - k] ?? 0)) / 2;
    return out;
  };
  const p0 = ITU_TRUE_PEAK_PHASES[0] ?? [];
  const p1 = ITU_TRUE_PEAK_PHASES[1] ?? [];
  return { sym0: fold(p0, 1), anti0: fold(p0, -1), sym1: fold(p1, 1), anti1: fold(p1, -1) };
}

/**
 * The folded filter as one Float32Array, sym0, anti0, sym1, anti1 (6 taps each): the layout the
 * true-peak meter's and the limiter detector's single-precision kernels use (the Annex 2 taps are
 * multiples of 2^-16 under 1, so their half sums and differences are float32-exact).
 */
export function foldedItuTapsF32(): Float32Array {
  const f = foldedItuFilter();
  const out = new Float32Array(24);
  [f.sym0, f.anti0, f.sym1, f.anti1].forEach((taps, t) => out.set(taps, 6 * t));
  return out;
}

/** The largest sum of |taps| of the four ITU phases: |output| <= this * max|input| over the window. */
export function ituPhaseL1(): number {
  let best = 0;
  for (const phase of ITU_TRUE_PEAK_PHASES) {
    let s = 0;
    for (const c of phase) s += Math.abs(c);
    if (s > best) best = s;
  }
  return best;
}

/**
 * Half-sample interpolator for 2x oversampling at 88.2/96 kHz (BS.1770-4 Annex 2 asks for 2x there but
 * tabulates no filter). A Kaiser-windowed sinc evaluated at the half-sample points, normalised to unity
 * gain at DC: y(m + 1/2) = sum_k g_k (x_(m-k) + x_(m+1+k)), k = 0..taps/2-1. The whole-sample phase of a
 * half-band interpolator is the input itself, so only this phase is computed. With 24 taps and
 * beta = 8 it is flat within 0.01 dB to 0.45 fs (20 kHz at 88.2 kHz) and rejects images by > 70 dB.
 * Returns the half of the symmetric kernel nearest the centre first.
 */
export function halfSampleInterpolator(taps = 24, beta = 8): Float64Array {
  if (taps % 2 !== 0 || taps < 4) throw new RangeError(`half-sample interpolator: ${taps} taps`);
  const half = taps / 2;
  const g = new Float64Array(half);
  let sum = 0;
  for (let k = 0; k < half; k++) {
    const t = k + 0.5; // distance from the interpolated point to x_(m-k) and to x_(m+1+k)
    const sinc = Math.sin(Math.PI * t) / (Math.PI * t);
    const r = t / (half + 0.5);
    const w = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / besselI0(beta);
    g[k] = sinc * w;
    sum += 2 * sinc * w;
  }
  for (let k = 0; k < half; k++) g[k] = (g[k] ?? 0) / sum;
  return g;
}

/** Modified Bessel function of the first kind, order 0 (power series; converges fast for x < 50). */
export function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** Oversampling factor for a sample rate (BS.1770-4 Annex 2: 4x below 88.2 kHz, 2x up to 176.4 kHz). */
export function trueOversampling(sampleRate: number): 1 | 2 | 4 {
  if (sampleRate < 88200) return 4;
  if (sampleRate < 176400) return 2;
  return 1;
}
