import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParamBinding, type ParamBindingSpec } from '../../src/control/param-binding.ts';
import { normalise } from '../../src/params/taper.ts';
import { testStore } from './surface-helpers.ts';

function spec(o: Partial<ParamBindingSpec> & Pick<ParamBindingSpec, 'param' | 'mode'>): ParamBindingSpec {
  return { control: 'c', invert: false, curve: 'linear', acceleration: 0, fineDivisor: 10, takeover: 'immediate', pickupTolerance: 0.02, feedback: true, ticksPerPress: 1, ...o };
}

describe('relative bindings keep full precision (no drift: reference §0.3, Ardour PR #1147)', () => {
  it('1,000 ticks up and 1,000 down land exactly on the start (units step)', () => {
    const store = testStore();
    store.set('eq.band1.gainDb', -3.3, 'test');
    const b = new ParamBinding(spec({ param: 'eq.band1.gainDb', mode: 'relative', step: 0.01 }), store, 'surface:x/vpot1');
    for (let i = 0; i < 1000; i++) b.relative(1);
    expect(store.get('eq.band1.gainDb')).toBeCloseTo(6.7, 12);
    for (let i = 0; i < 1000; i++) b.relative(-1);
    expect(store.get('eq.band1.gainDb')).toBe(-3.3);
  });

  it('same on a log-taper parameter with a normalised step, and with fine ticks', () => {
    const store = testStore();
    store.set('eq.band2.freqHz', 1234.5, 'test');
    const b = new ParamBinding(spec({ param: 'eq.band2.freqHz', mode: 'relative', stepNormalised: 0.0003 }), store, 'surface:x/vpot2');
    for (let i = 0; i < 1000; i++) b.relative(1, i % 2 === 0);
    for (let i = 0; i < 1000; i++) b.relative(-1, i % 2 === 0);
    expect(store.get('eq.band2.freqHz')).toBe(1234.5);
  });

  it('property: any sequence of ticks followed by its negation returns to the start', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 300 }), fc.double({ min: -10, max: 10, noNaN: true }), (ticks, start) => {
        const store = testStore();
        store.set('eq.band3.gainDb', start, 'test');
        const b = new ParamBinding(spec({ param: 'eq.band3.gainDb', mode: 'relative', step: 0.01 }), store, 's');
        // Small steps: never reaches the +-24 dB end stops, where the accumulator rebases.
        for (const t of ticks) b.relative(t);
        for (const t of [...ticks].reverse()) b.relative(-t);
        expect(store.get('eq.band3.gainDb')).toBe(start);
      }),
      { numRuns: 200 },
    );
  });

  it('a change made elsewhere rebases the accumulator (turning continues from the new value)', () => {
    const store = testStore();
    const b = new ParamBinding(spec({ param: 'eq.band1.gainDb', mode: 'relative', step: 0.5 }), store, 's');
    b.relative(4);
    expect(store.get('eq.band1.gainDb')).toBe(2);
    store.set('eq.band1.gainDb', -10, 'tablet:t');
    b.relative(1);
    expect(store.get('eq.band1.gainDb')).toBe(-9.5);
  });

  it('fine modifier divides a tick; acceleration grows fast turns; end stops turn back at once', () => {
    const store = testStore();
    const b = new ParamBinding(spec({ param: 'eq.band1.gainDb', mode: 'relative', step: 1, acceleration: 0.5 }), store, 's');
    for (let i = 0; i < 5; i++) b.relative(1, true);
    expect(store.get('eq.band1.gainDb')).toBeCloseTo(0.5, 12);
    b.relative(5); // 5 * (1 + 0.5 * 4) = 15
    expect(store.get('eq.band1.gainDb')).toBeCloseTo(15.5, 12);
    b.relative(50);
    expect(store.get('eq.band1.gainDb')).toBe(24);
    b.relative(-1);
    expect(store.get('eq.band1.gainDb')).toBe(23);
  });

  it('stepped parameters move one detent per tick; fine ticks accumulate to a detent', () => {
    const store = testStore();
    const id = 'outboard.eq1.ch1.band3.gainDb';
    const b = new ParamBinding(spec({ param: id, mode: 'relative' }), store, 's');
    b.relative(3);
    expect(store.get(id)).toBe(0.75);
    for (let i = 0; i < 9; i++) b.relative(1, true);
    expect(store.get(id)).toBe(0.75);
    b.relative(1, true);
    expect(store.get(id)).toBe(1);
  });

  it('invert reverses the direction', () => {
    const store = testStore();
    const b = new ParamBinding(spec({ param: 'eq.band1.gainDb', mode: 'relative', step: 1, invert: true }), store, 's');
    b.relative(2);
    expect(store.get('eq.band1.gainDb')).toBe(-2);
  });
});

describe('absolute bindings: range, invert, curve', () => {
  it('range maps the control travel onto a part of the parameter; invert flips it; curve shapes it', () => {
    const store = testStore();
    const b = new ParamBinding(spec({ param: 'eq.band1.gainDb', mode: 'absolute', range: [-6, 6] }), store, 's');
    b.absolute(0);
    expect(store.get('eq.band1.gainDb')).toBe(-6);
    b.absolute(1);
    expect(store.get('eq.band1.gainDb')).toBe(6);
    b.absolute(0.5);
    expect(store.get('eq.band1.gainDb')).toBeCloseTo(0, 12);
    const inv = new ParamBinding(spec({ param: 'eq.band2.gainDb', mode: 'absolute', invert: true }), store, 's2');
    inv.absolute(0);
    expect(store.get('eq.band2.gainDb')).toBe(24);
    const exp = new ParamBinding(spec({ param: 'eq.band3.gainDb', mode: 'absolute', curve: 'exp' }), store, 's3');
    exp.absolute(0.5);
    expect(store.get('eq.band3.gainDb')).toBeCloseTo(-24 + 48 * 0.25, 12);
    // Feedback position is the exact inverse.
    expect(exp.controlPosition()).toBeCloseTo(0.5, 12);
    expect(b.controlPosition()).toBeCloseTo(0.5, 12);
  });
});

describe('takeover for absolute controls (reference §2.3, complaint #9)', () => {
  const setup = (takeover: ParamBindingSpec['takeover']) => {
    const store = testStore();
    store.set('eq.band1.gainDb', 0, 'test'); // position 0.5
    const b = new ParamBinding(spec({ param: 'eq.band1.gainDb', mode: 'absolute', takeover }), store, 'surface:k/cc');
    const pos = (): number => normalise(store.spec('eq.band1.gainDb'), store.get('eq.band1.gainDb'));
    return { store, b, pos };
  };

  it('immediate: the value jumps to the control', () => {
    const { b, pos } = setup('immediate');
    b.absolute(0.1);
    expect(pos()).toBeCloseTo(0.1, 12);
  });

  it('pickup: nothing until the control reaches or crosses the value, then it follows', () => {
    const { b, pos } = setup('pickup');
    expect(b.absolute(0.1)).toBeUndefined();
    expect(b.absolute(0.3)).toBeUndefined();
    expect(pos()).toBe(0.5);
    b.absolute(0.6); // crossed 0.5
    expect(pos()).toBeCloseTo(0.6, 12);
    b.absolute(0.2);
    expect(pos()).toBeCloseTo(0.2, 12);
  });

  it('pickup re-arms when the value moves elsewhere (mixxx #16947)', () => {
    const { store, b, pos } = setup('pickup');
    b.absolute(0.5);
    b.absolute(0.55);
    expect(pos()).toBeCloseTo(0.55, 12);
    store.set('eq.band1.gainDb', -24, 'recall'); // position 0
    expect(b.absolute(0.6)).toBeUndefined();
    expect(pos()).toBe(0);
    b.absolute(0.01);
    expect(pos()).toBeCloseTo(0.01, 12);
  });

  it('value scaling: the value moves towards the control proportionally; they meet at the end of travel', () => {
    const { store, b, pos } = setup('valueScaling');
    store.set('eq.band1.gainDb', 24 * 0.6, 'test'); // position 0.8
    expect(b.absolute(0.2)).toBeUndefined(); // first message: where is the control?
    b.absolute(0.4);
    expect(pos()).toBeCloseTo(0.8 + (0.2 * 0.2) / 0.8, 12);
    b.absolute(1);
    expect(pos()).toBeCloseTo(1, 12);
    b.absolute(0.7); // now locked together
    expect(pos()).toBeCloseTo(0.7, 12);
  });

  it('rearm (page switch) forgets the pickup', () => {
    const { b, pos } = setup('pickup');
    b.absolute(0.5);
    b.absolute(0.6);
    b.rearm();
    expect(b.absolute(0.9)).toBeUndefined();
    expect(pos()).toBeCloseTo(0.6, 12);
  });
});

describe('buttons', () => {
  it('toggle, momentary, reset, set; LEDs follow isOn()', () => {
    const store = testStore();
    const t = new ParamBinding(spec({ param: 'eq.band1.enabled', mode: 'toggle' }), store, 's');
    expect(t.isOn()).toBe(true);
    t.button(true);
    t.button(false);
    expect(store.get('eq.band1.enabled')).toBe(0);
    expect(t.isOn()).toBe(false);
    const m = new ParamBinding(spec({ param: 'eq.band2.enabled', mode: 'momentary' }), store, 's');
    m.button(true);
    expect(store.get('eq.band2.enabled')).toBe(1);
    m.button(false);
    expect(store.get('eq.band2.enabled')).toBe(0);
    store.set('eq.band1.gainDb', 7, 'test');
    const r = new ParamBinding(spec({ param: 'eq.band1.gainDb', mode: 'reset' }), store, 's');
    r.button(true);
    expect(store.get('eq.band1.gainDb')).toBe(0);
    const s = new ParamBinding(spec({ param: 'eq.band1.gainDb', mode: 'set', value: -3 }), store, 's');
    s.button(true);
    expect(store.get('eq.band1.gainDb')).toBe(-3);
    expect(s.isOn()).toBe(true);
  });

  it('an unregistered parameter makes the binding inactive, never a throw', () => {
    const store = testStore();
    const b = new ParamBinding(spec({ param: 'eq.band9.gainDb', mode: 'relative' }), store, 's');
    expect(b.active).toBe(false);
    expect(b.relative(1)).toBeUndefined();
    expect(b.absolute(0.5)).toBeUndefined();
    expect(b.controlPosition()).toBeUndefined();
  });
});
