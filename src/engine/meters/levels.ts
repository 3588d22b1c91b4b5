/**
 * Level conversions shared by the meters. Silence is -Infinity; nothing here returns NaN.
 */

/** BS.1770-4 Annex 1 eq. (2): L = -0.691 + 10 log10(sum of weighted mean squares). */
export const LOUDNESS_OFFSET_DB = -0.691;

/**
 * Mean squares below this (-200 dB) read as silence: they are the rounding residue of a running sum
 * after loud material, not signal (a 24-bit file's dither is at -150 dB).
 */
export const POWER_FLOOR = 1e-20;

/** Amplitudes below this (-200 dBFS) read as silence. */
export const AMPLITUDE_FLOOR = 1e-10;

export function powerToLufs(weightedMeanSquare: number): number {
  return weightedMeanSquare > POWER_FLOOR ? LOUDNESS_OFFSET_DB + 10 * Math.log10(weightedMeanSquare) : -Infinity;
}

/**
 * values[index] = powerToLufs(values[index]): for the audio thread, where a double returned from a
 * call that is not inlined is boxed on the heap.
 */
export function powerToLufsAt(values: Float64Array, index: number): void {
  const p = values[index]!;
  values[index] = p > POWER_FLOOR ? LOUDNESS_OFFSET_DB + 10 * Math.log10(p) : -Infinity;
}

export function lufsToPower(lufs: number): number {
  return 10 ** ((lufs - LOUDNESS_OFFSET_DB) / 10);
}

export function amplitudeToDb(amplitude: number): number {
  return amplitude > AMPLITUDE_FLOOR ? 20 * Math.log10(amplitude) : -Infinity;
}

export function powerToDb(meanSquare: number): number {
  return meanSquare > POWER_FLOOR ? 10 * Math.log10(meanSquare) : -Infinity;
}

/** a - b for levels that may be -Infinity: -Infinity when either is not finite (never NaN). */
export function levelDifferenceDb(a: number, b: number): number {
  return Number.isFinite(a) && Number.isFinite(b) ? a - b : -Infinity;
}
