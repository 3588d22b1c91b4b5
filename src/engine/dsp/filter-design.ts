import { highShelfMag2, lowPass1Mag2, lowShelfMag2, tiltMag2 } from './analog-prototypes.ts';
import { BELL, COEF_STRIDE, HIGH_PASS, HIGH_SHELF, LOW_PASS, LOW_SHELF, LP1, LP2, MAX_DESIGN_FRACTION, TILT } from './filter-types.ts';
import {
  denominatorAt,
  fitFirstOrder,
  fitLeastSquares,
  fitSecondOrder,
  interpolationPoints,
  invertSection,
  LS_MIN_FRACTION,
  numeratorFromB,
  S_FREQ,
  S_FS,
  S_GAIN,
  S_Q,
  S_W0,
  sinHalfSq,
} from './magnitude-fit.ts';

/**
 * Matched ("decramped") digital filter design after M. Vicanek, "Matched Second Order Digital
 * Filters" (2016): the poles come from impulse invariance (exact pole positions, no frequency
 * warping) and the zeros are chosen so that the digital magnitude equals the analog prototype's
 * at chosen frequencies. Unlike the bilinear transform (RBJ cookbook), the response is not forced
 * to unity at Nyquist, so a 16 kHz bell at 44.1 kHz keeps its analog shape up to 20 kHz.
 *
 * Every function writes one section as [b0, b1, b2, a1, a2] (a0 = 1) into `out` at `o` and never
 * allocates: they run at control rate inside process() while a parameter glides.
 *
 * Notation (paper, section 2): phi0 = 1 - sin^2(w/2), phi1 = sin^2(w/2), phi2 = 4 phi0 phi1;
 * |H(e^jw)|^2 = (B0 phi0 + B1 phi1 + B2 phi2) / (A0 phi0 + A1 phi1 + A2 phi2) with
 * A0 = (1 + a1 + a2)^2, A1 = (1 - a1 + a2)^2, A2 = -4 a2 and likewise B from b.
 */

export { BELL, COEF_STRIDE, FILTER_TYPES, HIGH_PASS, HIGH_SHELF, LOW_PASS, LOW_SHELF, MAX_DESIGN_FRACTION, MAX_SECTIONS, TILT, isGainType, type FilterType } from './filter-types.ts';
export { DESIGN_SCRATCH_SIZE, SCRATCH_FREQ, SCRATCH_FS, SCRATCH_GAIN, SCRATCH_Q } from './magnitude-fit.ts';

/** Impulse-invariant pole pair of s^2 + s w0/Q + w0^2 (w0 in rad/sample): writes a1, a2. */
function matchedPoles(out: Float64Array, o: number, w0: number, q: number): void {
  const zeta = 1 / (2 * q);
  const r = Math.exp(-zeta * w0);
  out[o + 3] =
    zeta <= 1 ? -2 * r * Math.cos(w0 * Math.sqrt(1 - zeta * zeta)) : -2 * r * Math.cosh(w0 * Math.sqrt(zeta * zeta - 1));
  out[o + 4] = r * r;
}

/** Write a design's parameters into the scratch slots (the public entry points do this). */
function setParams(m: Float64Array, freqHz: number, gainDb: number, q: number, sampleRate: number): void {
  m[S_FREQ] = freqHz;
  m[S_GAIN] = gainDb;
  m[S_Q] = q;
  m[S_FS] = sampleRate;
  const f = freqHz < sampleRate * MAX_DESIGN_FRACTION ? freqHz : sampleRate * MAX_DESIGN_FRACTION;
  m[S_W0] = (2 * Math.PI * f) / sampleRate;
}

/**
 * Bell, low shelf and high shelf: least squares above fs/16, interpolation below; should the fit
 * not be realisable at some extreme setting, impulse-invariant poles (the paper's design).
 */
function gainSection(out: Float64Array, o: number, m: Float64Array, kind: number): void {
  const w0 = m[S_W0] as number;
  const gainDb = m[S_GAIN] as number;
  if (gainDb === 0) {
    // Exactly flat: numerator = denominator.
    polesInto(out, o, m);
    out[o] = 1;
    out[o + 1] = out[o + 3] as number;
    out[o + 2] = out[o + 4] as number;
    return;
  }
  if (w0 > 2 * Math.PI * LS_MIN_FRACTION && fitLeastSquares(out, o, m, kind)) return;
  interpolationPoints(m, kind);
  if (fitSecondOrder(out, o, m)) return;
  if (kind === BELL) vicanekBell(out, o, w0, gainDb, m[S_Q] as number);
  else impulseInvariantShelf(out, o, kind === HIGH_SHELF, w0, gainDb, m[S_Q] as number);
}

/** matchedPoles with w0 and Q from the scratch slots. */
function polesInto(out: Float64Array, o: number, m: Float64Array): void {
  const w0 = m[S_W0] as number;
  const zeta = 1 / (2 * (m[S_Q] as number));
  const r = Math.exp(-zeta * w0);
  out[o + 3] =
    zeta <= 1 ? -2 * r * Math.cos(w0 * Math.sqrt(1 - zeta * zeta)) : -2 * r * Math.cosh(w0 * Math.sqrt(zeta * zeta - 1));
  out[o + 4] = r * r;
}

/** Bell (peaking EQ), prototype (s^2 + s a/Q + 1)/(s^2 + s/(a Q) + 1), a = 10^(gainDb/40). */
export function designBell(out: Float64Array, o: number, m: Float64Array, freqHz: number, gainDb: number, q: number, sampleRate: number): void {
  setParams(m, freqHz, gainDb, q, sampleRate);
  gainSection(out, o, m, BELL);
}

export function designLowShelf(out: Float64Array, o: number, m: Float64Array, freqHz: number, gainDb: number, q: number, sampleRate: number): void {
  setParams(m, freqHz, gainDb, q, sampleRate);
  gainSection(out, o, m, LOW_SHELF);
}

export function designHighShelf(out: Float64Array, o: number, m: Float64Array, freqHz: number, gainDb: number, q: number, sampleRate: number): void {
  setParams(m, freqHz, gainDb, q, sampleRate);
  gainSection(out, o, m, HIGH_SHELF);
}

/**
 * The paper's peaking EQ (section 4.5): impulse-invariant poles, numerator matching DC, the
 * centre gain and a zero slope at the centre. A cut is the exact inverse of the boost, whose
 * high-Q poles impulse invariance places well. The fallback of the fits.
 */
export function vicanekBell(out: Float64Array, o: number, w0: number, gainDb: number, q: number): void {
  const boostDb = gainDb < 0 ? -gainDb : gainDb;
  const g = Math.pow(10, boostDb / 20);
  matchedPoles(out, o, w0, Math.sqrt(g) * q);
  const a1 = out[o + 3] as number;
  const a2 = out[o + 4] as number;
  const phi1 = sinHalfSq(w0);
  const phi0 = 1 - phi1;
  const phi2 = 4 * phi0 * phi1;
  const aa0 = (1 + a1 + a2) ** 2;
  const aa1 = (1 - a1 + a2) ** 2;
  const aa2 = -4 * a2;
  const g2 = g * g;
  const r1 = (aa0 * phi0 + aa1 * phi1 + aa2 * phi2) * g2;
  const r2 = (-aa0 + aa1 + 4 * (phi0 - phi1) * aa2) * g2;
  const bb2 = (r1 - r2 * phi1 - aa0) / (4 * phi1 * phi1);
  const bb1 = r2 + aa0 + 4 * (phi1 - phi0) * bb2;
  numeratorFromB(out, o, aa0, bb1, bb2);
  if (gainDb < 0) invertSection(out, o);
}

/** Shelf fallback: impulse-invariant poles of the lower-pole form, three-point numerator fit. */
function impulseInvariantShelf(out: Float64Array, o: number, high: boolean, wc: number, gainDb: number, q: number): void {
  // The form whose poles sit below the corner is the low-shelf boost / high-shelf cut; the
  // symmetric prototype makes boost and cut exact inverses, so design that one and invert.
  const invert = high ? gainDb > 0 : gainDb < 0;
  const g = invert ? -gainDb : gainDb;
  const a = Math.pow(10, g / 40);
  matchedPoles(out, o, high ? wc * Math.sqrt(a) : wc / Math.sqrt(a), q);
  const a1 = out[o + 3] as number;
  const a2 = out[o + 4] as number;
  const mag2 = high ? highShelfMag2 : lowShelfMag2;
  const phi1 = sinHalfSq(wc);
  const phi0 = 1 - phi1;
  const bb0 = mag2(0, g, q) * (1 + a1 + a2) ** 2;
  const bb1 = mag2(Math.PI / wc, g, q) * (1 - a1 + a2) ** 2;
  const bb2 = (mag2(1, g, q) * denominatorAt(a1, a2, phi0, phi1) - bb0 * phi0 - bb1 * phi1) / (4 * phi0 * phi1);
  numeratorFromB(out, o, bb0, bb1, bb2);
  if (invert) invertSection(out, o);
}

/** Second-order low-pass 1/(s^2 + s/Q + 1): fitted (above), else the paper's section 4.1. */
function lowPass2Section(out: Float64Array, o: number, m: Float64Array): void {
  const w0 = m[S_W0] as number;
  if (w0 > 2 * Math.PI * LS_MIN_FRACTION && fitLeastSquares(out, o, m, LP2)) return;
  interpolationPoints(m, LP2);
  if (fitSecondOrder(out, o, m)) return;
  const q = m[S_Q] as number;
  polesInto(out, o, m);
  const a1 = out[o + 3] as number;
  const a2 = out[o + 4] as number;
  const sh = Math.sin(w0 / 2);
  const phi1 = sh * sh;
  const phi0 = 1 - phi1;
  const aa0 = (1 + a1 + a2) ** 2;
  const bb1 = ((aa0 * phi0 + (1 - a1 + a2) ** 2 * phi1 - 16 * a2 * phi0 * phi1) * q * q - aa0 * phi0) / phi1;
  const r0 = Math.sqrt(aa0);
  const b0 = 0.5 * (r0 + Math.sqrt(bb1 > 0 ? bb1 : 0));
  out[o] = b0;
  out[o + 1] = r0 - b0;
  out[o + 2] = 0;
}

export function designLowPass2(out: Float64Array, o: number, m: Float64Array, freqHz: number, q: number, sampleRate: number): void {
  setParams(m, freqHz, 0, q, sampleRate);
  lowPass2Section(out, o, m);
}

/**
 * Second-order high-pass s^2/(s^2 + s/Q + 1), paper section 4.2: impulse-invariant poles, double
 * zero at DC, magnitude matched at the corner. (A free-pole fit matches the corner region of very
 * high cut-offs better but loses the stop band; high-passes live low, where this is exact enough.)
 */
function highPass2Section(out: Float64Array, o: number, m: Float64Array): void {
  const w0 = m[S_W0] as number;
  polesInto(out, o, m);
  const a1 = out[o + 3] as number;
  const a2 = out[o + 4] as number;
  const sh = Math.sin(w0 / 2);
  const phi1 = sh * sh;
  const phi0 = 1 - phi1;
  const d = (1 + a1 + a2) ** 2 * phi0 + (1 - a1 + a2) ** 2 * phi1 - 16 * a2 * phi0 * phi1;
  const b0 = ((m[S_Q] as number) * Math.sqrt(d)) / (4 * phi1);
  out[o] = b0;
  out[o + 1] = -2 * b0;
  out[o + 2] = b0;
}

export function designHighPass2(out: Float64Array, o: number, m: Float64Array, freqHz: number, q: number, sampleRate: number): void {
  setParams(m, freqHz, 0, q, sampleRate);
  highPass2Section(out, o, m);
}

/** designHighPass2 with frequency, Q and rate already in the scratch slots (no boxed doubles on the audio path). */
export function designHighPass2FromScratch(out: Float64Array, o: number, m: Float64Array): void {
  const fs = m[S_FS] as number;
  const freqHz = m[S_FREQ] as number;
  const f = freqHz < fs * MAX_DESIGN_FRACTION ? freqHz : fs * MAX_DESIGN_FRACTION;
  m[S_W0] = (2 * Math.PI * f) / fs;
  highPass2Section(out, o, m);
}

/** First-order low-pass 1/(s + 1); fallback: impulse-invariant pole, matched at DC and Nyquist. */
function lowPass1Section(out: Float64Array, o: number, m: Float64Array): void {
  if (fitFirstOrder(out, o, m, LP1)) return;
  const wc = m[S_W0] as number;
  const p = Math.exp(-wc);
  const sum = 1 - p;
  const diff = (1 + p) * Math.sqrt(lowPass1Mag2(Math.PI / wc));
  out[o] = 0.5 * (sum + diff);
  out[o + 1] = 0.5 * (sum - diff);
  out[o + 2] = 0;
  out[o + 3] = -p;
  out[o + 4] = 0;
}

export function designLowPass1(out: Float64Array, o: number, m: Float64Array, freqHz: number, sampleRate: number): void {
  setParams(m, freqHz, 0, 1, sampleRate);
  lowPass1Section(out, o, m);
}

/** First-order high-pass s/(s + 1): zero at DC, impulse-invariant pole, matched at Nyquist. */
function highPass1Section(out: Float64Array, o: number, m: Float64Array): void {
  const wc = m[S_W0] as number;
  const p = Math.exp(-wc);
  const om = Math.PI / wc;
  const b0 = 0.5 * (1 + p) * Math.sqrt((om * om) / (1 + om * om));
  out[o] = b0;
  out[o + 1] = -b0;
  out[o + 2] = 0;
  out[o + 3] = -p;
  out[o + 4] = 0;
}

export function designHighPass1(out: Float64Array, o: number, m: Float64Array, freqHz: number, sampleRate: number): void {
  setParams(m, freqHz, 0, 1, sampleRate);
  highPass1Section(out, o, m);
}

/** First-order tilt t (s + 1/t)/(s + t) around the pivot (-gainDb at DC, +gainDb at HF). */
function tiltSection(out: Float64Array, o: number, m: Float64Array): void {
  const gainDb = m[S_GAIN] as number;
  if (gainDb === 0) {
    out[o] = 1;
    out[o + 1] = 0;
    out[o + 2] = 0;
    out[o + 3] = 0;
    out[o + 4] = 0;
    return;
  }
  if (fitFirstOrder(out, o, m, TILT)) return;
  // Fallback: design the falling tilt (pole below the pivot) and invert for a rising one.
  const wc = m[S_W0] as number;
  const g = gainDb > 0 ? -gainDb : gainDb;
  const t = Math.pow(10, g / 20);
  const p = Math.exp(-wc * t);
  const sum = (1 - p) / t;
  const diff = (1 + p) * Math.sqrt(tiltMag2(Math.PI / wc, g));
  out[o] = 0.5 * (sum + diff);
  out[o + 1] = 0.5 * (sum - diff);
  out[o + 2] = 0;
  out[o + 3] = -p;
  out[o + 4] = 0;
  if (gainDb > 0) invertSection(out, o);
}

export function designTilt(out: Float64Array, o: number, m: Float64Array, freqHz: number, gainDb: number, sampleRate: number): void {
  setParams(m, freqHz, gainDb, 1, sampleRate);
  tiltSection(out, o, m);
}

/**
 * Butterworth high/low-pass of `order` (1..8) as a cascade of matched sections: the second-order
 * sections carry the Butterworth pole Qs, an odd order adds one first-order section.
 * Returns the number of sections written. Frequency and rate come from the scratch slots.
 */
function butterworth(out: Float64Array, o: number, m: Float64Array, highPass: boolean, order: number): number {
  const pairs = order >> 1;
  let n = 0;
  for (let k = 1; k <= pairs; k++) {
    m[S_Q] = 1 / (2 * Math.sin(((2 * k - 1) * Math.PI) / (2 * order)));
    if (highPass) highPass2Section(out, o + n * COEF_STRIDE, m);
    else lowPass2Section(out, o + n * COEF_STRIDE, m);
    n++;
  }
  if (order & 1) {
    if (highPass) highPass1Section(out, o + n * COEF_STRIDE, m);
    else lowPass1Section(out, o + n * COEF_STRIDE, m);
    n++;
  }
  return n;
}

export function designButterworth(out: Float64Array, o: number, m: Float64Array, highPass: boolean, order: number, freqHz: number, sampleRate: number): number {
  setParams(m, freqHz, 0, 1, sampleRate);
  return butterworth(out, o, m, highPass, order);
}

/**
 * One EQ band from the scratch slots (SCRATCH_FREQ, _GAIN, _Q, _FS, written by the caller):
 * writes its sections and returns how many. The passes use `slopeDbOct` (6 dB/oct per order),
 * the bell and the shelves Q.
 */
export function designBandFromScratch(out: Float64Array, o: number, m: Float64Array, type: number, slopeDbOct: number): number {
  const fs = m[S_FS] as number;
  const freqHz = m[S_FREQ] as number;
  const f = freqHz < fs * MAX_DESIGN_FRACTION ? freqHz : fs * MAX_DESIGN_FRACTION;
  m[S_W0] = (2 * Math.PI * f) / fs;
  switch (type) {
    case BELL:
    case LOW_SHELF:
    case HIGH_SHELF:
      gainSection(out, o, m, type);
      return 1;
    case HIGH_PASS:
      return butterworth(out, o, m, true, Math.round(slopeDbOct / 6));
    case LOW_PASS:
      return butterworth(out, o, m, false, Math.round(slopeDbOct / 6));
    default:
      tiltSection(out, o, m);
      return 1;
  }
}

/** One EQ band: writes its sections and returns how many (convenience form of the two above). */
export function designBand(
  out: Float64Array,
  o: number,
  m: Float64Array,
  type: number,
  freqHz: number,
  gainDb: number,
  q: number,
  slopeDbOct: number,
  sampleRate: number,
): number {
  setParams(m, freqHz, gainDb, q, sampleRate);
  return designBandFromScratch(out, o, m, type, slopeDbOct);
}

/** |H(e^jw)|^2 of `sections` cascaded sections (w in rad/sample), for tests and displays. */
export function cascadeMag2(coefs: ArrayLike<number>, o: number, sections: number, w: number): number {
  const c1 = Math.cos(w);
  const c2 = Math.cos(2 * w);
  const s1 = Math.sin(w);
  const s2 = Math.sin(2 * w);
  let mag2 = 1;
  for (let k = 0; k < sections; k++) {
    const i = o + k * COEF_STRIDE;
    const b0 = coefs[i] as number;
    const b1 = coefs[i + 1] as number;
    const b2 = coefs[i + 2] as number;
    const a1 = coefs[i + 3] as number;
    const a2 = coefs[i + 4] as number;
    const nr = b0 + b1 * c1 + b2 * c2;
    const ni = -(b1 * s1 + b2 * s2);
    const dr = 1 + a1 * c1 + a2 * c2;
    const di = -(a1 * s1 + a2 * s2);
    mag2 *= (nr * nr + ni * ni) / (dr * dr + di * di);
  }
  return mag2;
}
