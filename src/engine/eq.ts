import { defineParam, type ParamSpec } from '../params/param-spec.ts';
import { FILTER_TYPES, HIGH_PASS, HIGH_SHELF, LOW_PASS, LOW_SHELF, BELL } from './dsp/filter-design.ts';
import { BAND_MODES, EqBand, MODE_STEREO } from './eq-band.ts';
import { MAX_SECTIONS } from './dsp/filter-types.ts';
import { WasmBiquadCascade } from './dsp/wasm-biquad-cascade.ts';
import type { KernelBackend, KernelChoice } from './dsp/wasm-kernel.ts';
import type { Processor, ProcessorOptions } from './processor.ts';

export interface EqOptions extends ProcessorOptions {
  /** Number of bands (8 by default, up to 16). */
  readonly bands: number;
}

/** Parameters of one band, in index order within the band. */
const BAND_PARAMS = ['enabled', 'type', 'freqHz', 'gainDb', 'q', 'slopeDbOct', 'mode'] as const;
const P_ENABLED = 0;
const P_TYPE = 1;
const P_FREQ = 2;
const P_GAIN = 3;
const P_Q = 4;
const P_SLOPE = 5;
const P_MODE = 6;
const SLOPES_DB_OCT = [6, 12, 18, 24, 30, 36, 42, 48];

/** A mastering layout: HP (off), low shelf, four bells, high shelf, LP (off); extra bands are bells. */
const DEFAULT_LAYOUT: readonly { type: number; freqHz: number; enabled: number }[] = [
  { type: HIGH_PASS, freqHz: 30, enabled: 0 },
  { type: LOW_SHELF, freqHz: 80, enabled: 1 },
  { type: BELL, freqHz: 200, enabled: 1 },
  { type: BELL, freqHz: 500, enabled: 1 },
  { type: BELL, freqHz: 1500, enabled: 1 },
  { type: BELL, freqHz: 4000, enabled: 1 },
  { type: HIGH_SHELF, freqHz: 10000, enabled: 1 },
  { type: LOW_PASS, freqHz: 20000, enabled: 0 },
];

/**
 * The mastering EQ: N bands in series, each bell / shelf / pass / tilt with a stereo mode
 * (stereo, mid, side, left, right). Designs are matched to the analog prototypes (see
 * dsp/filter-design.ts). Processing runs in Float64 work buffers; channels are converted to M/S
 * and back only around bands that need it. Bands at 0 dB (or off) are skipped entirely, so an EQ
 * at neutral settings passes its input bit-exactly.
 */
export class Eq implements Processor {
  readonly kind = 'eq';
  readonly id: string;
  readonly params: readonly ParamSpec[];
  readonly latencySamples = 0;
  readonly gainReductionDb = 0;
  #stateResets = 0;
  readonly #bands: EqBand[];
  #work: Float64Array[] = [];
  #channels = 0;
  #cascade: WasmBiquadCascade | null = null;
  /**
   * 'native' (default; 'wasm' where the addon is not built) or 'wasm': stereo blocks where every
   * active band is a fixed stereo cascade run through that kernel (bit-identical to the JS
   * kernels); 'js': always the JS reference. Native or wasm is chosen at prepare().
   */
  kernel: KernelChoice = 'native';

  constructor(options: EqOptions) {
    this.id = options.id;
    const n = options.bands;
    this.#bands = Array.from({ length: n }, () => new EqBand(options.smoothingMs));
    const specs: ParamSpec[] = [];
    for (let b = 0; b < n; b++) {
      const layout = DEFAULT_LAYOUT[b] ?? { type: BELL, freqHz: 50 * 2 ** (b - 8), enabled: 1 };
      const group = `${this.id}.band${b + 1}`;
      const label = `EQ band ${b + 1}`;
      specs.push(
        defineParam({ id: `${group}.enabled`, label: `${label} on`, kind: 'toggle', unit: '', min: 0, max: 1, default: layout.enabled, group }),
        defineParam({ id: `${group}.type`, label: `${label} type`, kind: 'choice', unit: '', min: 0, max: FILTER_TYPES.length - 1, default: layout.type, choices: [...FILTER_TYPES], group }),
        defineParam({ id: `${group}.freqHz`, label: `${label} frequency`, kind: 'continuous', unit: 'Hz', min: 10, max: 22000, default: layout.freqHz, taper: 'log', group }),
        defineParam({ id: `${group}.gainDb`, label: `${label} gain`, kind: 'continuous', unit: 'dB', min: -24, max: 24, default: 0, group }),
        defineParam({ id: `${group}.q`, label: `${label} Q (shelves 0.3-2)`, kind: 'continuous', unit: '', min: 0.1, max: 18, default: Math.SQRT1_2, taper: 'log', group }),
        defineParam({ id: `${group}.slopeDbOct`, label: `${label} slope (passes)`, kind: 'stepped', unit: 'dB/oct', min: 6, max: 48, default: 12, steps: SLOPES_DB_OCT, group }),
        defineParam({ id: `${group}.mode`, label: `${label} stereo mode`, kind: 'choice', unit: '', min: 0, max: BAND_MODES.length - 1, default: MODE_STEREO, choices: [...BAND_MODES], group }),
      );
      const band = this.#bands[b] as EqBand;
      // Defaults go into the band before prepare() snaps them into place.
      band.setEnabled(layout.enabled);
      band.setType(layout.type);
      band.setFreq(layout.freqHz);
    }
    this.params = specs;
  }

  /** What runs the kernel work now: 'js', or the kernel prepared for 'native' / 'wasm' (null before prepare()). */
  get backend(): KernelBackend | 'js' | null {
    return this.kernel === 'js' ? 'js' : (this.#cascade?.backend ?? null);
  }

  get stateResets(): number {
    return this.#stateResets;
  }

  /** Band `b` (0-based), for tests and displays. */
  band(b: number): EqBand {
    return this.#bands[b] as EqBand;
  }

  prepare(sampleRate: number, maxBlock: number, channels: number): void {
    this.#channels = channels;
    this.#work = Array.from({ length: channels }, () => new Float64Array(maxBlock));
    for (const b of this.#bands) b.prepare(sampleRate, channels, maxBlock);
    this.#cascade = channels === 2 ? new WasmBiquadCascade(this.#bands.length * MAX_SECTIONS, maxBlock, this.kernel) : null;
  }

  reset(): void {
    for (const b of this.#bands) b.reset();
  }

  setParam(index: number, value: number): void {
    const band = this.#bands[Math.floor(index / BAND_PARAMS.length)];
    if (!band) return;
    switch (index % BAND_PARAMS.length) {
      case P_ENABLED:
        band.setEnabled(value);
        break;
      case P_TYPE:
        band.setType(value);
        break;
      case P_FREQ:
        band.setFreq(value);
        break;
      case P_GAIN:
        band.setGain(value);
        break;
      case P_Q:
        band.setQ(value);
        break;
      case P_SLOPE:
        band.setSlope(value);
        break;
      case P_MODE:
        band.setMode(value);
        break;
    }
  }

  process(channels: Float32Array[], frames: number): void {
    const bands = this.#bands;
    const nb = bands.length;
    let any = false;
    for (let b = 0; b < nb; b++) {
      if (!(bands[b] as EqBand).idle) {
        any = true;
        break;
      }
    }
    if (!any) return;
    const nch = this.#channels;
    const work = this.#work;
    if (this.#cascade !== null && this.kernel !== 'js' && this.#allStatic()) {
      this.#processWasm(this.#cascade, channels, frames);
      return;
    }
    for (let c = 0; c < nch; c++) {
      const src = channels[c] as Float32Array;
      const dst = work[c] as Float64Array;
      for (let i = 0; i < frames; i++) dst[i] = src[i] as number;
    }
    for (let b = 0; b < nb; b++) (bands[b] as EqBand).process(work, nch, frames);
    for (let c = 0; c < nch; c++) {
      const src = work[c] as Float64Array;
      const dst = channels[c] as Float32Array;
      for (let i = 0; i < frames; i++) dst[i] = src[i] as number;
    }
    for (let b = 0; b < nb; b++) if ((bands[b] as EqBand).checkState()) this.#stateResets++;
  }

  #allStatic(): boolean {
    const bands = this.#bands;
    for (let b = 0; b < bands.length; b++) {
      const band = bands[b] as EqBand;
      if (!band.idle && !band.staticStereo) return false;
    }
    return true;
  }

  /** Every active band a fixed stereo cascade: all their sections in one WASM pass over the block. */
  #processWasm(k: WasmBiquadCascade, channels: Float32Array[], frames: number): void {
    const bands = this.#bands;
    const nb = bands.length;
    const left = channels[0] as Float32Array;
    const right = channels[1] as Float32Array;
    k.load(left, right, frames);
    for (let b = 0; b < nb; b++) {
      const band = bands[b] as EqBand;
      if (band.idle) {
        band.process(this.#work, 2, frames); // marks its state stale, touches no sample
        continue;
      }
      band.beginStatic();
      k.addSections(band.coefficients, band.liveState, band.sections);
    }
    k.run(frames);
    for (let b = 0; b < nb; b++) {
      const band = bands[b] as EqBand;
      if (!band.idle) k.storeSections(band.liveState, band.sections);
    }
    k.unload(left, right, frames);
    for (let b = 0; b < nb; b++) if ((bands[b] as EqBand).checkState()) this.#stateResets++;
  }
}
