import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeTicks } from '../../../firmware-sim/surfaces/midi-wire.ts';
import { RELATIVE_ENCODINGS, decodeMcuRelative, decodeRelative, encodeRelative, guessEncoding } from '../../../src/devices/midi/relative-encoding.ts';

describe('relative encodings (reference §2.1 table)', () => {
  // [encoding, value of +1, value of -1]
  const table = [
    ['twosComplement', 0x01, 0x7f],
    ['binaryOffset', 0x41, 0x3f],
    ['signMagnitude', 0x01, 0x41],
    ['signedBit2', 0x41, 0x01],
    ['onesComplement', 0x01, 0x7e],
  ] as const;

  it.each(table)('%s: +1 = %i, -1 = %i', (enc, plus, minus) => {
    expect(decodeRelative(enc, plus)).toBe(1);
    expect(decodeRelative(enc, minus)).toBe(-1);
    expect(encodeRelative(enc, 1)).toBe(plus);
    expect(encodeRelative(enc, -1)).toBe(minus);
  });

  it('decode formulas from the table, for every 7-bit value', () => {
    for (let v = 0; v < 128; v++) {
      expect(decodeRelative('twosComplement', v)).toBe(v < 64 ? v : v - 128);
      expect(decodeRelative('binaryOffset', v)).toBe(v - 64);
      expect(decodeRelative('signMagnitude', v)).toBe(v & 0x40 ? -(v & 0x3f) : v);
      expect(decodeRelative('signedBit2', v)).toBe(v > 64 ? v - 64 : -v);
      expect(decodeRelative('onesComplement', v)).toBe(v < 64 ? v : v - 127);
    }
    // One's complement has two zeros.
    expect(decodeRelative('onesComplement', 0)).toBe(0);
    expect(decodeRelative('onesComplement', 0x7f)).toBe(0);
  });

  it('larger steps: REAPER/Ableton style accelerated values', () => {
    expect(decodeRelative('twosComplement', 0x05)).toBe(5);
    expect(decodeRelative('twosComplement', 0x7b)).toBe(-5);
    expect(decodeRelative('binaryOffset', 0x48)).toBe(8);
    expect(decodeRelative('signMagnitude', 0x47)).toBe(-7);
    expect(decodeRelative('signedBit2', 0x4a)).toBe(10);
  });

  it('the firmware-sim encoder (independent code) agrees with our decoder for every encoding and tick count', () => {
    fc.assert(
      fc.property(fc.constantFrom(...RELATIVE_ENCODINGS), fc.integer({ min: -63, max: 63 }).filter((t) => t !== 0), (enc, t) => {
        expect(decodeRelative(enc, encodeTicks(enc, t))).toBe(t);
        expect(decodeRelative(enc, encodeRelative(enc, t))).toBe(t);
      }),
    );
  });

  it('decoding with the wrong encoding makes a slow turn run away (complaint #10: why it is per binding)', () => {
    // A binary-offset encoder turned down one detent sends 3F: read as two's complement it is +63.
    expect(decodeRelative('twosComplement', encodeRelative('binaryOffset', -1))).toBe(63);
  });

  it('MCU V-Pot sign-magnitude treats a zero magnitude as one tick (Ardour, Euphonix)', () => {
    expect(decodeMcuRelative(0x00)).toBe(1);
    expect(decodeMcuRelative(0x40)).toBe(-1);
    expect(decodeMcuRelative(0x47)).toBe(-7);
  });
});

describe('encoding guess for MIDI learn', () => {
  it('a repeated value is relative; the candidates are every encoding that fits', () => {
    const g = guessEncoding([0x41, 0x41, 0x41]);
    expect(g.mode).toBe('relative');
    expect(g.candidates).toEqual(['binaryOffset', 'signMagnitude', 'signedBit2']);
    expect(g.encoding).toBe('binaryOffset');
    expect(g.confidence).toBeCloseTo(1 / 3);
  });

  it('a slow left turn tells two\'s from one\'s complement', () => {
    expect(guessEncoding([0x7f, 0x7f, 0x7f]).candidates).toEqual(['twosComplement']);
    // 7E is -1 in one's complement but also -2 in two's complement: both stay candidates.
    expect(guessEncoding([0x7e, 0x7e, 0x7e]).candidates).toEqual(['twosComplement', 'onesComplement']);
    expect(guessEncoding([0x3f, 0x3f]).candidates).toEqual(['binaryOffset']);
  });

  it('a run of distinct increasing values is an absolute knob', () => {
    expect(guessEncoding([40, 41, 43, 44]).mode).toBe('absolute');
    expect(guessEncoding([90, 86, 80]).mode).toBe('absolute');
  });
});
