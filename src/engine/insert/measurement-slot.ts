/**
 * The hand-over between the calibration (control side) and the hardware insert (audio side):
 * a measurement signal to play on the insert send and a buffer that captures the insert return,
 * sample-aligned with it. Backed by SharedArrayBuffers and driven by an Atomics state word, so
 * the audio side may live in another thread (the engine's audio worker) than the calibration.
 *
 *   IDLE ──arm()──► ARMED ──audio: first block──► RUNNING ──audio: capture full──► DONE
 *                     └──────────────cancel()─────────────┴──► CANCELLED
 *
 * The audio side only copies samples and flips the state word; everything is allocated here.
 */
export const SLOT_IDLE = 0;
export const SLOT_ARMED = 1;
export const SLOT_RUNNING = 2;
export const SLOT_DONE = 3;
export const SLOT_CANCELLED = 4;

const STATE = 0;
const POSITION = 1;
/** Xruns the backend reported while the slot was running (the control side adds them). */
const XRUNS = 2;

export interface MeasurementSlotBuffers {
  readonly control: SharedArrayBuffer;
  readonly signal: SharedArrayBuffer;
  readonly capture: readonly SharedArrayBuffer[];
}

export class MeasurementSlot {
  readonly control: Int32Array;
  /** Mono: played on every send channel. */
  readonly signal: Float32Array;
  /** One per return channel. */
  readonly capture: readonly Float32Array[];
  readonly buffers: MeasurementSlotBuffers;

  constructor(buffers: MeasurementSlotBuffers) {
    this.buffers = buffers;
    this.control = new Int32Array(buffers.control);
    this.signal = new Float32Array(buffers.signal);
    this.capture = buffers.capture.map((b) => new Float32Array(b));
  }

  /** A slot that plays `signal` and captures `captureFrames` frames of `returnChannels` channels. */
  static create(signal: Float32Array, captureFrames: number, returnChannels: number): MeasurementSlot {
    if (!Number.isInteger(captureFrames) || captureFrames < signal.length) {
      throw new RangeError(`measurement slot: capture of ${captureFrames} frames is shorter than the signal (${signal.length})`);
    }
    const sig = new SharedArrayBuffer(signal.length * 4);
    new Float32Array(sig).set(signal);
    const capture: SharedArrayBuffer[] = [];
    for (let c = 0; c < returnChannels; c++) capture.push(new SharedArrayBuffer(captureFrames * 4));
    return new MeasurementSlot({ control: new SharedArrayBuffer(16), signal: sig, capture });
  }

  get captureFrames(): number {
    return (this.capture[0] as Float32Array).length;
  }

  get state(): number {
    return Atomics.load(this.control, STATE);
  }

  get position(): number {
    return Atomics.load(this.control, POSITION);
  }

  get xruns(): number {
    return Atomics.load(this.control, XRUNS);
  }

  arm(): void {
    Atomics.store(this.control, POSITION, 0);
    Atomics.store(this.control, XRUNS, 0);
    Atomics.store(this.control, STATE, SLOT_ARMED);
  }

  cancel(): void {
    const s = Atomics.load(this.control, STATE);
    if (s === SLOT_ARMED || s === SLOT_RUNNING) Atomics.compareExchange(this.control, STATE, s, SLOT_CANCELLED);
  }

  /** The control side counts an xrun reported by the backend while the slot runs. */
  addXrun(n: number): void {
    const s = Atomics.load(this.control, STATE);
    if (s === SLOT_RUNNING || s === SLOT_ARMED) Atomics.add(this.control, XRUNS, n);
  }

  /**
   * Audio side, once per block: play the signal into `send` (every channel), capture `ret`.
   * Returns true while the slot owns the insert (the block is a measurement block: the caller
   * sends nothing else and passes silence downstream).
   */
  processBlock(send: readonly Float32Array[], ret: readonly Float32Array[], frames: number): boolean {
    const ctl = this.control;
    let state = Atomics.load(ctl, STATE);
    if (state === SLOT_ARMED) {
      Atomics.store(ctl, POSITION, 0);
      Atomics.compareExchange(ctl, STATE, SLOT_ARMED, SLOT_RUNNING);
      state = Atomics.load(ctl, STATE);
    }
    if (state !== SLOT_RUNNING) return false;
    const pos = Atomics.load(ctl, POSITION);
    const sig = this.signal;
    const sigLen = sig.length;
    for (let c = 0; c < send.length; c++) {
      const out = send[c] as Float32Array;
      for (let i = 0; i < frames; i++) {
        const k = pos + i;
        out[i] = k < sigLen ? (sig[k] as number) : 0;
      }
    }
    const cap = this.capture;
    const capLen = (cap[0] as Float32Array).length;
    const n = ret.length < cap.length ? ret.length : cap.length;
    for (let c = 0; c < n; c++) {
      const dst = cap[c] as Float32Array;
      const src = ret[c] as Float32Array;
      for (let i = 0; i < frames; i++) {
        const k = pos + i;
        if (k < capLen) dst[k] = src[i] as number;
      }
    }
    const next = pos + frames;
    Atomics.store(ctl, POSITION, next);
    if (next >= capLen) Atomics.compareExchange(ctl, STATE, SLOT_RUNNING, SLOT_DONE);
    return true;
  }
}
