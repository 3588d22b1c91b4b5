import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParamStore, type ParamBatch, type ParamChange } from '../../src/params/param-store.ts';

function makeStore(): ParamStore {
  const s = new ParamStore();
  s.register([
    { id: 'eq.band1.gainDb', label: 'Gain', kind: 'continuous', unit: 'dB', min: -18, max: 18, default: 0 },
    { id: 'eq.band1.freqHz', label: 'Freq', kind: 'continuous', unit: 'Hz', min: 20, max: 20000, default: 1000, taper: 'log' },
    { id: 'outboard.eq1.lowGainDb', label: 'Low', kind: 'stepped', unit: 'dB', min: -3, max: 3, default: 0, steps: [-3, -1.5, 0, 1.5, 3] },
    { id: 'comp.bypass', label: 'Bypass', kind: 'toggle', unit: '', min: 0, max: 1, default: 0 },
  ]);
  return s;
}

describe('ParamStore.set', () => {
  it('stores, quantises and emits one change carrying the source', () => {
    const s = makeStore();
    const seen: ParamChange[] = [];
    s.on('change', (c) => seen.push(c));
    expect(s.set('outboard.eq1.lowGainDb', 1.2, 'surface:xtouch')).toBe(1.5);
    expect(s.get('outboard.eq1.lowGainDb')).toBe(1.5);
    expect(seen).toEqual([{ id: 'outboard.eq1.lowGainDb', value: 1.5, previous: 0, source: 'surface:xtouch' }]);
  });

  it('does not emit when the stored value does not change', () => {
    const s = makeStore();
    let n = 0;
    s.on('change', () => n++);
    s.set('outboard.eq1.lowGainDb', 0.2, 'api'); // quantises to 0, the current value
    s.set('eq.band1.gainDb', 0, 'api');
    expect(n).toBe(0);
  });

  it('refuses unknown ids and bad values with stable codes, leaving the store unchanged', () => {
    const s = makeStore();
    const before = s.values();
    let events = 0;
    s.watch(() => events++);
    expect(() => s.set('eq.band9.gainDb', 1, 'api')).toThrow(expect.objectContaining({ code: 'E_PARAM_UNKNOWN' }));
    expect(() => s.set('eq.band1.gainDb', 19, 'api')).toThrow(expect.objectContaining({ code: 'E_PARAM_RANGE' }));
    expect(() => s.set('eq.band1.gainDb', Number.NaN, 'api')).toThrow(expect.objectContaining({ code: 'E_PARAM_TYPE' }));
    expect(() => s.set('eq.band1.gainDb', '3' as unknown as number, 'api')).toThrow(expect.objectContaining({ code: 'E_PARAM_TYPE' }));
    expect(() => s.setNormalised('eq.band1.gainDb', 1.5, 'api')).toThrow(expect.objectContaining({ code: 'E_PARAM_RANGE' }));
    expect(s.values()).toEqual(before);
    expect(events).toBe(0);
  });

  it('never stores a value outside the range or off a detent (property)', () => {
    const s = makeStore();
    fc.assert(
      fc.property(fc.constantFrom(...s.ids()), fc.double({ noNaN: false }), (id, v) => {
        try {
          s.set(id, v, 'api');
        } catch (err) {
          expect((err as { code: string }).code).toMatch(/^E_PARAM_(RANGE|TYPE)$/);
        }
        const spec = s.spec(id);
        const stored = s.get(id);
        expect(stored).toBeGreaterThanOrEqual(spec.min);
        expect(stored).toBeLessThanOrEqual(spec.max);
        if (spec.steps) expect(spec.steps).toContain(stored);
      }),
    );
  });

  it('setNormalised goes through the taper', () => {
    const s = makeStore();
    expect(s.setNormalised('eq.band1.freqHz', 1, 'api')).toBe(20000);
    expect(s.getNormalised('eq.band1.freqHz')).toBe(1);
  });
});

describe('ParamStore.setMany', () => {
  it('is atomic: one bad entry and nothing changes, no event', () => {
    const s = makeStore();
    let events = 0;
    s.watch(() => events++);
    expect(() => s.setMany({ 'eq.band1.gainDb': 3, 'eq.band1.freqHz': 5 }, 'recall')).toThrow(expect.objectContaining({ code: 'E_PARAM_RANGE' }));
    expect(() => s.setMany([['eq.band1.gainDb', 3], ['nope.x', 1]], 'recall')).toThrow(expect.objectContaining({ code: 'E_PARAM_UNKNOWN' }));
    expect(s.get('eq.band1.gainDb')).toBe(0);
    expect(events).toBe(0);
  });

  it('emits one batch event with every actual change', () => {
    const s = makeStore();
    const batches: ParamBatch[] = [];
    s.on('batch', (b) => batches.push(b));
    const changes = s.setMany({ 'eq.band1.gainDb': 3, 'eq.band1.freqHz': 1000, 'comp.bypass': 1 }, 'recall');
    expect(changes.map((c) => c.id)).toEqual(['eq.band1.gainDb', 'comp.bypass']);
    expect(batches).toHaveLength(1);
    expect(batches[0]?.source).toBe('recall');
    expect(batches[0]?.changes).toHaveLength(2);
  });
});

describe('ParamStore registry', () => {
  it('refuses duplicate ids and unregisters by prefix', () => {
    const s = makeStore();
    expect(() => s.register({ id: 'comp.bypass', label: 'x', kind: 'toggle', unit: '', min: 0, max: 1, default: 0 })).toThrow(
      expect.objectContaining({ code: 'E_PARAM_DUPLICATE' }),
    );
    expect(s.unregister('outboard.eq1.')).toEqual(['outboard.eq1.lowGainDb']);
    expect(s.has('outboard.eq1.lowGainDb')).toBe(false);
    expect(() => s.get('outboard.eq1.lowGainDb')).toThrow(expect.objectContaining({ code: 'E_PARAM_UNKNOWN' }));
  });
});
