import { FastMath } from './dsp/fast-math.ts';
import { Ramp } from './dsp/ramp.ts';

/**
 * What the compressor's per-sample paths read and write: the settings they branch on, the
 * per-sample coefficients, the glides and the per-channel detector state. Plain fields, like
 * Ramp's: the paths (Compressor's linked loops, compressor-segment.ts) copy them into locals once
 * per block. Owned by one Compressor, which alone writes the settings (setParam/prepare).
 */
export class CompressorState {
  /** Largest gain reduction applied in the current block, dB (the meter's reading). */
  gainReductionDb = 0;
  channels = 0;
  readonly threshold = new Ramp(-18);
  readonly slope = new Ramp(0);
  readonly knee = new Ramp(6);
  readonly makeup = new Ramp(1);
  readonly mix = new Ramp(1);
  autoRelease = 0;
  detector = 0;
  scHpOn = 0;
  link = 1;
  midSide = 0;

  // Per-sample coefficients.
  alphaAttack = 0;
  alphaRelease = 0;
  alphaFastRelease = 0;
  alphaSlowAttack = 0;
  alphaSlowRelease = 0;
  alphaRms = 0;
  /** Sidechain high-pass b0 b1 b2 a1 a2. */
  readonly hp = new Float64Array(5);
  // Per-channel state (prepare() sizes it).
  env = new Float64Array(0);
  envSlow = new Float64Array(0);
  meanSq = new Float64Array(0);
  hpState = new Float64Array(0);
  det = new Float64Array(0);
  gr = new Float64Array(0);
  /** log2/exp2 with the WASM kernel's exact arithmetic (dsp/fast-math.ts). */
  readonly math = new FastMath();
}
