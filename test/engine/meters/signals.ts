/**
 * Test-signal generators for the EBU Tech 3341 / 3342 cases (written from the documents' descriptions
 * of their test signals; see tech-3341.test.ts for the case table).
 */

export interface Segment {
  /** Peak level of the sine in dBFS, or null for silence. */
  readonly dbfs: number | null;
  readonly seconds: number;
}

/** A 1 kHz sine (peak level dBFS) sequence, phase-continuous across segments, as one channel. */
export function toneSequence(sampleRate: number, segments: readonly Segment[], freqHz = 1000): Float32Array {
  const total = segments.reduce((n, s) => n + Math.round(s.seconds * sampleRate), 0);
  const out = new Float32Array(total);
  let i = 0;
  for (const s of segments) {
    const n = Math.round(s.seconds * sampleRate);
    if (s.dbfs !== null) {
      const a = 10 ** (s.dbfs / 20);
      for (let k = 0; k < n; k++) out[i + k] = a * Math.sin((2 * Math.PI * freqHz * (i + k)) / sampleRate);
    }
    i += n;
  }
  return out;
}

/** The same signal in phase on `channels` channels. */
export function inPhase(x: Float32Array, channels = 2): Float32Array[] {
  return Array.from({ length: channels }, () => x);
}

/** A sine at `freqHz` with the given amplitude and phase (degrees), with raised-cosine fades of `fadeS`. */
export function sine(sampleRate: number, seconds: number, freqHz: number, amplitude: number, phaseDeg = 0, fadeS = 0): Float32Array {
  const n = Math.round(seconds * sampleRate);
  const out = new Float32Array(n);
  const ph = (phaseDeg * Math.PI) / 180;
  const fade = Math.round(fadeS * sampleRate);
  for (let i = 0; i < n; i++) {
    let g = 1;
    if (i < fade) g = 0.5 - 0.5 * Math.cos((Math.PI * i) / fade);
    else if (i >= n - fade) g = 0.5 - 0.5 * Math.cos((Math.PI * (n - 1 - i)) / fade);
    out[i] = g * amplitude * Math.sin((2 * Math.PI * freqHz * i) / sampleRate + ph);
  }
  return out;
}

/**
 * Tech 3341 cases 20-23: a tone at fs/6 (amplitude 0.5) with one period at fs/4 (amplitude 1.0) in the
 * middle, synthesised phase-continuously at 4 fs, low-passed at 0.45 fs and decimated to fs starting
 * at sample `offset` (0..3) of the 4 fs signal, so the peak falls at a different place between samples.
 */
export function interSamplePeakCase(sampleRate: number, offset: number, seconds = 1): Float32Array {
  const fs4 = 4 * sampleRate;
  const n4 = Math.round(seconds * fs4);
  const mid = Math.floor(n4 / 2);
  const period = Math.round(fs4 / (sampleRate / 4));
  const x4 = new Float64Array(n4);
  let phase = 0;
  const fade = Math.round(0.1 * fs4);
  for (let i = 0; i < n4; i++) {
    const burst = i >= mid && i < mid + period;
    const f = burst ? sampleRate / 4 : sampleRate / 6;
    phase += (2 * Math.PI * f) / fs4;
    let g = 1;
    if (i < fade) g = 0.5 - 0.5 * Math.cos((Math.PI * i) / fade);
    else if (i >= n4 - fade) g = 0.5 - 0.5 * Math.cos((Math.PI * (n4 - 1 - i)) / fade);
    x4[i] = g * (burst ? 1 : 0.5) * Math.sin(phase);
  }
  // Blackman-windowed sinc, 1023 taps, cut-off 0.45 fs (21.6 kHz at 48 kHz).
  const taps = 1023;
  const centre = (taps - 1) / 2;
  const fc = (0.45 * sampleRate) / fs4;
  const h = new Float64Array(taps);
  let sum = 0;
  for (let k = 0; k < taps; k++) {
    const t = k - centre;
    const sinc = t === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * t) / (Math.PI * t);
    const w = 0.42 - 0.5 * Math.cos((2 * Math.PI * k) / (taps - 1)) + 0.08 * Math.cos((4 * Math.PI * k) / (taps - 1));
    h[k] = sinc * w;
    sum += h[k]!;
  }
  for (let k = 0; k < taps; k++) h[k] = h[k]! / sum;
  const n = Math.floor((n4 - offset) / 4);
  const out = new Float32Array(n);
  for (let m = 0; m < n; m++) {
    const at = offset + 4 * m; // output aligned with the input sample `at` (zero-phase filter)
    let y = 0;
    const lo = Math.max(0, at - centre);
    const hi = Math.min(n4 - 1, at + centre);
    for (let i = lo; i <= hi; i++) y += x4[i]! * h[i - at + centre]!;
    out[m] = y;
  }
  return out;
}

/** Deterministic pseudo-random numbers (tests must be reproducible). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Gaussian-ish noise (sum of 4 uniforms), RMS ~ `rms`. */
export function noise(samples: number, rms: number, seed = 1): Float32Array {
  const r = lcg(seed);
  const out = new Float32Array(samples);
  const k = rms * Math.sqrt(3);
  for (let i = 0; i < samples; i++) out[i] = k * (r() + r() + r() + r() - 2);
  return out;
}

/** Feed `channels` to `process` in blocks whose sizes come from `sizes` (cycled). */
export function feed(channels: readonly Float32Array[], sizes: readonly number[], process: (block: Float32Array[], frames: number) => void): void {
  const total = channels[0]?.length ?? 0;
  let i = 0;
  let k = 0;
  while (i < total) {
    const n = Math.min(sizes[k % sizes.length]!, total - i);
    process(
      channels.map((c) => c.subarray(i, i + n)),
      n,
    );
    i += n;
    k++;
  }
}
