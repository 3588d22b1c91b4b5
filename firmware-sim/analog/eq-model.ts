import { AnalogStage, setAnalogStages } from './analog-stage.ts';
import { dbToGain, type AnalogModel } from './analog-model.ts';
import { Biquad } from './biquad.ts';

const SECTIONS = 5; // hpf, band1..band4
/** Bell Q of the shelf-capable outer bands when switched to bell. */
const OUTER_BELL_Q = 0.7;

/**
 * HB-SEQ4 audio: per channel a 12 dB/oct high-pass, band 1 low shelf/bell, bands 2-3 bells with a
 * 3-way Q, band 4 high shelf/bell, stepped output trim; the two channels are L/R or M/S.
 * Works in float64 so that a flat setting (and the M/S matrix) nulls exactly against the input.
 */
export class EqModel implements AnalogModel {
  #fs = 48000;
  #maxBlock = 0;
  readonly #filters: Biquad[][] = [0, 1].map(() => Array.from({ length: SECTIONS }, () => new Biquad(1)));
  readonly #stages = [new AnalogStage({ seed: 11 }), new AnalogStage({ seed: 23 })];
  readonly #outGain = new Float64Array(2);
  readonly #channelIn = new Uint8Array(2);
  #work: Float64Array[] = [new Float64Array(0), new Float64Array(0)];
  #ms = false;
  #values: Readonly<Record<string, number>> = {};

  prepare(sampleRate: number, maxBlock: number): void {
    this.#fs = sampleRate;
    this.#maxBlock = maxBlock;
    this.#work = [new Float64Array(maxBlock), new Float64Array(maxBlock)];
    this.setParams(this.#values);
    this.reset();
  }

  reset(): void {
    for (const ch of this.#filters) for (const f of ch) f.reset();
  }

  setAnalog(options: { noise: boolean; saturation: boolean }): void {
    setAnalogStages(this.#stages, options);
  }

  setParams(values: Readonly<Record<string, number>>): void {
    this.#values = values;
    const v = (k: string, d: number): number => values[k] ?? d;
    const fs = this.#fs;
    this.#ms = v('mode', 0) === 1;
    for (let c = 0; c < 2; c++) {
      const p = `ch${c + 1}.`;
      const f = this.#filters[c] as Biquad[];
      this.#channelIn[c] = v(`${p}in`, 1) === 1 ? 1 : 0;
      (f[0] as Biquad).highpass(fs, v(`${p}hpf.freqHz`, 0));
      const b1 = f[1] as Biquad;
      if (v(`${p}band1.shape`, 0) === 0) b1.lowShelf(fs, v(`${p}band1.freqHz`, 56), v(`${p}band1.gainDb`, 0));
      else b1.peaking(fs, v(`${p}band1.freqHz`, 56), OUTER_BELL_Q, v(`${p}band1.gainDb`, 0));
      (f[2] as Biquad).peaking(fs, v(`${p}band2.freqHz`, 470), v(`${p}band2.q`, 1), v(`${p}band2.gainDb`, 0));
      (f[3] as Biquad).peaking(fs, v(`${p}band3.freqHz`, 3300), v(`${p}band3.q`, 1), v(`${p}band3.gainDb`, 0));
      const b4 = f[4] as Biquad;
      if (v(`${p}band4.shape`, 0) === 0) b4.highShelf(fs, v(`${p}band4.freqHz`, 10000), v(`${p}band4.gainDb`, 0));
      else b4.peaking(fs, v(`${p}band4.freqHz`, 10000), OUTER_BELL_Q, v(`${p}band4.gainDb`, 0));
      this.#outGain[c] = dbToGain(v(`${p}outputDb`, 0));
    }
  }

  /** The channel's filter magnitude at `freqHz` (without trim), for tests and curves. */
  magnitudeDb(channel: 0 | 1, freqHz: number): number {
    let sum = 0;
    for (const f of this.#filters[channel] as Biquad[]) sum += f.magnitudeDb(this.#fs, freqHz);
    return sum;
  }

  process(channels: readonly Float32Array[], frames: number): void {
    const l = channels[0] as Float32Array;
    const r = channels[1] as Float32Array;
    if (this.#maxBlock === 0) return; // not prepared: pass through
    for (let off = 0; off < frames; off += this.#maxBlock) {
      this.#chunk(l, r, off, Math.min(this.#maxBlock, frames - off));
    }
  }

  #chunk(l: Float32Array, r: Float32Array, off: number, n: number): void {
    const a = this.#work[0] as Float64Array;
    const b = this.#work[1] as Float64Array;
    if (this.#ms) {
      for (let i = 0; i < n; i++) {
        const x = l[off + i] as number;
        const y = r[off + i] as number;
        a[i] = (x + y) * 0.5;
        b[i] = (x - y) * 0.5;
      }
    } else {
      for (let i = 0; i < n; i++) {
        a[i] = l[off + i] as number;
        b[i] = r[off + i] as number;
      }
    }
    for (let c = 0; c < 2; c++) {
      if (this.#channelIn[c] === 0) continue;
      const buf = c === 0 ? a : b;
      const f = this.#filters[c] as Biquad[];
      for (let s = 0; s < SECTIONS; s++) (f[s] as Biquad).process(buf, 0, n);
      const g = this.#outGain[c] as number;
      if (g !== 1) for (let i = 0; i < n; i++) buf[i] = (buf[i] as number) * g;
    }
    (this.#stages[0] as AnalogStage).process(a, n);
    (this.#stages[1] as AnalogStage).process(b, n);
    if (this.#ms) {
      for (let i = 0; i < n; i++) {
        const m = a[i] as number;
        const s = b[i] as number;
        l[off + i] = m + s;
        r[off + i] = m - s;
      }
    } else {
      for (let i = 0; i < n; i++) {
        l[off + i] = a[i] as number;
        r[off + i] = b[i] as number;
      }
    }
  }
}
