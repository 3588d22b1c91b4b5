/**
 * The speaker-protection limiter on the monitor outs: no sample leaves above the ceiling
 * (0 dBFS), whatever the chain does. It is a safety device, not a mastering limiter: it sits
 * after everything, only on the monitor path (never on the print), and should never act in
 * normal use.
 *
 * Look-ahead peak limiter, stereo-linked. For every incoming frame the gain it needs is
 * r = min(1, ceiling / peak). The audio is delayed by L samples (1 ms); the gain applied to the
 * frame leaving the delay is the moving average, over L+1 frames, of the sliding minimum of r
 * over L+1 frames. Every term of that average is at most the r of the leaving frame (each window
 * contains it), so the output never exceeds the ceiling, and the gain reaches its target along a
 * smooth ramp instead of a step. Release is a one-pole return towards unity, never above the
 * averaged target. A final clamp only guards against float rounding.
 */
export class ProtectionLimiter {
  #ceiling = 1;
  #channels = 0;
  #lookahead = 1;
  #delay: Float32Array[] = [];
  #delayPos = 0;
  /** Sliding minimum: a monotonic deque of (index, value) over the last L+1 frames. */
  #dqIndex = new Float64Array(0);
  #dqValue = new Float64Array(0);
  #dqHead = 0;
  #dqTail = 0;
  #dqSize = 0;
  /** Moving average of the sliding minimum. */
  #avgRing = new Float64Array(0);
  #avgPos = 0;
  #avgSum = 0;
  #frame = 0;
  #gain = 1;
  #release = 0;
  #minGain = 1;

  get latencySamples(): number {
    return this.#lookahead;
  }

  /** Lowest gain applied since the last read, dB (0: the limiter did nothing). Re-arms. */
  readGainReductionDb(): number {
    const g = this.#minGain;
    this.#minGain = this.#gain;
    return g >= 1 ? 0 : -20 * Math.log10(g);
  }

  prepare(sampleRate: number, channels: number, options: { ceilingDbfs?: number; lookaheadMs?: number; releaseMs?: number } = {}): void {
    this.#ceiling = Math.pow(10, (options.ceilingDbfs ?? 0) / 20);
    this.#channels = channels;
    this.#lookahead = Math.max(1, Math.round(((options.lookaheadMs ?? 1) * sampleRate) / 1000));
    const w = this.#lookahead + 1;
    this.#delay = Array.from({ length: channels }, () => new Float32Array(this.#lookahead));
    this.#dqSize = w + 2; // w live entries plus the one being pushed, and never full (head === tail means empty)
    this.#dqIndex = new Float64Array(this.#dqSize);
    this.#dqValue = new Float64Array(this.#dqSize);
    this.#avgRing = new Float64Array(w);
    this.#release = 1 - Math.exp(-1 / (((options.releaseMs ?? 80) / 1000) * sampleRate));
    this.reset();
  }

  reset(): void {
    for (const d of this.#delay) d.fill(0);
    this.#delayPos = 0;
    this.#dqHead = 0;
    this.#dqTail = 0;
    this.#avgRing.fill(1);
    this.#avgPos = 0;
    this.#avgSum = this.#avgRing.length;
    this.#frame = 0;
    this.#gain = 1;
    this.#minGain = 1;
  }

  /** In place on `channels` (the prepared channel count). */
  process(channels: readonly Float32Array[], frames: number): void {
    const nCh = this.#channels;
    const ceiling = this.#ceiling;
    const lookahead = this.#lookahead;
    const w = lookahead + 1;
    const dqSize = this.#dqSize;
    const dqIndex = this.#dqIndex;
    const dqValue = this.#dqValue;
    const avg = this.#avgRing;
    let head = this.#dqHead;
    let tail = this.#dqTail;
    let sum = this.#avgSum;
    let avgPos = this.#avgPos;
    let pos = this.#delayPos;
    let frame = this.#frame;
    let gain = this.#gain;
    let minGain = this.#minGain;
    const release = this.#release;
    for (let i = 0; i < frames; i++) {
      let peak = 0;
      for (let c = 0; c < nCh; c++) {
        const buf = channels[c] as Float32Array;
        let x = buf[i] as number;
        if (x !== x || x === Infinity || x === -Infinity) {
          x = 0;
          buf[i] = 0;
        }
        const a = x < 0 ? -x : x;
        if (a > peak) peak = a;
      }
      const need = peak > ceiling ? ceiling / peak : 1;
      // Sliding minimum over the last w frames.
      while (head !== tail) {
        const last = tail === 0 ? dqSize - 1 : tail - 1;
        if ((dqValue[last] as number) < need) break;
        tail = last;
      }
      dqIndex[tail] = frame;
      dqValue[tail] = need;
      tail = tail + 1 === dqSize ? 0 : tail + 1;
      while ((dqIndex[head] as number) <= frame - w) head = head + 1 === dqSize ? 0 : head + 1;
      const windowMin = dqValue[head] as number;
      // Moving average of the minimum over w frames.
      sum += windowMin - (avg[avgPos] as number);
      avg[avgPos] = windowMin;
      avgPos = avgPos + 1 === w ? 0 : avgPos + 1;
      const target = sum / w;
      gain = gain + (1 - gain) * release;
      if (gain > target) gain = target;
      if (gain < minGain) minGain = gain;
      // Output the frame that entered L = lookahead frames ago: every window averaged above contains it.
      for (let c = 0; c < nCh; c++) {
        const line = this.#delay[c] as Float32Array;
        const buf = channels[c] as Float32Array;
        const incoming = buf[i] as number;
        const outgoing = line[pos] as number;
        line[pos] = incoming;
        let y = outgoing * gain;
        if (y > ceiling) y = ceiling;
        else if (y < -ceiling) y = -ceiling;
        buf[i] = y;
      }
      pos = pos + 1 === lookahead ? 0 : pos + 1;
      frame++;
    }
    // Re-sum now and then: the running sum must not drift above the true average.
    if ((frame & 0xffff) < frames) {
      let s = 0;
      for (let k = 0; k < w; k++) s += avg[k] as number;
      sum = s;
    }
    this.#dqHead = head;
    this.#dqTail = tail;
    this.#avgSum = sum;
    this.#avgPos = avgPos;
    this.#delayPos = pos;
    this.#frame = frame;
    this.#gain = gain;
    this.#minGain = minGain;
  }
}
