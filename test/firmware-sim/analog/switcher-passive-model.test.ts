import { describe, expect, it } from 'vitest';
import { createAnalogModel } from '../../../firmware-sim/analog/create-analog-model.ts';
import { PassiveModel } from '../../../firmware-sim/analog/passive-model.ts';
import { SwitcherModel, type LoopProcessor } from '../../../firmware-sim/analog/switcher-model.ts';
import { rms, sine, stereo } from './signals.ts';

const FS = 48000;

/** A loop that records its turn and applies a gain (or kills the right/side channel). */
function probe(name: string, order: string[], gain = 1, killRight = false): LoopProcessor {
  return {
    process(ch, frames) {
      order.push(name);
      for (let i = 0; i < frames; i++) {
        (ch[0] as Float32Array)[i] = ((ch[0] as Float32Array)[i] as number) * gain;
        (ch[1] as Float32Array)[i] = killRight ? 0 : ((ch[1] as Float32Array)[i] as number) * gain;
      }
    },
  };
}

describe('HB-IS6 analog model', () => {
  it('runs the engaged loops in position order; loops out are skipped; bypass skips all', () => {
    const order: string[] = [];
    const m = new SwitcherModel();
    for (const n of [1, 2, 3]) m.setLoop(n, probe(`L${n}`, order));
    m.setAnalog({ noise: false, saturation: false });
    m.setParams({ 'loop1.in': 1, 'loop2.in': 0, 'loop3.in': 1, 'loop1.position': 3, 'loop3.position': 1, 'loop2.position': 2 });
    m.prepare(FS, 64);
    const buf = stereo(new Float32Array(64), new Float32Array(64));
    m.process(buf, 64);
    expect(order).toEqual(['L3', 'L1']);
    expect(m.chain()).toEqual([3, 1]);
    m.setParams({ bypass: 1, 'loop1.in': 1 });
    order.length = 0;
    m.process(buf, 64);
    expect(order).toEqual([]);
  });

  it('M/S on a loop: a loop that kills its second channel turns the side to zero, i.e. mono out', () => {
    const m = new SwitcherModel();
    m.setLoop(1, probe('ms', [], 1, true));
    m.setAnalog({ noise: false, saturation: false });
    m.setParams({ 'loop1.in': 1, 'loop1.ms': 1 });
    const [l, r] = stereo(sine(500, 1024, FS, 0.5), sine(700, 1024, FS, 0.3));
    m.process([l, r], 1024);
    for (let i = 0; i < 1024; i++) expect(l[i]).toBeCloseTo(r[i] as number, 7);
  });

  it('an engaged empty loop is a wire (send/return drivers off: exact)', () => {
    const m = createAnalogModel('switcher');
    m.setParams({ 'loop4.in': 1 });
    m.prepare(FS, 256);
    m.setAnalog({ noise: false, saturation: false });
    const [l, r] = stereo(sine(100, 256, FS, 0.9), sine(100, 256, FS, -0.9));
    const l0 = Float32Array.from(l);
    m.process([l, r], 256);
    expect(l).toEqual(l0);
  });
});

describe('HB-PEQ1 analog model', () => {
  function peq(values: Record<string, number>): PassiveModel {
    const m = new PassiveModel();
    m.setParams(values);
    m.prepare(FS, 512);
    m.setAnalog({ noise: false, saturation: false });
    return m;
  }

  it('flat is unity (make-up amplifier), exactly', () => {
    const m = peq({});
    const [l, r] = stereo(sine(1000, 2048, FS, 0.5), sine(80, 2048, FS, 0.5));
    const r0 = Float32Array.from(r);
    m.process([l, r], 2048);
    expect(r).toEqual(r0);
  });

  it('low boost and attenuation together: a bump at the switch frequency with a dip above it', () => {
    const m = peq({ lowFreqHz: 60, lowBoostDb: 8, lowAttenDb: 6 });
    expect(m.magnitudeDb(20)).toBeGreaterThan(1);
    expect(m.magnitudeDb(200)).toBeLessThan(m.magnitudeDb(20));
    expect(peq({ highFreqHz: 8000, highBoostDb: 5, highBandwidth: 1 }).magnitudeDb(8000)).toBeCloseTo(5, 6);
    const sharp = peq({ highFreqHz: 8000, highBoostDb: 5, highBandwidth: 1 }).magnitudeDb(4000);
    const broad = peq({ highFreqHz: 8000, highBoostDb: 5, highBandwidth: 10 }).magnitudeDb(4000);
    expect(broad).toBeGreaterThan(sharp + 1);
  });

  it('processes what it says it does', () => {
    const m = peq({ highAttenFreqHz: 5000, highAttenDb: 10 });
    const [l, r] = stereo(sine(15000, FS, FS, 0.3), sine(15000, FS, FS, 0.3));
    m.process([l, r], FS);
    expect(20 * Math.log10(rms(l, FS / 2, FS) / (0.3 / Math.SQRT2))).toBeCloseTo(m.magnitudeDb(15000), 1);
  });
});
