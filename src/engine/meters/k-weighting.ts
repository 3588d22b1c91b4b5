/**
 * K-weighting (ITU-R BS.1770-4/5 Annex 1, §1: the "pre-filter" shelf and the "RLB" high-pass) for any
 * sample rate.
 *
 * The Recommendation tabulates the two biquads only at 48 kHz (Tables 1 and 2) and says other rates
 * need coefficients giving the same response. We recover the analog prototype those tables came from
 * by undoing the bilinear transform at 48 kHz (z = (1 + u)/(1 - u), u = s / 2fs), rescale the analog
 * variable to the target rate and apply the bilinear transform again. At 48 kHz this returns the
 * tables to double precision; at 44.1 to 192 kHz the magnitude stays within 0.02 dB of the 48 kHz
 * response from 20 Hz to 20 kHz (test/engine/meters/k-weighting.test.ts), because the only
 * difference is frequency warping, which matters only in the flat part of the shelf.
 */

export interface BiquadCoefficients {
  readonly b0: number;
  readonly b1: number;
  readonly b2: number;
  /** Denominator, normalised so that a0 = 1. */
  readonly a1: number;
  readonly a2: number;
}

export interface KWeightingCoefficients {
  /** Stage 1: the +4 dB high shelf modelling the head (BS.1770 Table 1). */
  readonly shelf: BiquadCoefficients;
  /** Stage 2: the revised low-frequency B-weighting high-pass (BS.1770 Table 2). */
  readonly highPass: BiquadCoefficients;
}

/** BS.1770-4 Annex 1 Table 1, at 48 kHz. */
export const ITU_SHELF_48K: BiquadCoefficients = Object.freeze({
  b0: 1.53512485958697,
  b1: -2.69169618940638,
  b2: 1.19839281085285,
  a1: -1.69065929318241,
  a2: 0.73248077421585,
});

/** BS.1770-4 Annex 1 Table 2, at 48 kHz. */
export const ITU_HIGH_PASS_48K: BiquadCoefficients = Object.freeze({
  b0: 1.0,
  b1: -2.0,
  b2: 1.0,
  a1: -1.99004745483398,
  a2: 0.99007225036621,
});

const REFERENCE_RATE_HZ = 48000;

/** Rates outside this range are refused: below 8 kHz the 1681 Hz shelf no longer fits under Nyquist. */
export const MIN_K_WEIGHTING_RATE_HZ = 8000;
export const MAX_K_WEIGHTING_RATE_HZ = 768000;

export function kWeightingCoefficients(sampleRateHz: number): KWeightingCoefficients {
  if (!Number.isFinite(sampleRateHz) || sampleRateHz < MIN_K_WEIGHTING_RATE_HZ || sampleRateHz > MAX_K_WEIGHTING_RATE_HZ) {
    throw new RangeError(`K-weighting: sample rate ${sampleRateHz} Hz is outside ${MIN_K_WEIGHTING_RATE_HZ}..${MAX_K_WEIGHTING_RATE_HZ} Hz`);
  }
  const ratio = sampleRateHz / REFERENCE_RATE_HZ;
  return { shelf: rebilinear(ITU_SHELF_48K, ratio), highPass: rebilinear(ITU_HIGH_PASS_48K, ratio) };
}

/**
 * Undo the bilinear transform of `c` (done at the reference rate), then redo it at `ratio` times that
 * rate. With u = s / (2 fs): H(u) = (B0 + B1 u + B2 u^2) / (A0 + A1 u + A2 u^2), and
 * u_ref = ratio * u_new because u scales with 1/fs.
 */
function rebilinear(c: BiquadCoefficients, ratio: number): BiquadCoefficients {
  // Digital -> analog (in u = s / 2fs_ref).
  const nb0 = c.b0 + c.b1 + c.b2;
  const nb1 = 2 * (c.b0 - c.b2);
  const nb2 = c.b0 - c.b1 + c.b2;
  const na0 = 1 + c.a1 + c.a2;
  const na1 = 2 * (1 - c.a2);
  const na2 = 1 - c.a1 + c.a2;
  // Rescale to u_new.
  const B0 = nb0;
  const B1 = nb1 * ratio;
  const B2 = nb2 * ratio * ratio;
  const A0 = na0;
  const A1 = na1 * ratio;
  const A2 = na2 * ratio * ratio;
  // Analog -> digital at the new rate: u = (1 - z^-1) / (1 + z^-1).
  const d0 = A0 + A1 + A2;
  return {
    b0: (B0 + B1 + B2) / d0,
    b1: (2 * (B0 - B2)) / d0,
    b2: (B0 - B1 + B2) / d0,
    a1: (2 * (A0 - A2)) / d0,
    a2: (A0 - A1 + A2) / d0,
  };
}

/** |H(e^jw)| in dB of a biquad at `freqHz` (used by tests and the spectrum display's calibration). */
export function biquadMagnitudeDb(c: BiquadCoefficients, freqHz: number, sampleRateHz: number): number {
  const w = (2 * Math.PI * freqHz) / sampleRateHz;
  const cos1 = Math.cos(w);
  const sin1 = Math.sin(w);
  const cos2 = Math.cos(2 * w);
  const sin2 = Math.sin(2 * w);
  const nr = c.b0 + c.b1 * cos1 + c.b2 * cos2;
  const ni = -(c.b1 * sin1 + c.b2 * sin2);
  const dr = 1 + c.a1 * cos1 + c.a2 * cos2;
  const di = -(c.a1 * sin1 + c.a2 * sin2);
  return 10 * Math.log10((nr * nr + ni * ni) / (dr * dr + di * di));
}
