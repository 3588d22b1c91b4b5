import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SimUart } from '../../../firmware-sim/units/sim-uart.ts';

describe('simulated UART', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function rig(baud: number, random = () => 0.5) {
    const written: number[] = [];
    const chunks: number[] = [];
    const uart = new SimUart(baud, () => Date.now(), random);
    uart.attach({
      write: (b) => {
        written.push(...b);
        chunks.push(b.length);
      },
    });
    return { uart, written, chunks };
  }

  it('never sends faster than the baud rate (10 bits a byte) and delivers everything in order', () => {
    const { uart, written, chunks } = rig(9600); // 1.0417 ms a byte
    const data = Uint8Array.from({ length: 100 }, (_, i) => i);
    uart.transmit(data, Date.now());
    for (let t = 10; t <= 110; t += 10) {
      vi.advanceTimersByTime(10);
      expect(written.length).toBeLessThanOrEqual(Math.floor(t / (10_000 / 9600)));
    }
    expect(written).toEqual([...data]);
    // Paced in small pieces, so the host sees frames split across reads.
    expect(chunks.length).toBeGreaterThan(50);
  });

  it('stamps received bytes with line time: back-to-back chunks queue on the wire', () => {
    const { uart } = rig(115200);
    const a = uart.receive(new Uint8Array(1152)); // 100 ms of bytes at 115200
    const b = uart.receive(new Uint8Array(10));
    expect(a.startMs).toBe(0);
    expect(b.startMs).toBeCloseTo(100, 6);
  });

  it('a later transmission waits for its own start time (relay settle)', () => {
    const { uart, written } = rig(115200);
    uart.transmit(Uint8Array.of(1, 2), 0);
    uart.transmit(Uint8Array.of(3), 20);
    vi.advanceTimersByTime(10);
    expect(written).toEqual([1, 2]);
    vi.advanceTimersByTime(15);
    expect(written).toEqual([1, 2, 3]);
  });

  it('drop and corrupt faults act per byte; a pause holds transmission', () => {
    const flip = rig(115200, () => 0); // random() = 0: every fault fires, bit 0 flips
    flip.uart.faults.corruptTx = 1;
    flip.uart.transmit(Uint8Array.of(0x40, 0x41), 0);
    vi.advanceTimersByTime(5);
    expect(flip.written).toEqual([0x41, 0x40]);
    const drop = rig(115200, () => 0);
    drop.uart.faults.dropRx = 1;
    expect([...drop.uart.receive(Uint8Array.of(1, 2, 3)).bytes]).toEqual([]);
    const paused = rig(115200);
    paused.uart.pauseUntil(50);
    paused.uart.transmit(Uint8Array.of(9), 0);
    vi.advanceTimersByTime(40);
    expect(paused.written).toEqual([]);
    vi.advanceTimersByTime(20);
    expect(paused.written).toEqual([9]);
  });
});
