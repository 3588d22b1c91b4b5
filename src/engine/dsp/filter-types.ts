/** EQ filter types, section kinds and layout constants shared by the designs and the fits. */

export const COEF_STRIDE = 5;
/** Max second-order sections per EQ band (48 dB/oct = 8th order). */
export const MAX_SECTIONS = 4;

/**
 * Impulse-invariant poles alias once their angle passes Nyquist; design frequencies are clamped
 * to this fraction of the sample rate (21.6 kHz at 44.1 kHz).
 */
export const MAX_DESIGN_FRACTION = 0.49;

export const FILTER_TYPES = ['bell', 'lowShelf', 'highShelf', 'highPass', 'lowPass', 'tilt'] as const;
export type FilterType = (typeof FILTER_TYPES)[number];
export const BELL = 0;
export const LOW_SHELF = 1;
export const HIGH_SHELF = 2;
export const HIGH_PASS = 3;
export const LOW_PASS = 4;
export const TILT = 5;
/** Analog section kinds used only inside the fits. */
export const LP2 = 10;
export const LP1 = 12;

/** Types whose response is flat at 0 dB gain (the band can be skipped, bit-exact). */
export function isGainType(type: number): boolean {
  return type === BELL || type === LOW_SHELF || type === HIGH_SHELF || type === TILT;
}

