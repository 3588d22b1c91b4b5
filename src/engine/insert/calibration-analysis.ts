import FFT from 'fft.js';
import { BridgeError } from '../../errors.ts';
import type { Sweep } from './calibration-signal.ts';

/** What the analysis of one return channel found. */
export interface ChannelAnalysis {
  readonly latencySamples: number;
  readonly gainDb: number;
  readonly polarity: 1 | -1;
  /** Peak of the response over the RMS of its noise region, dB. */
  readonly peakToNoiseDb: number;
  /** Largest response more than 5 ms away from the peak, relative to the peak (0..1). */
  readonly ambiguity: number;
  /** 0..1: 1 when the peak stands 60 dB or more above the noise and nothing else competes with it. */
  readonly confidence: number;
  /** Level of the return relative to the sweep over the capture, dB. */
  readonly returnLevelDb: number;
}

export interface AnalysisOptions {
  /** Longest round trip searched for. */
  readonly maxLatencySamples: number;
  /** Gain is the mean power gain over this band (default 200 Hz .. 4 kHz). */
  readonly gainBandHz?: readonly [number, number];
}

/** Below this the return is "nothing": an unpatched cable, a muted return. */
export const NO_SIGNAL_RELATIVE_DB = -60;
/** A response peak less than this above the noise is indistinguishable from noise. */
export const NOISY_PEAK_TO_NOISE_DB = 24;
const CONFIDENT_PEAK_TO_NOISE_DB = 60;
const AMBIGUITY_GUARD_MS = 5;
/** The loop's own response may ring this long after its peak (analog EQ, converter filters). */
const RESPONSE_TAIL_MS = 50;
/** Past the longest response, this much of the capture holds only noise: the noise estimate. */
const NOISE_WINDOW_MS = 100;

/**
 * Frames to capture, from the first sample of the sweep: the sweep, the longest round trip, the
 * loop's own tail, and a window where the deconvolved response holds only noise.
 */
export function captureFramesFor(sweepFrames: number, maxLatencySamples: number, sampleRate: number): number {
  return sweepFrames + maxLatencySamples + Math.round(((RESPONSE_TAIL_MS + NOISE_WINDOW_MS) * sampleRate) / 1000);
}

/**
 * Deconvolve the captured return by the sweep: H = Y / X inside the sweep's band (a raised-cosine
 * band window, log-frequency edges, zero outside, so the division is never ill-conditioned), then
 * h = IFFT(H). For a loop that is a delay L, a gain g and a polarity p, h is p·g times a zero-phase
 * band-limited pulse centred exactly on L: its largest magnitude is at L for any integer L, which
 * is why the latency is exact to the sample. Harmonic distortion of the analog stages lands at
 * negative times (before the linear response, wrapped to the end of the FFT buffer), outside the
 * search range [0, maxLatency].
 *
 * `capture` starts at the first sample of the sweep and holds `captureFramesFor()` frames. Throws E_CALIBRATION_NO_SIGNAL when the return is 60 dB
 * or more below the sweep, E_CALIBRATION_NOISY when no peak stands 24 dB above the noise.
 */
export function analyseReturn(sweep: Sweep, capture: Float32Array, options: AnalysisOptions): ChannelAnalysis {
  const x = sweep.samples;
  const fs = sweep.sampleRate;
  const maxLatency = options.maxLatencySamples;
  const needed = captureFramesFor(x.length, maxLatency, fs);
  if (capture.length < needed) {
    throw new RangeError(`calibration analysis: capture of ${capture.length} samples is shorter than ${needed} (sweep, max latency, tail, noise window)`);
  }
  const xPower = meanSquare(x, 0, x.length);
  // The return's energy over the window where the sweep can come back.
  const yPower = meanSquare(capture, 0, capture.length) * (capture.length / x.length);
  const returnLevelDb = 10 * Math.log10(Math.max(yPower, 1e-30) / xPower);
  if (!(returnLevelDb > NO_SIGNAL_RELATIVE_DB)) {
    throw new BridgeError('E_CALIBRATION_NO_SIGNAL', `nothing came back from the insert: the return is ${fmtDb(-returnLevelDb)} dB below the measurement signal (is the insert patched?)`, {
      details: { returnLevelDb: round(returnLevelDb, 1) },
    });
  }

  const N = nextPow2(capture.length + x.length);
  const fft = new FFT(N);
  const X = spectrum(fft, x, N);
  const Y = spectrum(fft, capture, N);
  const f1 = sweep.startHz;
  const f2 = sweep.endHz;
  const [gLo, gHi] = options.gainBandHz ?? [200, 4000];
  const H = fft.createComplexArray() as number[];
  let gainSum = 0;
  let gainBins = 0;
  for (let k = 0; k <= N / 2; k++) {
    const f = (k * fs) / N;
    const w = bandWindow(f, f1, f2);
    const xr = X[2 * k] as number;
    const xi = X[2 * k + 1] as number;
    const yr = Y[2 * k] as number;
    const yi = Y[2 * k + 1] as number;
    const d = xr * xr + xi * xi;
    let hr = 0;
    let hi = 0;
    if (d > 0) {
      hr = (yr * xr + yi * xi) / d;
      hi = (yi * xr - yr * xi) / d;
    }
    if (f >= gLo && f <= gHi) {
      gainSum += hr * hr + hi * hi;
      gainBins++;
    }
    H[2 * k] = hr * w;
    H[2 * k + 1] = hi * w;
    if (k > 0 && k < N / 2) {
      H[2 * (N - k)] = hr * w;
      H[2 * (N - k) + 1] = -hi * w;
    }
  }
  const hc = fft.createComplexArray() as number[];
  fft.inverseTransform(hc, H);
  const h = new Float64Array(N);
  for (let n = 0; n < N; n++) h[n] = hc[2 * n] as number;

  let peak = 0;
  let peakAt = 0;
  for (let n = 0; n <= maxLatency && n < N; n++) {
    const a = Math.abs(h[n] as number);
    if (a > peak) {
      peak = a;
      peakAt = n;
    }
  }
  const guard = Math.round((AMBIGUITY_GUARD_MS * fs) / 1000);
  let second = 0;
  for (let n = 0; n <= maxLatency && n < N; n++) {
    if (Math.abs(n - peakAt) <= guard) continue;
    const a = Math.abs(h[n] as number);
    if (a > second) second = a;
  }
  // Noise region: after the longest possible response, and only as far as the deconvolution
  // still sees a full sweep length of capture (beyond, the zero padding would fake a low noise).
  const noiseFrom = maxLatency + Math.round((RESPONSE_TAIL_MS * fs) / 1000);
  const noiseTo = capture.length - x.length;
  const noisePower = meanSquare(h, noiseFrom, noiseTo);
  const peakToNoiseDb = Math.min(200, 10 * Math.log10((peak * peak) / Math.max(noisePower, 1e-300)));
  const ambiguity = peak > 0 ? second / peak : 1;
  if (!(peakToNoiseDb >= NOISY_PEAK_TO_NOISE_DB) || ambiguity > 0.9) {
    throw new BridgeError(
      'E_CALIBRATION_NOISY',
      `the insert return is noise: its response peak stands only ${fmtDb(peakToNoiseDb)} dB above the noise (needs ${NOISY_PEAK_TO_NOISE_DB} dB)` +
        (ambiguity > 0.9 ? ', and another peak as large competes with it' : ''),
      { details: { peakToNoiseDb: round(peakToNoiseDb, 1), ambiguity: round(ambiguity, 3), returnLevelDb: round(returnLevelDb, 1) } },
    );
  }
  const gainDb = gainBins > 0 ? 10 * Math.log10(Math.max(gainSum / gainBins, 1e-30)) : 20 * Math.log10(peak);
  const pnrScore = clamp01((peakToNoiseDb - NOISY_PEAK_TO_NOISE_DB) / (CONFIDENT_PEAK_TO_NOISE_DB - NOISY_PEAK_TO_NOISE_DB));
  const ambiguityScore = ambiguity <= 0.5 ? 1 : clamp01((0.9 - ambiguity) / 0.4);
  return {
    latencySamples: peakAt,
    // 1e-4 dB: a stored gain must not limit the null (0.005 dB of error already caps it at -65 dB).
    gainDb: round(gainDb, 4),
    polarity: (h[peakAt] as number) < 0 ? -1 : 1,
    peakToNoiseDb: round(peakToNoiseDb, 1),
    ambiguity: round(ambiguity, 4),
    confidence: round(pnrScore * ambiguityScore, 3),
    returnLevelDb: round(returnLevelDb, 2),
  };
}

/**
 * 1 inside [2 f1, 0.9 f2], raised-cosine edges in log frequency down to f1 and up to f2, 0 outside:
 * the sweep has energy everywhere the window is not 0.
 */
function bandWindow(f: number, f1: number, f2: number): number {
  if (f <= f1 || f >= f2) return 0;
  const lo = 2 * f1;
  const hi = 0.9 * f2;
  if (f < lo) return 0.5 - 0.5 * Math.cos((Math.PI * Math.log(f / f1)) / Math.log(lo / f1));
  if (f > hi) return 0.5 - 0.5 * Math.cos((Math.PI * Math.log(f2 / f)) / Math.log(f2 / hi));
  return 1;
}

function spectrum(fft: FFT, x: ArrayLike<number>, N: number): number[] {
  const input = new Float64Array(N);
  for (let i = 0; i < x.length && i < N; i++) input[i] = x[i] as number;
  const out = fft.createComplexArray() as number[];
  fft.realTransform(out, input);
  fft.completeSpectrum(out);
  return out;
}

function meanSquare(x: ArrayLike<number>, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) {
    const v = x[i] as number;
    s += v * v;
  }
  return to > from ? s / (to - from) : 0;
}

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

function round(v: number, digits: number): number {
  const k = Math.pow(10, digits);
  const r = Math.round(v * k) / k;
  return Object.is(r, -0) ? 0 : r;
}

function fmtDb(v: number): string {
  return Number.isFinite(v) ? v.toFixed(1) : String(v);
}
