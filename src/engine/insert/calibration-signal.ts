/**
 * The measurement signal of the insert calibration: an exponential (logarithmic) sine sweep.
 *
 * Why a log sweep, and not an impulse, an MLS or a multitone (A. Farina, "Simultaneous measurement
 * of impulse response and distortion with a swept-sine technique", AES 108th Convention, 2000,
 * preprint 5093; S. Müller, P. Massarani, "Transfer-function measurement with sweeps", JAES 49(6), 2001):
 *  - An impulse carries almost no energy (one sample at a safe level): through an analog loop with a
 *    -100 dBFS noise floor its peak stands barely 80 dB above noise, and a single spike is exactly what
 *    line amplifiers and converter filters smear.
 *  - An MLS has the energy, but it needs a sample clock locked to the measurement period and a linear,
 *    time-invariant path: the saturation of analog stages turns into pseudo-random spikes spread over
 *    the whole response, which can outgrow the true peak at high levels (false latency).
 *  - A multitone gives gain and phase per tone, but latency only from the phase slope, ambiguous modulo
 *    the tone spacing, and polarity is entangled with it.
 *  - A log sweep has the energy of a sine at every frequency (crest factor 3 dB), and the deconvolved
 *    response separates harmonic distortion in time: every harmonic's response lands *before* the
 *    linear one, so the saturation of the analog units cannot move the peak. The peak of the linear
 *    response gives the latency to the sample, its sign the polarity, and the spectrum the gain.
 *    Its cost, a 0.5 s signal, is nothing next to patching a unit.
 *
 * The signal is deterministic (no dither, no random phase): the same loop gives the same capture,
 * so ten runs give ten identical results.
 */
export interface SweepOptions {
  readonly sampleRate: number;
  readonly durationMs: number;
  /** Peak level, dBFS. */
  readonly levelDbfs: number;
  readonly startHz?: number;
  /** Default 0.45 x sample rate (below the converters' anti-alias filters). */
  readonly endHz?: number;
}

export interface Sweep {
  readonly samples: Float32Array;
  readonly startHz: number;
  readonly endHz: number;
  readonly sampleRate: number;
}

const FADE_IN_MS = 10;
const FADE_OUT_MS = 5;

export function logSweep(options: SweepOptions): Sweep {
  const fs = options.sampleRate;
  const f1 = options.startHz ?? 20;
  const f2 = options.endHz ?? 0.45 * fs;
  if (!(f1 > 0 && f2 > f1 && f2 < fs / 2)) throw new RangeError(`log sweep: ${f1}..${f2} Hz at ${fs} Hz`);
  const n = Math.round((options.durationMs * fs) / 1000);
  if (n < 16) throw new RangeError(`log sweep: ${options.durationMs} ms is too short`);
  const amp = Math.pow(10, options.levelDbfs / 20);
  const T = n / fs;
  const rate = Math.log(f2 / f1);
  const k = (2 * Math.PI * f1 * T) / rate;
  const fadeIn = Math.max(1, Math.round((FADE_IN_MS * fs) / 1000));
  const fadeOut = Math.max(1, Math.round((FADE_OUT_MS * fs) / 1000));
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / fs;
    let g = amp;
    if (i < fadeIn) g *= 0.5 - 0.5 * Math.cos((Math.PI * i) / fadeIn);
    const fromEnd = n - 1 - i;
    if (fromEnd < fadeOut) g *= 0.5 - 0.5 * Math.cos((Math.PI * fromEnd) / fadeOut);
    out[i] = g * Math.sin(k * (Math.exp((t * rate) / T) - 1));
  }
  return { samples: out, startHz: f1, endHz: f2, sampleRate: fs };
}
