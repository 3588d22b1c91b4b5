import { BELL, HIGH_SHELF, LOW_SHELF, LP1, LP2 } from './filter-types.ts';

/**
 * The magnitude fits behind the matched designs (filter-design.ts): a digital section's squared
 * magnitude is N(phi1)/D(phi1), linear in the B and A coefficients (Vicanek 2016, section 2), so
 * matching an analog prototype at chosen frequencies is a linear system; D and N are then
 * factored into a stable pole pair and minimum-phase zeros. Interpolation (a few points, exact)
 * below fs/16, weighted least squares above. Everything works in a caller-owned scratch array.
 */

/**
 * Minimum-phase numerator from its squared-magnitude coefficients B0, B1, B2 (paper, eq. 20-22).
 * Infeasible fits (rounding at extreme settings) are clamped to the nearest realisable one.
 */
export function numeratorFromB(out: Float64Array, o: number, bb0: number, bb1: number, bb2: number): void {
  const r0 = Math.sqrt(bb0 > 0 ? bb0 : 0);
  const r1 = Math.sqrt(bb1 > 0 ? bb1 : 0);
  const w = 0.5 * (r0 + r1);
  const disc = w * w + bb2;
  const b0 = 0.5 * (w + Math.sqrt(disc > 0 ? disc : 0));
  out[o] = b0;
  out[o + 1] = 0.5 * (r0 - r1);
  out[o + 2] = b0 !== 0 ? -bb2 / (4 * b0) : 0;
}

/** Swap poles and zeros of a minimum-phase section (its exact inverse), renormalised to a0 = 1. */
export function invertSection(out: Float64Array, o: number): void {
  const b0 = out[o] as number;
  const b1 = out[o + 1] as number;
  const b2 = out[o + 2] as number;
  const a1 = out[o + 3] as number;
  const a2 = out[o + 4] as number;
  out[o] = 1 / b0;
  out[o + 1] = a1 / b0;
  out[o + 2] = a2 / b0;
  out[o + 3] = b1 / b0;
  out[o + 4] = b2 / b0;
}

/** Denominator squared-magnitude terms at w, for the fits. */
export function denominatorAt(a1: number, a2: number, phi0: number, phi1: number): number {
  const aa0 = (1 + a1 + a2) ** 2;
  const aa1 = (1 - a1 + a2) ** 2;
  return aa0 * phi0 + aa1 * phi1 - 16 * a2 * phi0 * phi1;
}

export function sinHalfSq(w: number): number {
  const s = Math.sin(w / 2);
  return s * s;
}

/**
 * Second-order fit by magnitude-squared interpolation, the generalisation of the paper's method
 * to free poles: |H|^2 = N(phi1)/D(phi1) with N, D linear in (B0, B1, B2) and (A0, A1, A2), so
 * matching the analog magnitude at a few frequencies is a linear system. Conditions: DC, value
 * and slope (d/dphi1) at the characteristic frequency wc, value at wx and at the upper matching
 * frequency wh. D is then spectrally factored into a stable pole pair and N into a minimum-phase
 * zero pair. Returns false (section untouched) when the fit is not realisable.
 *
 * `m` is a scratch matrix (>= 20 doubles, owned by the caller so that this never allocates).
 */
export function fitSecondOrder(out: Float64Array, o: number, m: Float64Array): boolean {
  // Points (see designGainSection): 0 DC, 1 wc, 2 wx, 3 wh, 4 and 5 either side of wc (slope).
  const t0 = m[IP_BASE + 3] as number;
  m[S_T0] = t0;
  const kc = IP_BASE + PT;
  const tc = m[kc + 3] as number;
  const slopeC = ((m[IP_BASE + 5 * PT + 3] as number) - (m[IP_BASE + 4 * PT + 3] as number)) / ((m[IP_BASE + 5 * PT + 1] as number) - (m[IP_BASE + 4 * PT + 1] as number));
  // Unknowns [A1, A2, B1, B2] with A0 = 1 and B0 = t0 (DC); row r of [M | y] at m[5r].
  // Value at w: B0 phi0 + B1 phi1 + B2 phi2 = T (phi0 + A1 phi1 + A2 phi2).
  for (let r = 0; r < 4; r++) {
    const k = IP_BASE + PT * (r === 0 ? 1 : r);
    const p0 = m[k] as number;
    const p1 = m[k + 1] as number;
    const p2 = m[k + 2] as number;
    const t = m[k + 3] as number;
    const i = r * 5;
    if (r === 1) {
      // Slope at wc: N' = T' D + T D' with N' = -B0 + B1 + 4 B2 (phi0 - phi1) and D' likewise.
      const c0 = m[kc] as number;
      const c1 = m[kc + 1] as number;
      const c2 = m[kc + 2] as number;
      const dd = 4 * (c0 - c1);
      m[i] = -(slopeC * c1 + tc);
      m[i + 1] = -(slopeC * c2 + tc * dd);
      m[i + 2] = 1;
      m[i + 3] = dd;
      m[i + 4] = slopeC * c0 - tc + t0;
      continue;
    }
    m[i] = -t * p1;
    m[i + 1] = -t * p2;
    m[i + 2] = p1;
    m[i + 3] = p2;
    m[i + 4] = (t - t0) * p0;
  }
  if (!solveSquare(m, 4)) return false;
  return realise(out, o, m);
}

/**
 * Spectral factorisation of D = phi0 + A1 phi1 + A2 phi2 (A0 = 1): a stable pair a1, a2 and a
 * scale c with c = (1+a1+a2)^2, c A1 = (1-a1+a2)^2, c A2 = -4 a2, i.e.
 * sqrt(c) (1 + sqrt(A1)) = 2 - c A2 / 2, a quadratic in sqrt(c). Writes a1, a2; false if none.
 */
function factorDenominator(out: Float64Array, o: number, aa1: number, aa2: number): boolean {
  if (!(aa1 > 0)) return false;
  const sum = 1 + Math.sqrt(aa1);
  const disc = sum * sum + 4 * aa2;
  if (!(disc >= 0)) return false;
  const rc = Math.abs(aa2) < 1e-300 ? 2 / sum : (Math.sqrt(disc) - sum) / aa2;
  if (!(rc > 0) || !Number.isFinite(rc)) return false;
  const a1 = (rc * (1 - Math.sqrt(aa1))) / 2;
  const a2 = (-rc * rc * aa2) / 4;
  if (!(a2 < 1 && a2 > -1 && Math.abs(a1) < 1 + a2)) return false;
  out[o + 3] = a1;
  out[o + 4] = a2;
  return true;
}

/** Scratch doubles a caller must provide to the designs (fit matrices and LS points). */
export const DESIGN_SCRATCH_SIZE = 176;
/**
 * Scratch layout: [0, 20) the 4x5 system, [20, 32) the design's parameters (slots below),
 * [32, 134) least-squares points, [136, 172) interpolation points. The design path passes its
 * doubles through these slots rather than as arguments: V8 boxes a double passed to (or
 * returned from) a call it does not inline, and the design runs inside process() while a
 * parameter glides.
 */
export const S_W0 = 20;
export const S_GAIN = 21;
export const S_Q = 22;
export const S_FS = 23;
export const S_FREQ = 24;
const S_T0 = 25;
/** Where a caller of designBandFromScratch puts the band's frequency, gain, Q and sample rate. */
export const SCRATCH_FREQ = S_FREQ;
export const SCRATCH_GAIN = S_GAIN;
export const SCRATCH_Q = S_Q;
export const SCRATCH_FS = S_FS;
const LS_BASE = 32;
const IP_BASE = 136;
/** Doubles per point: phi0, phi1, phi2, target |H|^2, D (previous iteration), w. */
const PT = 6;

const LS_POINTS = 16;
const LS_ITERATIONS = 3;
/** Above this fraction of the sample rate (2.76 kHz at 44.1 kHz) least squares replaces interpolation. */
export const LS_MIN_FRACTION = 1 / 16;

/**
 * Weighted least-squares fit of the same linear magnitude-squared model over 16 log-spaced
 * frequencies from w0/16 to 0.9 pi (plus w0, weighted 4x), DC held exact. Sanathanan-Koerner
 * iterations reweight the equation error N - T D by 1/(T D_prev), which turns it into the
 * relative magnitude error. Used for corners above fs/16, where a few interpolation points cannot
 * follow an analog response that continues past Nyquist; below that the interpolation is already
 * accurate and the normal equations would be badly conditioned.
 */
export function fitLeastSquares(out: Float64Array, o: number, m: Float64Array, kind: number): boolean {
  const w0 = m[S_W0] as number;
  const lo = w0 / 16;
  const hi = 0.9 * Math.PI;
  const n = LS_POINTS + 1;
  // Point LS_POINTS + 1 is DC (its target is t0; it is not part of the fit).
  for (let i = 0; i <= n; i++) {
    const w = i < LS_POINTS ? lo * Math.pow(hi / lo, i / (LS_POINTS - 1)) : i === LS_POINTS ? w0 : 0;
    const k = LS_BASE + PT * i;
    const sh = Math.sin(w / 2);
    const p1 = sh * sh;
    m[k] = 1 - p1;
    m[k + 1] = p1;
    m[k + 2] = 4 * (1 - p1) * p1;
    m[k + 4] = 1;
    m[k + 5] = w;
  }
  fillTargets(m, LS_BASE, n + 1, kind);
  const t0 = m[LS_BASE + PT * n + 3] as number;
  m[S_T0] = t0;
  for (let it = 0; it < LS_ITERATIONS; it++) {
    for (let j = 0; j < 20; j++) m[j] = 0;
    for (let i = 0; i < n; i++) {
      const k = LS_BASE + PT * i;
      const p0 = m[k] as number;
      const p1 = m[k + 1] as number;
      const p2 = m[k + 2] as number;
      const t = m[k + 3] as number;
      const e = t * (m[k + 4] as number);
      const wgt = (i === LS_POINTS ? 4 : 1) / (e * e);
      // Row [-t p1, -t p2, p1, p2 | t p0 - t0 p0] accumulated into the 4x5 normal equations
      // (upper triangle; written out: a call with seven doubles would box each of them).
      const r0 = -t * p1;
      const r1 = -t * p2;
      const y = (t - t0) * p0;
      m[0] = (m[0] as number) + wgt * r0 * r0;
      m[1] = (m[1] as number) + wgt * r0 * r1;
      m[2] = (m[2] as number) + wgt * r0 * p1;
      m[3] = (m[3] as number) + wgt * r0 * p2;
      m[4] = (m[4] as number) + wgt * r0 * y;
      m[6] = (m[6] as number) + wgt * r1 * r1;
      m[7] = (m[7] as number) + wgt * r1 * p1;
      m[8] = (m[8] as number) + wgt * r1 * p2;
      m[9] = (m[9] as number) + wgt * r1 * y;
      m[12] = (m[12] as number) + wgt * p1 * p1;
      m[13] = (m[13] as number) + wgt * p1 * p2;
      m[14] = (m[14] as number) + wgt * p1 * y;
      m[18] = (m[18] as number) + wgt * p2 * p2;
      m[19] = (m[19] as number) + wgt * p2 * y;
    }
    m[5] = m[1] as number;
    m[10] = m[2] as number;
    m[11] = m[7] as number;
    m[15] = m[3] as number;
    m[16] = m[8] as number;
    m[17] = m[13] as number;
    if (!solveSquare(m, 4)) return false;
    const aa1 = m[4] as number;
    const aa2 = m[9] as number;
    for (let i = 0; i < n; i++) {
      const k = LS_BASE + PT * i;
      const d = (m[k] as number) + aa1 * (m[k + 1] as number) + aa2 * (m[k + 2] as number);
      if (!(d > 0)) return false;
      m[k + 4] = d;
    }
  }
  return realise(out, o, m);
}

/**
 * Factor the fitted D and N (the solution in m[4], m[9], m[14], m[19]: A1, A2, B1, B2) into a
 * stable, minimum-phase section; false if not realisable.
 */
function realise(out: Float64Array, o: number, m: Float64Array): boolean {
  const t0 = m[S_T0] as number;
  const aa1 = m[4] as number;
  const aa2 = m[9] as number;
  const bb1 = m[14] as number;
  const bb2 = m[19] as number;
  const a1Prev = out[o + 3] as number;
  const a2Prev = out[o + 4] as number;
  if (!factorDenominator(out, o, aa1, aa2)) return false;
  // The factorisation scaled D by c = (1 + a1 + a2)^2 (A0 = 1); N scales with it.
  const c = (1 + (out[o + 3] as number) + (out[o + 4] as number)) ** 2;
  const nb0 = c * t0;
  const nb1 = c * bb1;
  const nb2 = c * bb2;
  const w = 0.5 * (Math.sqrt(nb0) + Math.sqrt(nb1 > 0 ? nb1 : 0));
  if (!(nb1 >= 0) || !(w * w + nb2 >= -1e-12)) {
    out[o + 3] = a1Prev;
    out[o + 4] = a2Prev;
    return false;
  }
  numeratorFromB(out, o, nb0, nb1, nb2);
  return true;
}

/**
 * Gauss-Jordan with partial pivoting on an n x (n+1) augmented matrix (row stride n + 1);
 * the solution ends in the last column.
 */
function solveSquare(m: Float64Array, n: number): boolean {
  const w = n + 1;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * w + c] as number) > Math.abs(m[p * w + c] as number)) p = r;
    if (p !== c) {
      for (let k = 0; k < w; k++) {
        const t = m[c * w + k] as number;
        m[c * w + k] = m[p * w + k] as number;
        m[p * w + k] = t;
      }
    }
    const piv = m[c * w + c] as number;
    if (!(Math.abs(piv) > 1e-300)) return false;
    for (let k = c; k < w; k++) m[c * w + k] = (m[c * w + k] as number) / piv;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r * w + c] as number;
      if (f === 0) continue;
      for (let k = c; k < w; k++) m[r * w + k] = (m[r * w + k] as number) - f * (m[c * w + k] as number);
    }
  }
  for (let r = 0; r < n; r++) if (!Number.isFinite(m[r * w + n])) return false;
  return true;
}

/**
 * Analog |H|^2 at the points' frequencies (point i: w at base + PT i + 5, target written at + 3).
 * One call computing every point, formulas written out: a call per point would box its result.
 * Same formulas as analog-prototypes.ts (the tests compare against those).
 */
function fillTargets(m: Float64Array, base: number, count: number, kind: number): void {
  const w0 = m[S_W0] as number;
  const gainDb = m[S_GAIN] as number;
  const q = m[S_Q] as number;
  const a = Math.pow(10, gainDb / 40);
  const t = Math.pow(10, gainDb / 20);
  for (let i = 0; i < count; i++) {
    const k = base + PT * i;
    const om = (m[k + 5] as number) / w0;
    const w2 = om * om;
    let v: number;
    switch (kind) {
      case BELL: {
        const re = 1 - w2;
        v = (re * re + ((a * om) / q) ** 2) / (re * re + (om / (a * q)) ** 2);
        break;
      }
      case LOW_SHELF: {
        const kk = (a * w2) / (q * q);
        v = (a * a * ((a - w2) ** 2 + kk)) / ((1 - a * w2) ** 2 + kk);
        break;
      }
      case HIGH_SHELF: {
        const kk = (a * w2) / (q * q);
        v = (a * a * ((1 - a * w2) ** 2 + kk)) / ((a - w2) ** 2 + kk);
        break;
      }
      case LP2: {
        const re = 1 - w2;
        v = 1 / (re * re + w2 / (q * q));
        break;
      }
      case LP1:
        v = 1 / (1 + w2);
        break;
      default:
        v = (t * t * (w2 + 1 / (t * t))) / (w2 + t * t);
    }
    m[k + 3] = v;
  }
}

/**
 * Interpolation points for fitSecondOrder: DC, wc, wx = wc / 2, wh, and wc +- a small step in phi1.
 * wh, the upper matching frequency: every digital response has zero slope at Nyquist while the
 * analog one does not, so matching *at* Nyquist bends the top octave; matching a little below
 * (0.88 pi = 19.4 kHz at 44.1 kHz) and letting the last few hundred Hz flatten out keeps the
 * error small over the whole audible band.
 */
export function interpolationPoints(m: Float64Array, kind: number): void {
  const w0 = m[S_W0] as number;
  const sc = Math.sin(w0 / 2);
  const pc = sc * sc;
  const h = 1e-5 * (pc < 1 - pc ? pc : 1 - pc);
  for (let i = 0; i < 6; i++) {
    const w =
      i === 0 ? 0 : i === 1 ? w0 : i === 2 ? 0.5 * w0 : i === 3 ? (w0 < 0.8 * Math.PI ? 0.88 * Math.PI : w0 + 0.4 * (Math.PI - w0)) : 2 * Math.asin(Math.sqrt(i === 4 ? pc - h : pc + h));
    const k = IP_BASE + PT * i;
    const sh = Math.sin(w / 2);
    const p1 = sh * sh;
    m[k] = 1 - p1;
    m[k + 1] = p1;
    m[k + 2] = 4 * (1 - p1) * p1;
    m[k + 5] = w;
  }
  fillTargets(m, IP_BASE, 6, kind);
}

/**
 * First-order sections |H|^2 = (B0 phi0 + B1 phi1)/(phi0 + A1 phi1): B0 from DC, [A1, B1] from the
 * values at the corner and at the upper matching frequency.
 */
export function fitFirstOrder(out: Float64Array, o: number, m: Float64Array, kind: number): boolean {
  const w0 = m[S_W0] as number;
  const wh = w0 < 0.8 * Math.PI ? 0.88 * Math.PI : w0 + 0.4 * (Math.PI - w0);
  m[IP_BASE + 5] = 0;
  m[IP_BASE + PT + 5] = w0;
  m[IP_BASE + 2 * PT + 5] = wh;
  fillTargets(m, IP_BASE, 3, kind);
  const t0 = m[IP_BASE + 3] as number;
  const tc = m[IP_BASE + PT + 3] as number;
  const th = m[IP_BASE + 2 * PT + 3] as number;
  const sc = Math.sin(w0 / 2);
  const pc1 = sc * sc;
  const pc0 = 1 - pc1;
  const shh = Math.sin(wh / 2);
  const ph1 = shh * shh;
  const ph0 = 1 - ph1;
  // -T p1 A1 + p1 B1 = (T - t0) p0, at wc and wh (Cramer's rule).
  const m00 = -tc * pc1;
  const m01 = pc1;
  const y0 = (tc - t0) * pc0;
  const m10 = -th * ph1;
  const m11 = ph1;
  const y1 = (th - t0) * ph0;
  const det = m00 * m11 - m01 * m10;
  if (!(Math.abs(det) > 1e-300)) return false;
  const aa1 = (y0 * m11 - m01 * y1) / det;
  const bb1 = (m00 * y1 - y0 * m10) / det;
  if (!(aa1 > 0) || !(bb1 >= 0)) return false;
  const rc = 2 / (1 + Math.sqrt(aa1));
  const a1 = (rc * (1 - Math.sqrt(aa1))) / 2;
  if (!(Math.abs(a1) < 1)) return false;
  const sum = rc * Math.sqrt(t0); // b0 + b1
  const diff = rc * Math.sqrt(bb1); // b0 - b1
  out[o] = 0.5 * (sum + diff);
  out[o + 1] = 0.5 * (sum - diff);
  out[o + 2] = 0;
  out[o + 3] = a1;
  out[o + 4] = 0;
  return true;
}

