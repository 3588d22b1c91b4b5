import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../src/devices/serial/backoff.ts';

describe('Backoff', () => {
  it('doubles from 1 s to a 60 s cap and resets after a good handshake', () => {
    const b = new Backoff();
    const seq = Array.from({ length: 9 }, () => b.next());
    expect(seq).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
    b.reset();
    expect(b.next()).toBe(1000);
  });

  it('takes injectable bounds for tests', () => {
    const b = new Backoff(10, 50);
    expect([b.next(), b.next(), b.next(), b.next()]).toEqual([10, 20, 40, 50]);
    expect(() => new Backoff(0, 10)).toThrow(TypeError);
    expect(() => new Backoff(100, 10)).toThrow(TypeError);
  });
});
