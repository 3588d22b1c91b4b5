/**
 * Squared magnitude responses of the analog prototypes the EQ imitates, as functions of the
 * normalised frequency `omega = f / f0`. These are the "analytic design formulas": the matched
 * digital designs in filter-design.ts fit them, and the tests hold the running filters to them.
 *
 * Conventions (RBJ-style, symmetric boost/cut), with `a = 10^(gainDb / 40)` (so `a^2` is the linear
 * gain at the centre / on the shelf):
 *   bell        H(s) = (s^2 + s a/Q + 1) / (s^2 + s/(a Q) + 1)
 *   low shelf   H(s) = a (s^2 + s sqrt(a)/Q + a) / (a s^2 + s sqrt(a)/Q + 1)
 *   high shelf  H(s) = a (a s^2 + s sqrt(a)/Q + 1) / (s^2 + s sqrt(a)/Q + a)
 *   tilt        H(s) = t (s + 1/t) / (s + t),  t = 10^(gainDb / 20): -gainDb at DC, +gainDb at HF,
 *               0 dB at the pivot (first order, 6 dB/oct)
 *   Butterworth |H|^2 = 1 / (1 + omega^2N) (low-pass), omega^2N / (1 + omega^2N) (high-pass)
 */

export function bellMag2(omega: number, gainDb: number, q: number): number {
  const a = Math.pow(10, gainDb / 40);
  const w2 = omega * omega;
  const re = 1 - w2;
  const num = re * re + ((a * omega) / q) ** 2;
  const den = re * re + (omega / (a * q)) ** 2;
  return num / den;
}

export function lowShelfMag2(omega: number, gainDb: number, q: number): number {
  const a = Math.pow(10, gainDb / 40);
  const w2 = omega * omega;
  const k = (a * w2) / (q * q);
  const num = (a - w2) ** 2 + k;
  const den = (1 - a * w2) ** 2 + k;
  return (a * a * num) / den;
}

export function highShelfMag2(omega: number, gainDb: number, q: number): number {
  const a = Math.pow(10, gainDb / 40);
  const w2 = omega * omega;
  const k = (a * w2) / (q * q);
  const num = (1 - a * w2) ** 2 + k;
  const den = (a - w2) ** 2 + k;
  return (a * a * num) / den;
}

export function tiltMag2(omega: number, gainDb: number): number {
  const t = Math.pow(10, gainDb / 20);
  const w2 = omega * omega;
  return (t * t * (w2 + 1 / (t * t))) / (w2 + t * t);
}

export function butterworthLowPassMag2(omega: number, order: number): number {
  return 1 / (1 + Math.pow(omega, 2 * order));
}

export function butterworthHighPassMag2(omega: number, order: number): number {
  const p = Math.pow(omega, 2 * order);
  return p / (1 + p);
}

/** Second-order sections of a Butterworth filter: pole Q of section k (1-based) of order n. */
export function butterworthSectionQ(order: number, k: number): number {
  return 1 / (2 * Math.sin(((2 * k - 1) * Math.PI) / (2 * order)));
}

/** Unity-gain second-order low-pass 1/(s^2 + s/Q + 1) and its high-pass s^2/(...). */
export function lowPass2Mag2(omega: number, q: number): number {
  const re = 1 - omega * omega;
  return 1 / (re * re + (omega / q) ** 2);
}

export function highPass2Mag2(omega: number, q: number): number {
  const w2 = omega * omega;
  const re = 1 - w2;
  return (w2 * w2) / (re * re + (omega / q) ** 2);
}

export function lowPass1Mag2(omega: number): number {
  return 1 / (1 + omega * omega);
}

export function highPass1Mag2(omega: number): number {
  const w2 = omega * omega;
  return w2 / (1 + w2);
}
