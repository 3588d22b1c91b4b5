/**
 * The print's capture: the audio side copies the chain's output into a shared ring, skipping the
 * first `skipFrames` (the chain's latency, so that sample 0 of the print is sample 0 of the source)
 * and stopping after `lengthFrames`; the control side drains the ring into the WAV writer. File I/O
 * never touches the audio path. SharedArrayBuffer-backed, so the audio side may be another thread.
 *
 * A ring that fills up (the disk did not keep up) is an overflow: the print is failed, like an xrun.
 */
const ARMED = 0;
const WRITE = 1;
const READ = 2;
const SKIP = 3;
const REMAINING = 4;
const OVERFLOWS = 5;
const CAPTURED_LO = 6;
const CONTROL_WORDS = 8;

export class PrintRing {
  readonly control: Int32Array;
  readonly ring: readonly Float32Array[];
  readonly capacity: number;

  constructor(channels: number, capacityFrames: number, shared?: { control: SharedArrayBuffer; ring: readonly SharedArrayBuffer[] }) {
    this.capacity = capacityFrames;
    this.control = new Int32Array(shared?.control ?? new SharedArrayBuffer(CONTROL_WORDS * 4));
    this.ring = shared ? shared.ring.map((b) => new Float32Array(b)) : Array.from({ length: channels }, () => new Float32Array(new SharedArrayBuffer(capacityFrames * 4)));
  }

  get armed(): boolean {
    return Atomics.load(this.control, ARMED) === 1;
  }

  /** Frames handed to the ring since arming (after the skip). */
  get captured(): number {
    return Atomics.load(this.control, CAPTURED_LO);
  }

  get overflows(): number {
    return Atomics.load(this.control, OVERFLOWS);
  }

  /** True once every requested frame has been captured (never for an open-ended print). */
  get complete(): boolean {
    return Atomics.load(this.control, REMAINING) === 0;
  }

  /** Control side: start capturing at the next block. lengthFrames -1: until disarmed. */
  arm(skipFrames: number, lengthFrames: number): void {
    Atomics.store(this.control, WRITE, 0);
    Atomics.store(this.control, READ, 0);
    Atomics.store(this.control, SKIP, skipFrames);
    Atomics.store(this.control, REMAINING, lengthFrames);
    Atomics.store(this.control, OVERFLOWS, 0);
    Atomics.store(this.control, CAPTURED_LO, 0);
    Atomics.store(this.control, ARMED, 1);
  }

  disarm(): void {
    Atomics.store(this.control, ARMED, 0);
  }

  /** Audio side, once per block. */
  write(program: readonly Float32Array[], frames: number): void {
    const ctl = this.control;
    if (Atomics.load(ctl, ARMED) !== 1) return;
    let remaining = Atomics.load(ctl, REMAINING);
    if (remaining === 0) return;
    let offset = 0;
    const skip = Atomics.load(ctl, SKIP);
    if (skip > 0) {
      const s = skip < frames ? skip : frames;
      Atomics.store(ctl, SKIP, skip - s);
      offset = s;
      if (offset === frames) return;
    }
    let n = frames - offset;
    if (remaining > 0 && n > remaining) n = remaining;
    const cap = this.capacity;
    const w = Atomics.load(ctl, WRITE);
    const r = Atomics.load(ctl, READ);
    const used = w - r;
    if (used + n > cap) {
      Atomics.add(ctl, OVERFLOWS, 1);
      n = cap - used;
    }
    const nCh = this.ring.length;
    for (let c = 0; c < nCh; c++) {
      const dst = this.ring[c] as Float32Array;
      const src = program[c] as Float32Array;
      let at = w % cap;
      for (let i = 0; i < n; i++) {
        dst[at] = src[offset + i] as number;
        at++;
        if (at === cap) at = 0;
      }
    }
    Atomics.store(ctl, WRITE, w + n);
    Atomics.add(ctl, CAPTURED_LO, n);
    if (remaining > 0) {
      remaining -= n;
      Atomics.store(ctl, REMAINING, remaining);
    }
  }

  /** Control side: copy up to `max` frames out into `out` (planar, from 0). Returns the frames copied. */
  drain(out: readonly Float32Array[], max: number): number {
    const ctl = this.control;
    const w = Atomics.load(ctl, WRITE);
    const r = Atomics.load(ctl, READ);
    let n = w - r;
    if (n > max) n = max;
    if (n <= 0) return 0;
    const cap = this.capacity;
    for (let c = 0; c < this.ring.length; c++) {
      const src = this.ring[c] as Float32Array;
      const dst = out[c] as Float32Array;
      let at = r % cap;
      for (let i = 0; i < n; i++) {
        dst[i] = src[at] as number;
        at++;
        if (at === cap) at = 0;
      }
    }
    Atomics.store(ctl, READ, r + n);
    return n;
  }
}
