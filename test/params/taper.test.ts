import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineParam, type ParamSpec } from '../../src/params/param-spec.ts';
import { denormalise, formatValue, nearestStepIndex, normalise, quantise, stepBy } from '../../src/params/taper.ts';

const gain = defineParam({ id: 'eq.band1.gainDb', label: 'Gain', kind: 'continuous', unit: 'dB', min: -18, max: 18, default: 0, taper: 'linear' });
const freq = defineParam({ id: 'eq.band1.freqHz', label: 'Freq', kind: 'continuous', unit: 'Hz', min: 20, max: 20000, default: 1000, taper: 'log' });
const fader = defineParam({ id: 'chain.outputDb', label: 'Out', kind: 'continuous', unit: 'dB', min: -60, max: 12, default: 0, taper: 'db' });
// A 41-step attenuator (0.5 dB steps around 0, like a mastering stepped pot) and an 11-position switch.
const attSteps = Array.from({ length: 41 }, (_, i) => -10 + i * 0.5);
const att = defineParam({ id: 'outboard.eq1.gainDb', label: 'Att', kind: 'stepped', unit: 'dB', min: -10, max: 10, default: 0, steps: attSteps });
const sw = defineParam({ id: 'outboard.eq1.lowFreqHz', label: 'Low', kind: 'stepped', unit: 'Hz', min: 20, max: 220, default: 60, steps: [20, 27, 33, 39, 47, 56, 60, 82, 100, 150, 220] });
const toggle = defineParam({ id: 'eq.band1.enabled', label: 'On', kind: 'toggle', unit: '', min: 0, max: 1, default: 1 });
const choice = defineParam({ id: 'eq.band1.type', label: 'Type', kind: 'choice', unit: '', min: 0, max: 0, default: 0, choices: ['bell', 'lowShelf', 'highShelf'] });

const continuous: ParamSpec[] = [gain, freq, fader];
const discrete: ParamSpec[] = [att, sw, toggle, choice];

describe('normalise/denormalise', () => {
  it('round-trips continuous values for every taper (property)', () => {
    for (const spec of continuous) {
      fc.assert(
        fc.property(fc.double({ min: spec.min, max: spec.max, noNaN: true }), (v) => {
          const back = denormalise(spec, normalise(spec, v));
          expect(Math.abs(back - v)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(spec.max - spec.min)));
        }),
      );
    }
  });

  it('round-trips positions for continuous tapers (property)', () => {
    for (const spec of continuous) {
      fc.assert(
        fc.property(fc.double({ min: 0, max: 1, noNaN: true }), (n) => {
          expect(Math.abs(normalise(spec, denormalise(spec, n)) - n)).toBeLessThan(1e-9);
        }),
      );
    }
  });

  it('is exact for detents: every step maps to i/(n-1) and back to itself', () => {
    for (const spec of discrete) {
      const steps = spec.steps as readonly number[];
      steps.forEach((s, i) => {
        expect(normalise(spec, s)).toBe(i / (steps.length - 1));
        expect(denormalise(spec, i / (steps.length - 1))).toBe(s);
      });
    }
  });

  it('maps the ends and the taper shapes as designed', () => {
    expect(normalise(freq, 20)).toBe(0);
    expect(normalise(freq, 20000)).toBe(1);
    // log taper: the geometric mean sits in the middle (20 Hz .. 20 kHz -> 632.5 Hz)
    expect(denormalise(freq, 0.5)).toBeCloseTo(Math.sqrt(20 * 20000), 6);
    // dB fader law: half travel is 3/4 of the way up in dB (more resolution near the top)
    expect(denormalise(fader, 0.5)).toBeCloseTo(12 - 72 * 0.25, 9);
    expect(denormalise(gain, 0.5)).toBe(0);
  });

  it('never leaves the range, whatever the position (property)', () => {
    for (const spec of [...continuous, ...discrete]) {
      fc.assert(
        fc.property(fc.double({ noNaN: true, min: -10, max: 10 }), (n) => {
          const v = denormalise(spec, n);
          expect(v).toBeGreaterThanOrEqual(spec.min);
          expect(v).toBeLessThanOrEqual(spec.max);
        }),
      );
    }
  });
});

describe('quantise', () => {
  it('snaps to the nearest detent, and is idempotent (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: -10, max: 10, noNaN: true }), (v) => {
        const q = quantise(att, v);
        expect(attSteps).toContain(q);
        expect(Math.abs(q - v)).toBeLessThanOrEqual(0.25 + 1e-12);
        expect(quantise(att, q)).toBe(q);
      }),
    );
  });

  it('uses the exact detent list of an uneven switch', () => {
    expect(quantise(sw, 58)).toBe(56);
    expect(quantise(sw, 59)).toBe(60);
    expect(quantise(sw, 125)).toBe(100);
    expect(quantise(sw, 126)).toBe(150);
    expect(nearestStepIndex(sw.steps as number[], 1e9)).toBe(10);
  });

  it('clamps continuous values', () => {
    expect(quantise(gain, 30)).toBe(18);
    expect(quantise(gain, -30)).toBe(-18);
    expect(quantise(gain, 3.3)).toBe(3.3);
  });
});

describe('stepBy', () => {
  it('moves stepped controls by whole detents and stops at the ends', () => {
    expect(stepBy(sw, 60, 2, 0)).toBe(100);
    expect(stepBy(sw, 60, -100, 0)).toBe(20);
    expect(stepBy(att, 9.5, 5, 0)).toBe(10);
  });
  it('moves continuous controls in normalised units', () => {
    expect(stepBy(gain, 0, 0, 0.25)).toBe(9);
  });
});

describe('formatValue', () => {
  it('formats with units for displays', () => {
    expect(formatValue(freq, 1500)).toBe('1.5 kHz');
    expect(formatValue(freq, 12000)).toBe('12 kHz');
    expect(formatValue(gain, -3.25)).toBe('-3.25 dB');
    expect(formatValue(toggle, 1)).toBe('on');
    expect(formatValue(choice, 2)).toBe('highShelf');
  });
});

describe('defineParam', () => {
  it('rejects impossible specs with E_PARAM_SPEC', () => {
    const bad = [
      { id: 'a.b', label: 'x', kind: 'continuous' as const, unit: '', min: 1, max: 0, default: 0 },
      { id: 'a.b', label: 'x', kind: 'stepped' as const, unit: '', min: 0, max: 1, default: 0, steps: [1, 0] },
      { id: 'a.b', label: 'x', kind: 'continuous' as const, unit: 'Hz', min: 0, max: 10, default: 1, taper: 'log' as const },
      { id: 'a.b', label: 'x', kind: 'continuous' as const, unit: '', min: 0, max: 1, default: 2 },
      { id: 'a.b', label: 'x', kind: 'stepped' as const, unit: '', min: 0, max: 1, default: 0.5, steps: [0, 1] },
      { id: 'Bad Id', label: 'x', kind: 'continuous' as const, unit: '', min: 0, max: 1, default: 0 },
    ];
    for (const b of bad) expect(() => defineParam(b)).toThrow(expect.objectContaining({ code: 'E_PARAM_SPEC' }));
  });
  it('derives implicit steps for toggles and choices', () => {
    expect(toggle.steps).toEqual([0, 1]);
    expect(choice.steps).toEqual([0, 1, 2]);
    expect(choice.max).toBe(2);
    expect(Object.isFrozen(att)).toBe(true);
  });
});

describe('resolution', () => {
  const thr = defineParam({ id: 'outboard.comp1.thresholdDb', label: 'Thr', kind: 'continuous', unit: 'dB', min: -40, max: 0, default: -10, resolution: 0.1 });
  it('stores only what the target can represent, as exact decimal steps', () => {
    expect(quantise(thr, -10.03)).toBe(-10);
    expect(quantise(thr, -10.06)).toBe(-10.1);
    expect(quantise(thr, -0.04)).toBe(0);
    fc.assert(
      fc.property(fc.double({ min: -40, max: 0, noNaN: true }), (v) => {
        const q = quantise(thr, v);
        expect(Math.abs(q - v)).toBeLessThanOrEqual(0.05 + 1e-9);
        expect(quantise(thr, q)).toBe(q);
        expect(Number(q.toFixed(1))).toBe(q);
      }),
    );
  });
  it('is refused on a discrete control', () => {
    expect(() => defineParam({ id: 'a.b', label: 'x', kind: 'toggle', unit: '', min: 0, max: 1, default: 0, resolution: 0.5 })).toThrow(
      expect.objectContaining({ code: 'E_PARAM_SPEC' }),
    );
  });
});
