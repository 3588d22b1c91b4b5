/**
 * ITU-R BS.1770-4, Annex 2: the 48-tap, 4-phase interpolation filter for 4x oversampled true-peak
 * measurement. Phase p, tap k is h[4k + p] of the prototype; the output of phase p at input time
 * n is sum_k TRUE_PEAK_PHASES[p][k] * x[n - k]. The group delay is 23.5/4 input samples, so the
 * four outputs computed at time n interpolate the signal between x[n-6] and x[n-5].
 */
export const TRUE_PEAK_PHASES: readonly (readonly number[])[] = Object.freeze([
  Object.freeze([
    0.001708984375, 0.010986328125, -0.0196533203125, 0.033203125, -0.0594482421875, 0.1373291015625, 0.97216796875,
    -0.102294921875, 0.047607421875, -0.026611328125, 0.014892578125, -0.00830078125,
  ]),
  Object.freeze([
    -0.0291748046875, 0.029296875, -0.0517578125, 0.089111328125, -0.16650390625, 0.465087890625, 0.77978515625,
    -0.2003173828125, 0.1015625, -0.0582275390625, 0.0330810546875, -0.0189208984375,
  ]),
  Object.freeze([
    -0.0189208984375, 0.0330810546875, -0.0582275390625, 0.1015625, -0.2003173828125, 0.77978515625, 0.465087890625,
    -0.16650390625, 0.089111328125, -0.0517578125, 0.029296875, -0.0291748046875,
  ]),
  Object.freeze([
    -0.00830078125, 0.014892578125, -0.026611328125, 0.047607421875, -0.102294921875, 0.97216796875, 0.1373291015625,
    -0.0594482421875, 0.033203125, -0.0196533203125, 0.010986328125, 0.001708984375,
  ]),
]);

export const TRUE_PEAK_TAPS = 12;
/** Input samples between x[n] and the sample the interpolated values at time n sit next to. */
export const TRUE_PEAK_CENTRE = 6;
