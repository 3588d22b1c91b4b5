/**
 * The unit's UART and the wire: paces transmitted bytes at the baud rate (8N1: 10 bits a byte), stamps
 * received bytes with the line time at which they finished arriving, and injects line faults.
 *
 * Pacing is scheduled against absolute line time, so a late timer never lowers the throughput below
 * the baud rate and the unit is never faster than the wire either.
 */
export interface LineFaults {
  dropRx: number;
  dropTx: number;
  corruptRx: number;
  corruptTx: number;
}

export interface UartSink {
  /** Bytes leaving the unit, onto the transport (pty/TCP). */
  write(bytes: Uint8Array): void;
}

interface TxEntry {
  readonly bytes: Uint8Array;
  readonly atMs: number;
}

export class SimUart {
  readonly byteMs: number;
  readonly faults: LineFaults = { dropRx: 0, dropTx: 0, corruptRx: 0, corruptTx: 0 };
  readonly #now: () => number;
  readonly #random: () => number;
  #sink: UartSink | undefined;
  #txQueue: TxEntry[] = [];
  #txOffset = 0;
  #txLineTime = 0;
  #rxLineTime = 0;
  #pauseUntil = 0;
  #timer: NodeJS.Timeout | undefined;
  bytesOut = 0;
  bytesIn = 0;

  constructor(baud: number, now: () => number, random: () => number) {
    this.byteMs = 10_000 / baud;
    this.#now = now;
    this.#random = random;
  }

  /** Where transmitted bytes go; `undefined` while unplugged (bytes fall on the floor). */
  attach(sink: UartSink | undefined): void {
    this.#sink = sink;
  }

  /** Stop transmitting until `untilMs` (a hung MCU). */
  pauseUntil(untilMs: number): void {
    this.#pauseUntil = Math.max(this.#pauseUntil, untilMs);
  }

  /**
   * Bytes from the transport. Returns them after line faults, with the line time at which the first
   * one started arriving: byte i is complete at `start + (i + 1) * byteMs`.
   */
  receive(chunk: Uint8Array): { bytes: Uint8Array; startMs: number } {
    const now = this.#now();
    const start = Math.max(now, this.#rxLineTime);
    const kept: number[] = [];
    for (const b of chunk) {
      if (this.faults.dropRx > 0 && this.#random() < this.faults.dropRx) continue;
      kept.push(this.faults.corruptRx > 0 && this.#random() < this.faults.corruptRx ? this.#flip(b) : b);
    }
    this.#rxLineTime = start + chunk.length * this.byteMs;
    this.bytesIn += chunk.length;
    return { bytes: Uint8Array.from(kept), startMs: start };
  }

  transmit(bytes: Uint8Array, atMs: number): void {
    this.#txQueue.push({ bytes, atMs });
    this.#pump();
  }

  /** Drop everything queued (power loss). */
  clear(): void {
    this.#txQueue = [];
    this.#txOffset = 0;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #pump(): void {
    if (this.#timer) return;
    const now = this.#now();
    if (now < this.#pauseUntil) {
      this.#txLineTime = Math.max(this.#txLineTime, this.#pauseUntil);
      this.#arm(this.#pauseUntil - now);
      return;
    }
    // Every byte whose last bit is on the wire by now goes out in one write.
    const out: number[] = [];
    while (this.#txQueue.length > 0) {
      const head = this.#txQueue[0] as TxEntry;
      if (this.#txOffset === 0) this.#txLineTime = Math.max(this.#txLineTime, head.atMs);
      const due = Math.floor((now - this.#txLineTime) / this.byteMs);
      if (due <= 0) break;
      const take = Math.min(due, head.bytes.length - this.#txOffset);
      for (let i = 0; i < take; i++) {
        const b = head.bytes[this.#txOffset + i] as number;
        if (this.faults.dropTx > 0 && this.#random() < this.faults.dropTx) continue;
        out.push(this.faults.corruptTx > 0 && this.#random() < this.faults.corruptTx ? this.#flip(b) : b);
      }
      this.#txOffset += take;
      this.#txLineTime += take * this.byteMs;
      if (this.#txOffset < head.bytes.length) break;
      this.#txQueue.shift();
      this.#txOffset = 0;
    }
    this.bytesOut += out.length;
    if (out.length > 0) this.#sink?.write(Uint8Array.from(out));
    const head = this.#txQueue[0];
    if (head) {
      const next = this.#txOffset === 0 ? Math.max(this.#txLineTime, head.atMs) : this.#txLineTime;
      // Wake when about a millisecond of bytes is ready (not once per 87 us byte).
      this.#arm(Math.max(0, next + Math.max(this.byteMs, 1) - now));
    }
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#pump();
    }, ms);
  }

  #flip(b: number): number {
    return b ^ (1 << Math.floor(this.#random() * 8));
  }
}
