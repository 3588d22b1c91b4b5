import { staticSections, toLeftRight, toMidSide } from './dsp/biquad-kernels.ts';
import { COEF_STRIDE, MAX_SECTIONS } from './dsp/filter-types.ts';
import { DENORMAL_FLOOR } from './processor.ts';

// Imported bindings are property reads under tsx/vite: module constants for the hot loops.
const STRIDE = COEF_STRIDE;
const SECTIONS = MAX_SECTIONS;

export const BAND_MODES = ['stereo', 'mid', 'side', 'left', 'right'] as const;
export type BandMode = (typeof BAND_MODES)[number];
export const MODE_STEREO = 0;
export const MODE_MID = 1;
export const MODE_SIDE = 2;
export const MODE_LEFT = 3;
export const MODE_RIGHT = 4;

/** modeChannels() output slots. */
export const SPAN_LO = 0;
export const SPAN_HI = 1;
export const SPAN_MS = 2;

/**
 * The channels an EQ band in stereo mode `mode` filters, [lo, hi), and whether channels 0/1 go
 * to mid/side around the filter (1) or not (0), into `out`: stereo filters every channel; mid
 * and side filter channel 0 or 1 of the M/S pair; left/right one channel; on a mono signal mid
 * (and any other mode) filters it, side filters nothing.
 */
export function modeChannels(mode: number, nch: number, out: Int32Array): void {
  let lo = 0;
  let hi = nch;
  let ms = 0;
  if (nch === 1) {
    hi = mode === MODE_SIDE ? 0 : 1;
  } else if (mode !== MODE_STEREO) {
    ms = mode === MODE_MID || mode === MODE_SIDE ? 1 : 0;
    lo = mode === MODE_MID || mode === MODE_LEFT ? 0 : 1;
    hi = lo + 1;
  }
  out[SPAN_LO] = lo;
  out[SPAN_HI] = hi;
  out[SPAN_MS] = ms;
}

/**
 * Cross-fade from `old` to `work` (in place) over [pos, pos + len) of `nch` channels: the fade
 * position starts at mix[0] and moves by mix[1] per sample; mix[0] gets where it ends. Doubles
 * go through `mix` (arguments and returns get boxed when a call is not inlined).
 */
export function crossFade(old: Float64Array[], work: Float64Array[], nch: number, pos: number, len: number, mix: Float64Array): void {
  const end = pos + len;
  const xf0 = mix[0] as number;
  const inc = mix[1] as number;
  let xf = xf0;
  for (let c = 0; c < nch; c++) {
    const y = work[c] as Float64Array;
    const o = old[c] as Float64Array;
    xf = xf0;
    for (let i = pos; i < end; i++) {
      xf += inc;
      const a = o[i] as number;
      y[i] = a + xf * ((y[i] as number) - a);
    }
  }
  mix[0] = xf;
}

/**
 * Sections [0, ns) over channels [ch0, ch1) of `work` with every coefficient moving by `inc` per
 * sample from `cur` (`run` is the running copy; it ends at the span's last coefficients), and the
 * dry/wet mix w from mix[0] by mix[1] per sample: y = x + w (filtered - x). mix[0] gets where w
 * ends. With no channel to filter, time still advances (run and w).
 */
export function glideSections(
  cur: Float64Array,
  inc: Float64Array,
  run: Float64Array,
  st: Float64Array,
  ns: number,
  work: Float64Array[],
  ch0: number,
  ch1: number,
  pos: number,
  len: number,
  mix: Float64Array,
): void {
  const nc = ns * STRIDE;
  const end = pos + len;
  const w0 = mix[0] as number;
  const wInc = mix[1] as number;
  let wEnd = w0;
  for (let c = ch0; c < ch1; c++) {
    const x = work[c] as Float64Array;
    run.set(cur);
    let w = w0;
    for (let i = pos; i < end; i++) {
      const dry = x[i] as number;
      let v = dry;
      w += wInc;
      for (let s = 0; s < ns; s++) {
        const k = s * STRIDE;
        const b0 = (run[k] = (run[k] as number) + (inc[k] as number));
        const b1 = (run[k + 1] = (run[k + 1] as number) + (inc[k + 1] as number));
        const b2 = (run[k + 2] = (run[k + 2] as number) + (inc[k + 2] as number));
        const a1 = (run[k + 3] = (run[k + 3] as number) + (inc[k + 3] as number));
        const a2 = (run[k + 4] = (run[k + 4] as number) + (inc[k + 4] as number));
        const si = (c * SECTIONS + s) * 2;
        const z1 = st[si] as number;
        const y = b0 * v + z1;
        st[si] = b1 * v - a1 * y + (st[si + 1] as number);
        st[si + 1] = b2 * v - a2 * y;
        v = y;
      }
      x[i] = dry + w * (v - dry);
    }
    wEnd = w;
  }
  if (ch0 >= ch1) {
    // No channel to filter: keep time anyway.
    run.set(cur);
    let w = w0;
    for (let i = pos; i < end; i++) {
      w += wInc;
      for (let k = 0; k < nc; k++) run[k] = (run[k] as number) + (inc[k] as number);
    }
    wEnd = w;
  }
  mix[0] = wEnd;
}

/**
 * A fixed filter (`sections` of `coefs`, state `state`) in stereo mode `mode` over a copy of
 * `work` in `out`, [pos, pos + len) of `nch` channels (the old filter of a cross-faded switch);
 * `span` is modeChannels() scratch.
 */
export function filterCopy(
  coefs: Float64Array,
  state: Float64Array,
  sections: number,
  mode: number,
  work: Float64Array[],
  out: Float64Array[],
  nch: number,
  pos: number,
  len: number,
  span: Int32Array,
): void {
  const end = pos + len;
  for (let c = 0; c < nch; c++) {
    const src = work[c] as Float64Array;
    const dst = out[c] as Float64Array;
    for (let i = pos; i < end; i++) dst[i] = src[i] as number;
  }
  modeChannels(mode, nch, span);
  const ms = span[SPAN_MS] === 1;
  if (ms) toMidSide(out, pos, end);
  staticSections(coefs, state, sections, out, span[SPAN_LO] as number, span[SPAN_HI] as number, pos, len);
  if (ms) toLeftRight(out, pos, end);
}

/** Flush denormals in a filter state; a non-finite state is zeroed. True on such a reset. */
export function flushState(st: Float64Array): boolean {
  let sum = 0;
  for (let i = 0; i < st.length; i++) {
    const v = st[i] as number;
    sum += v;
    if (v < DENORMAL_FLOOR && v > -DENORMAL_FLOOR) st[i] = 0;
  }
  if (sum - sum !== 0) {
    st.fill(0);
    return true;
  }
  return false;
}
