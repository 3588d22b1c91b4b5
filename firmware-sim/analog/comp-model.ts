import { AnalogStage, setAnalogStages } from './analog-stage.ts';
import { dbToGain, type AnalogModel } from './analog-model.ts';
import { Biquad } from './biquad.ts';

/** Release positions of the HB-BC2 switch; the last one is program dependent ("auto"). */
const RELEASE_MS = [100, 300, 600, 1200];
const AUTO_FAST_MS = 100;
const AUTO_SLOW_MS = 1500;
const KNEE_DB = 6;
const FLOOR_DB = -120;

/**
 * HB-BC2 audio: a feed-forward VCA bus compressor. Gain computer with a soft knee and a smooth
 * branching peak detector in the log domain (Giannoulis, Massberg, Reiss, "Digital Dynamic Range
 * Compressor Design - A Tutorial and Analysis", JAES 2012, eq. 4 and 17); sidechain high-pass,
 * stereo link (one detector on the louder channel). Reports gain reduction: max since last read.
 */
export class CompModel implements AnalogModel {
  #fs = 48000;
  #maxBlock = 0;
  readonly #scHpf = new Biquad(2);
  readonly #stages = [new AnalogStage({ seed: 5 }), new AnalogStage({ seed: 7 })];
  #sc: Float64Array[] = [new Float64Array(0), new Float64Array(0)];
  /** Detector state per channel (fast; slow for auto release), in dB of gain reduction. */
  readonly #yFast = new Float64Array(2);
  readonly #ySlow = new Float64Array(2);
  #in = true;
  #thresholdDb = -10;
  #ratio = 2;
  #makeup = 1;
  #link = true;
  #auto = true;
  #alphaA = 0;
  #alphaR = 0;
  #alphaAutoFast = 0;
  #alphaAutoSlow = 0;
  #attackMs = 10;
  #releaseMs = 600;
  /** [now, max since read] in dB. A typed array: a number field written per sample can box. */
  readonly #gr = new Float64Array(2);
  #values: Readonly<Record<string, number>> = {};

  prepare(sampleRate: number, maxBlock: number): void {
    this.#fs = sampleRate;
    this.#maxBlock = maxBlock;
    this.#sc = [new Float64Array(maxBlock), new Float64Array(maxBlock)];
    this.setParams(this.#values);
    this.reset();
  }

  reset(): void {
    this.#scHpf.reset();
    this.#yFast.fill(0);
    this.#ySlow.fill(0);
    this.#gr.fill(0);
  }

  setAnalog(options: { noise: boolean; saturation: boolean }): void {
    setAnalogStages(this.#stages, options);
  }

  setParams(values: Readonly<Record<string, number>>): void {
    this.#values = values;
    this.#in = (values.in ?? 1) === 1;
    this.#thresholdDb = values.thresholdDb ?? -10;
    this.#ratio = values.ratio ?? 2;
    this.#attackMs = values.attackMs ?? 10;
    const release = values.release ?? 4;
    this.#auto = release >= RELEASE_MS.length;
    this.#releaseMs = RELEASE_MS[Math.round(release)] ?? AUTO_SLOW_MS;
    this.#makeup = dbToGain(values.makeupDb ?? 0);
    this.#link = (values.link ?? 1) === 1;
    this.#scHpf.highpass(this.#fs, values.sidechainHpfHz ?? 0);
    const coef = (ms: number): number => Math.exp(-1 / ((ms / 1000) * this.#fs));
    this.#alphaA = coef(this.#attackMs);
    this.#alphaR = coef(this.#releaseMs);
    this.#alphaAutoFast = coef(AUTO_FAST_MS);
    this.#alphaAutoSlow = coef(AUTO_SLOW_MS);
  }

  /** Static curve: gain reduction in dB (>= 0) for a detector level in dB (eq. 4, soft knee). */
  staticGainReductionDb(levelDb: number): number {
    const t = this.#thresholdDb;
    const over = levelDb - t;
    const slope = 1 - 1 / this.#ratio;
    if (2 * over < -KNEE_DB) return 0;
    if (2 * Math.abs(over) <= KNEE_DB) return (slope * (over + KNEE_DB / 2) ** 2) / (2 * KNEE_DB);
    return slope * over;
  }

  /** Largest gain reduction (dB, >= 0) since the last call; re-arms. */
  readGainReductionDb(): number {
    const v = this.#gr[1] as number;
    this.#gr[1] = this.#gr[0] as number;
    return v;
  }

  process(channels: readonly Float32Array[], frames: number): void {
    if (this.#maxBlock === 0 || !this.#in) return; // hard-wire bypass
    for (let off = 0; off < frames; off += this.#maxBlock) this.#chunk(channels, off, Math.min(this.#maxBlock, frames - off));
  }

  #chunk(channels: readonly Float32Array[], off: number, n: number): void {
    const l = channels[0] as Float32Array;
    const r = channels[1] as Float32Array;
    const sl = this.#sc[0] as Float64Array;
    const sr = this.#sc[1] as Float64Array;
    for (let i = 0; i < n; i++) {
      sl[i] = l[off + i] as number;
      sr[i] = r[off + i] as number;
    }
    this.#scHpf.process(sl, 0, n);
    this.#scHpf.process(sr, 1, n);
    for (let i = 0; i < n; i++) {
      const al = Math.abs(sl[i] as number);
      const ar = Math.abs(sr[i] as number);
      let grL: number;
      let grR: number;
      if (this.#link) {
        grL = grR = this.#detect(0, al > ar ? al : ar);
        this.#yFast[1] = this.#yFast[0] as number;
        this.#ySlow[1] = this.#ySlow[0] as number;
      } else {
        grL = this.#detect(0, al);
        grR = this.#detect(1, ar);
      }
      const gr = grL > grR ? grL : grR;
      this.#gr[0] = gr;
      if (gr > (this.#gr[1] as number)) this.#gr[1] = gr;
      l[off + i] = (l[off + i] as number) * Math.pow(10, -grL / 20) * this.#makeup;
      r[off + i] = (r[off + i] as number) * Math.pow(10, -grR / 20) * this.#makeup;
    }
    (this.#stages[0] as AnalogStage).process(l, n, off);
    (this.#stages[1] as AnalogStage).process(r, n, off);
  }

  /** One sample of the log-domain smooth branching detector; returns the gain reduction in dB. */
  #detect(ch: number, abs: number): number {
    const levelDb = abs > 1e-6 ? 20 * Math.log10(abs) : FLOOR_DB;
    const target = this.staticGainReductionDb(levelDb);
    const prev = this.#yFast[ch] as number;
    if (!this.#auto) {
      const a = target > prev ? this.#alphaA : this.#alphaR;
      const y = a * prev + (1 - a) * target;
      this.#yFast[ch] = y;
      return y;
    }
    // Auto release: a fast and a slow detector; transients recover fast, sustained compression slowly.
    const aF = target > prev ? this.#alphaA : this.#alphaAutoFast;
    const yF = aF * prev + (1 - aF) * target;
    const prevS = this.#ySlow[ch] as number;
    const aS = target > prevS ? this.#alphaA : this.#alphaAutoSlow;
    const yS = aS * prevS + (1 - aS) * Math.min(target, yF);
    this.#yFast[ch] = yF;
    this.#ySlow[ch] = yS;
    return yF > yS ? yF : yS;
  }
}
