import { describe, expect, it } from 'vitest';
import { LatestWinsQueue } from '../../../src/devices/serial/latest-wins-queue.ts';

/** A slow unit: each write takes until the test releases it. */
function slowSender() {
  const sent: [string, number][] = [];
  const pending: (() => void)[] = [];
  let inFlight = 0;
  let peak = 0;
  const send = (key: string, value: number): Promise<number> => {
    sent.push([key, value]);
    inFlight++;
    peak = Math.max(peak, inFlight);
    return new Promise((resolve) =>
      pending.push(() => {
        inFlight--;
        resolve(value);
      }),
    );
  };
  const releaseAll = async (): Promise<void> => {
    while (pending.length > 0) {
      pending.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { sent, send, releaseAll, peak: () => peak };
}

describe('LatestWinsQueue', () => {
  it('a fast sweep on a slow unit builds no backlog: the last value always arrives', async () => {
    const s = slowSender();
    const q = new LatestWinsQueue(s.send, 2);
    const outcomes: Promise<unknown>[] = [];
    for (let v = 0; v <= 1000; v++) outcomes.push(q.enqueue('gain', v));
    await s.releaseAll();
    await q.idle();
    expect(s.sent.length).toBeLessThanOrEqual(2);
    expect(s.sent.at(-1)).toEqual(['gain', 1000]);
    const results = await Promise.all(outcomes);
    expect(results.filter((r) => (r as { status: string }).status === 'superseded').length).toBe(1000 - (s.sent.length - 1));
    expect(results.at(-1)).toEqual({ status: 'done', result: 1000 });
  });

  it('never has more than maxInFlight writes out, and a key is never in flight twice', async () => {
    const s = slowSender();
    const q = new LatestWinsQueue(s.send, 3);
    for (let round = 0; round < 20; round++) for (const k of ['a', 'b', 'c', 'd', 'e']) void q.enqueue(k, round);
    expect(q.inFlight).toBe(3);
    await s.releaseAll();
    await q.idle();
    expect(s.peak()).toBe(3);
    expect(q.peakInFlight).toBe(3);
    // Every key ends at its last value.
    const last = new Map(s.sent.map(([k, v]) => [k, v]));
    expect([...last.values()]).toEqual([19, 19, 19, 19, 19]);
  });

  it('serves keys in the order they first became pending', async () => {
    const s = slowSender();
    const q = new LatestWinsQueue(s.send, 1);
    void q.enqueue('first', 1);
    void q.enqueue('second', 1);
    void q.enqueue('third', 1);
    void q.enqueue('second', 2); // replaces in place, keeps its turn
    await s.releaseAll();
    await q.idle();
    expect(s.sent).toEqual([
      ['first', 1],
      ['second', 2],
      ['third', 1],
    ]);
  });

  it('pauses (values keep coalescing) and resumes; cancel drops a waiting value', async () => {
    const s = slowSender();
    const q = new LatestWinsQueue(s.send, 2);
    q.pause();
    void q.enqueue('a', 1);
    const b = q.enqueue('b', 1);
    void q.enqueue('a', 2);
    expect(s.sent).toEqual([]);
    expect(q.cancel('b')).toBe(true);
    await expect(b).resolves.toEqual({ status: 'superseded' });
    q.resume();
    await s.releaseAll();
    await q.idle();
    expect(s.sent).toEqual([['a', 2]]);
  });

  it('a failed send rejects only its own promise and the queue keeps going', async () => {
    const q = new LatestWinsQueue<string, number, number>(async (k, v) => {
      await new Promise((r) => setImmediate(r));
      if (k === 'bad') throw new Error('nak');
      return v;
    }, 2);
    const bad = q.enqueue('bad', 1);
    const good = q.enqueue('good', 2);
    await expect(bad).rejects.toThrow('nak');
    await expect(good).resolves.toEqual({ status: 'done', result: 2 });
  });

  it('clear rejects everything waiting', async () => {
    const s = slowSender();
    const q = new LatestWinsQueue(s.send, 1);
    void q.enqueue('a', 1);
    const b = q.enqueue('b', 1);
    q.clear(new Error('stopped'));
    await expect(b).rejects.toThrow('stopped');
    await s.releaseAll();
    await q.idle();
    expect(s.sent).toEqual([['a', 1]]);
  });

  it('rejects a nonsensical bound', () => {
    expect(() => new LatestWinsQueue(async () => 0, 0)).toThrow(TypeError);
  });
});
