import type { SourceAudio } from './source-player.ts';

/**
 * The simulated studio's programme (`audio.source.type: demo`): 8 bars of a synthetic mix at
 * 120 BPM (16 s, loops seamlessly): kick, snare, hi-hats, a bass line, a stereo pad. Deterministic
 * (xorshift noise from a fixed seed), so meters read the same on every run, and shaped like music
 * where the meters need it: a crest factor of a mix, transients for true peak and the compressor,
 * bass for the mono-maker and the K-weighting, stereo content for correlation and width.
 * Integrated loudness about -17 LUFS, true peak about -2.8 dBTP (ffmpeg ebur128: -17.1 / -2.8).
 */
export function demoProgramme(sampleRate: number, channels: number): SourceAudio {
  const beat = Math.round((sampleRate * 60) / 120);
  const frames = beat * 32;
  const left = new Float32Array(frames);
  const right = new Float32Array(frames);
  let seed = 0x2545f491;
  const noise = (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2147483648 - 1;
  };
  const add = (at: number, l: number, r: number): void => {
    if (at < frames) {
      left[at] = (left[at] as number) + l;
      right[at] = (right[at] as number) + r;
    }
  };
  const tau = 2 * Math.PI;
  for (let b = 0; b < 32; b++) {
    const t0 = b * beat;
    // Kick on every beat: a 50 Hz sine with a pitch drop, 250 ms decay.
    let ph = 0;
    for (let i = 0; i < beat; i++) {
      const t = i / sampleRate;
      ph += (tau * (50 + 90 * Math.exp(-t * 30))) / sampleRate;
      const v = 0.5 * Math.exp(-t * 9) * Math.sin(ph);
      add(t0 + i, v, v);
    }
    // Snare on 2 and 4: filtered noise burst plus a 190 Hz body.
    if (b % 2 === 1) {
      let lp = 0;
      for (let i = 0; i < beat / 2; i++) {
        const t = i / sampleRate;
        lp += 0.5 * (noise() - lp);
        const v = 0.25 * Math.exp(-t * 18) * lp + 0.15 * Math.exp(-t * 25) * Math.sin(tau * 190 * t);
        add(t0 + i, v, v * 0.9);
      }
    }
    // Hi-hats on the eighths, panned right, high-passed noise.
    for (const half of [0, 1]) {
      let prev = 0;
      for (let i = 0; i < beat / 4; i++) {
        const t = i / sampleRate;
        const n = noise();
        const v = 0.08 * Math.exp(-t * 60) * (n - prev);
        prev = n;
        add(t0 + half * (beat / 2) + i, v * 0.5, v);
      }
    }
  }
  // Bass: a root per bar (A, F, C, G), saw through a one-pole low-pass, on the eighths.
  const roots = [55, 43.65, 65.41, 49];
  let lp = 0;
  for (let i = 0; i < frames; i++) {
    const bar = Math.floor(i / (beat * 4)) % 4;
    const f = roots[bar] as number;
    const inEighth = (i % (beat / 2)) / sampleRate;
    const saw = 2 * ((i * f) / sampleRate - Math.floor((i * f) / sampleRate)) - 1;
    lp += 0.04 * (saw - lp);
    const v = 0.35 * lp * Math.min(1, inEighth * 200) * Math.exp(-inEighth * 3);
    add(i, v, v);
  }
  // Pad: the triad of each bar on detuned sines, left and right apart (a wide stereo image).
  const triads = [
    [220, 261.63, 329.63],
    [174.61, 220, 261.63],
    [261.63, 329.63, 392],
    [196, 246.94, 293.66],
  ];
  for (let i = 0; i < frames; i++) {
    const bar = Math.floor(i / (beat * 4)) % 4;
    const inBar = (i % (beat * 4)) / (beat * 4);
    const env = 0.04 * Math.sin(Math.PI * inBar);
    const t = i / sampleRate;
    let l = 0;
    let r = 0;
    for (const f of triads[bar] as number[]) {
      l += Math.sin(tau * f * 0.998 * t);
      r += Math.sin(tau * f * 1.002 * t + 0.7);
    }
    add(i, env * l, env * r);
  }
  // The mix bus: -2.5 dB leaves headroom for the chain to work with.
  const trim = 0.75;
  for (let i = 0; i < frames; i++) {
    left[i] = trim * (left[i] as number);
    right[i] = trim * (right[i] as number);
  }
  const planar = channels === 1 ? [left.map((v, i) => 0.5 * (v + (right[i] as number)))] : [left, right];
  const out: Float32Array[] = [];
  for (let c = 0; c < channels; c++) out.push(planar[c % planar.length] as Float32Array);
  return { name: 'demo programme (synthetic, 120 BPM, 16 s)', sampleRate, channels: out };
}
