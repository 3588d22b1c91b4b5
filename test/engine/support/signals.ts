/** Test signals and measurements for the engine tests (plain, allocation is fine here). */

export function sine(frames: number, freqHz: number, sampleRate: number, amplitude = 1, phaseRad = 0): Float32Array {
  const out = new Float32Array(frames);
  for (let i = 0; i < frames; i++) out[i] = amplitude * Math.sin((2 * Math.PI * freqHz * i) / sampleRate + phaseRad);
  return out;
}

export function impulse(frames: number, at = 0): Float32Array {
  const out = new Float32Array(frames);
  out[at] = 1;
  return out;
}

/** Deterministic white noise in [-amplitude, amplitude). */
export function noise(frames: number, amplitude = 1, seed = 12345): Float32Array {
  const out = new Float32Array(frames);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < frames; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = amplitude * (s / 2147483648 - 1);
  }
  return out;
}

/** |DFT| of a (long, decayed) impulse response at angular frequency w (rad/sample), in dB. */
export function responseDb(h: ArrayLike<number>, w: number): number {
  let re = 0;
  let im = 0;
  for (let n = 0; n < h.length; n++) {
    const v = h[n] as number;
    re += v * Math.cos(w * n);
    im -= v * Math.sin(w * n);
  }
  return 10 * Math.log10(re * re + im * im);
}

export function logSpaced(count: number, lo: number, hi: number): number[] {
  return Array.from({ length: count }, (_, i) => lo * Math.pow(hi / lo, i / (count - 1)));
}

export function peakAbs(x: ArrayLike<number>, from = 0, to = x.length): number {
  let p = 0;
  for (let i = from; i < to; i++) {
    const v = Math.abs(x[i] as number);
    if (v > p) p = v;
  }
  return p;
}

export function rms(x: ArrayLike<number>, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += (x[i] as number) ** 2;
  return Math.sqrt(s / (to - from));
}

export function db(v: number): number {
  return 20 * Math.log10(v);
}

/** ITU-R BS.1770-4 Annex 2 four-phase interpolation filter (48 taps, 12 per phase). */
const TP_PHASES = [
  [0.001708984375, 0.010986328125, -0.0196533203125, 0.033203125, -0.0594482421875, 0.1373291015625, 0.97216796875, -0.102294921875, 0.047607421875, -0.026611328125, 0.014892578125, -0.00830078125],
  [-0.0291748046875, 0.029296875, -0.05175781250, 0.0891113281250, -0.166503906250, 0.465087890625, 0.77978515625, -0.2003173828125, 0.1015625, -0.0582275390625, 0.0330810546875, -0.0189208984375],
  [-0.0189208984375, 0.0330810546875, -0.0582275390625, 0.1015625, -0.2003173828125, 0.77978515625, 0.465087890625, -0.166503906250, 0.0891113281250, -0.05175781250, 0.029296875, -0.0291748046875],
  [-0.00830078125, 0.014892578125, -0.026611328125, 0.047607421875, -0.102294921875, 0.97216796875, 0.1373291015625, -0.0594482421875, 0.033203125, -0.0196533203125, 0.010986328125, 0.001708984375],
];

/**
 * True peak (linear) of one channel per BS.1770-4 Annex 2: 4x oversampling with the Annex's
 * interpolation filter, max of |sample| and |interpolated|. An independent reference for the
 * limiter tests (deliberately not sharing code with src/). Interpolated values are taken only
 * where the filter's whole support lies inside the excerpt: cutting a signal off mid-waveform
 * would otherwise add a step (and its Gibbs overshoot) that is not in the signal.
 */
export function truePeak(x: ArrayLike<number>): number {
  let peak = 0;
  const n = x.length;
  for (let i = 0; i < n; i++) {
    const s = Math.abs(x[i] as number);
    if (s > peak) peak = s;
    if (i < 11) continue;
    for (const ph of TP_PHASES) {
      let acc = 0;
      for (let k = 0; k < 12; k++) acc += (ph[k] as number) * (x[i - k] as number);
      const a = Math.abs(acc);
      if (a > peak) peak = a;
    }
  }
  return peak;
}
