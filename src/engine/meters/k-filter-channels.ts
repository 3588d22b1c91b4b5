/**
 * The K-weighting filter (BS.1770-4 Annex 1: the shelf, then the high-pass, transposed direct form
 * II) of the channels a loudness meter does not filter in its window loop: the channels beyond the
 * first two, in JS (meters/loudness-meter.ts; its channels 0 and 1 run in the window loop or the
 * WASM kernel).
 */

/** The filter runs in stream-aligned chunks of this many samples; tiny states are flushed between. */
export const FLUSH_INTERVAL_SAMPLES = 1024;
/** Filter state below this magnitude (-400 dB) is set to zero so it never decays into denormals. */
export const STATE_FLUSH = 1e-20;

/**
 * K-filter channels `from`.. of `input` (frames offset .. offset + frames) into `power`, weighted
 * (the first of them writes, the others add). Per channel c: coefficients b0 b1 b2 a1 a2 of the shelf,
 * then of the high-pass, at coef[10 c]; state s1 s2 h1 h2 at state[4 c]. The flush points are
 * aligned to the stream: scalars[samplesIndex] is the count of frames processed before this block.
 * Returns how many non-finite input samples were replaced by 0.
 */
export function kFilterChannels(
  input: readonly Float32Array[],
  offset: number,
  frames: number,
  from: number,
  coef: Float64Array,
  weights: Float64Array,
  state: Float64Array,
  power: Float64Array,
  scalars: Float64Array,
  samplesIndex: number,
): number {
  let bad = 0;
  power.fill(0, 0, frames);
  for (let c = from; c < weights.length; c++) {
    const x = input[c];
    if (x === undefined) continue;
    const g = weights[c]!;
    const base = c * 10;
    const sb0 = coef[base]!;
    const sb1 = coef[base + 1]!;
    const sb2 = coef[base + 2]!;
    const sa1 = coef[base + 3]!;
    const sa2 = coef[base + 4]!;
    const hb0 = coef[base + 5]!;
    const hb1 = coef[base + 6]!;
    const hb2 = coef[base + 7]!;
    const ha1 = coef[base + 8]!;
    const ha2 = coef[base + 9]!;
    let s1 = state[c * 4]!;
    let s2 = state[c * 4 + 1]!;
    let h1 = state[c * 4 + 2]!;
    let h2 = state[c * 4 + 3]!;
    // Stream-aligned flush points keep the result independent of the block size.
    let untilFlush = FLUSH_INTERVAL_SAMPLES - (scalars[samplesIndex]! % FLUSH_INTERVAL_SAMPLES);
    let i = 0;
    while (i < frames) {
      const end = frames - i < untilFlush ? frames : i + untilFlush;
      untilFlush -= end - i;
      for (; i < end; i++) {
        let v = x[offset + i]!;
        if (v - v !== 0) {
          v = 0;
          bad++;
        }
        const y = sb0 * v + s1;
        s1 = sb1 * v - sa1 * y + s2;
        s2 = sb2 * v - sa2 * y;
        const z = hb0 * y + h1;
        h1 = hb1 * y - ha1 * z + h2;
        h2 = hb2 * y - ha2 * z;
        power[i] = power[i]! + g * z * z;
      }
      if (untilFlush === 0) {
        untilFlush = FLUSH_INTERVAL_SAMPLES;
        if (s1 < STATE_FLUSH && s1 > -STATE_FLUSH) s1 = 0;
        if (s2 < STATE_FLUSH && s2 > -STATE_FLUSH) s2 = 0;
        if (h1 < STATE_FLUSH && h1 > -STATE_FLUSH) h1 = 0;
        if (h2 < STATE_FLUSH && h2 > -STATE_FLUSH) h2 = 0;
      }
    }
    state[c * 4] = s1;
    state[c * 4 + 1] = s2;
    state[c * 4 + 2] = h1;
    state[c * 4 + 3] = h2;
  }
  return bad;
}
