import { describe, expect, it } from 'vitest';
import { XTouchSim } from '../../firmware-sim/surfaces/xtouch.ts';
import type { MeterFeed, MeterSnapshot } from '../../src/engine/meter-snapshot.ts';
import { StripMeters } from '../../src/control/strip-meters.ts';
import { TEST_XTOUCH_MAP, plugSim, rig, surfaceConfig, until } from './surface-helpers.ts';

function snapshot(stages: Record<string, [number, number]>, seq = 1): MeterSnapshot {
  return {
    seq,
    timeS: seq / 60,
    loudness: { momentaryLufs: -20, shortTermLufs: -20, integratedLufs: -20, loudnessRangeLu: 5, momentaryMaxLufs: -18, shortTermMaxLufs: -19, truePeakDbtp: -1, samplePeakDbfs: -1, plrDb: 19, psrDb: 10 },
    stages: Object.entries(stages).map(([id, [l, r]]) => ({ id, peakDb: [l, r], rmsDb: [l - 3, r - 3], holdDb: [l, r] })),
    gainReduction: [{ id: 'comp', db: 4.4 }],
    correlation: 1,
    balance: 0,
    spectrumHz: new Float32Array(0),
    spectrumDb: new Float32Array(0),
    nonFiniteSamples: 0,
    xruns: 0,
  };
}

class TestMeterFeed implements MeterFeed {
  readonly #listeners = new Set<(s: MeterSnapshot) => void>();
  #latest: MeterSnapshot | undefined;
  subscribe(listener: (s: MeterSnapshot) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  latest(): MeterSnapshot | undefined {
    return this.#latest;
  }
  publish(s: MeterSnapshot): void {
    this.#latest = s;
    for (const l of this.#listeners) l(s);
  }
}

const LONG_PAGE = `
version: 1
type: mcu
mcu: { model: xtouch, onlineTimeoutMs: 0 }
bindings:
  - { control: channelLeft, action: scrollLeft }
  - { control: channelRight, action: scrollRight }
  - { control: shift, action: fine }
  - { control: f1, action: recall, slot: 1 }
  - { control: assignEq, action: page, target: eq }
  - { control: assignPlugin, action: page, target: comp }
pages:
  - id: eq
    label: EQ
    strips:
${Array.from({ length: 8 }, (_, i) => `      - { param: eq.band${i + 1}.gainDb, step: 0.5 }`).join('\n')}
${Array.from({ length: 8 }, (_, i) => `      - { param: eq.band${i + 1}.freqHz, stepNormalised: 0.01 }`).join('\n')}
${Array.from({ length: 2 }, (_, i) => `      - { param: eq.band${i + 1}.q, stepNormalised: 0.01 }`).join('\n')}
  - id: comp
    label: Comp
    strips:
      - { param: comp.thresholdDb, step: 1 }
`;

describe('MCU surface: pages, extender, buttons, meters', () => {
  it('an X-Touch Extender (model 0x15) extends the page to 16 strips; Channel scrolls by one', async () => {
    const r = await rig({
      surfaces: [surfaceConfig({ id: 'xtouch', type: 'mcu', match: '/^X-Touch:/', extender: 'X-Touch-Ext', map: 'long' })],
      maps: { long: LONG_PAGE },
    });
    const main = new XTouchSim();
    const ext = new XTouchSim({ model: 0x15 });
    // A plain "X-Touch" pattern would match both ports; the regex and the extender pattern keep them apart.
    plugSim(r.midiWorld, 'X-Touch-Ext:X-Touch-Ext MIDI 1 28:0', ext);
    plugSim(r.midiWorld, 'X-Touch:X-Touch MIDI 1 24:0', main);
    try {
      await r.manager.start();
      await until(() => r.manager.surfaces()[0]?.status === 'online' && r.manager.surfaces()[0]?.reason === undefined, 'both units online');
      await until(() => ext.stripText(1, 0) !== '', 'extender drawn');
      expect(main.stripText(1, 0)).toBe('B1gain');
      expect(ext.stripText(1, 0)).toBe('B1frequ');
      expect(ext.received.filter((m) => m[0] === 0xf0 && m[5] === 0x12).every((m) => m[4] === 0x15)).toBe(true);
      ext.turnVpot(1, 2); // strip 9 = band 1 frequency
      await until(() => r.store.get('eq.band1.freqHz') !== 1000, 'strip 9 drives band 1 frequency');
      // 18 entries on 16 strips: Channel right twice shows the Q row's second entry on strip 16.
      main.press(0x31);
      main.release(0x31);
      main.press(0x31);
      await until(() => ext.stripText(8, 0) === 'Band2Q', 'scrolled');
      expect(main.stripText(1, 0)).toBe('B3gain');
      // No further scrolling past the end; its LED says so.
      await until(() => main.leds.get(0x31) === 'off', 'scroll right LED off at the end');
      expect(main.leds.get(0x30)).toBe('on');
    } finally {
      await r.close();
    }
  });

  it('an extender that is missing leaves the main unit online, with the reason', async () => {
    const r = await rig({ surfaces: [surfaceConfig({ id: 'xtouch', type: 'mcu', match: '/^X-Touch:/', extender: 'X-Touch-Ext', map: 'long' })], maps: { long: LONG_PAGE } });
    plugSim(r.midiWorld, 'X-Touch:X-Touch MIDI 1 24:0', new XTouchSim());
    try {
      await r.manager.start();
      await until(() => r.manager.surfaces()[0]?.status === 'online', 'online');
      expect(r.manager.surfaces()[0]?.reason).toBe('extender: no MIDI input port matching "X-Touch-Ext"');
    } finally {
      await r.close();
    }
  });

  it('shift is the fine modifier (a tenth of a step), strip buttons toggle with LEDs, F1 recalls, assign buttons jump pages', async () => {
    const r = await rig({ surfaces: [surfaceConfig({ id: 'xtouch', type: 'mcu', match: 'X-Touch', map: 'xt' })], maps: { xt: TEST_XTOUCH_MAP } });
    const sim = new XTouchSim();
    plugSim(r.midiWorld, 'X-Touch', sim);
    try {
      await r.manager.start();
      await until(() => r.manager.surfaces()[0]?.status === 'online', 'online');
      sim.press(0x46);
      sim.turnVpot(1, 3);
      sim.release(0x46);
      await until(() => Math.abs(r.store.get('eq.band1.gainDb') - 0.15) < 1e-12, 'fine');
      sim.turnVpot(1, 1);
      await until(() => Math.abs(r.store.get('eq.band1.gainDb') - 0.65) < 1e-12, 'coarse again');
      // Strip 3 mute is bound to eq.band3.enabled (toggle).
      await until(() => sim.leds.get(0x12) === 'on', 'LED shows enabled');
      sim.press(0x12);
      sim.release(0x12);
      await until(() => r.store.get('eq.band3.enabled') === 0 && sim.leds.get(0x12) === 'off', 'toggled, LED follows');
      sim.press(0x36);
      await until(() => r.actions.received.length === 1, 'F1');
      expect(r.actions.received[0]).toEqual({ action: { type: 'recall', slot: 1 }, origin: { surfaceId: 'xtouch', control: 'f1' } });
      // V-Pot push resets to the default.
      sim.press(0x20);
      await until(() => r.store.get('eq.band1.gainDb') === 0, 'push resets');
    } finally {
      await r.close();
    }
  });

  it('channel meters show the stage meters (D0), refreshed while there is signal, clip LED on overload', async () => {
    const feed = new TestMeterFeed();
    const r = await rig({ surfaces: [surfaceConfig({ id: 'xtouch', type: 'mcu', match: 'X-Touch', map: 'xt' })], maps: { xt: TEST_XTOUCH_MAP }, meters: feed });
    const sim = new XTouchSim();
    plugSim(r.midiWorld, 'X-Touch', sim);
    try {
      await r.manager.start();
      await until(() => r.manager.surfaces()[0]?.status === 'online', 'online');
      feed.publish(snapshot({ input: [-6, -60], insertSend: [-12, -12], insertReturn: [-80, -Infinity], output: [0.5, -3] }));
      await until(() => sim.meters[7]?.level === 10, 'output R at -3 dB');
      expect(sim.meters.map((m) => m.level)).toEqual([9, 1, 7, 7, 0, 0, 12, 10]);
      expect(sim.meters[6]?.overload).toBe(true);
      // Meter mode: signal LED + peak hold (no LCD meter: it would cover the scribble strips), sent at connect.
      await until(() => sim.meterModes.size === 8, 'meter modes');
      expect(sim.meterModes.get(0)).toBe(3);
    } finally {
      await r.close();
    }
  });

  it('meter refresh and overload hold follow the clock', () => {
    const out: [number, number | string][] = [];
    const m = new StripMeters([{ strip: 1, stage: 'output', channel: 0 }, { strip: 2, gainReduction: 'comp' }], (s, l) => out.push([s, l]), { refreshMs: 250, overloadHoldMs: 2000 });
    m.update(snapshot({ output: [-6, -6] }), 0);
    m.update(snapshot({ output: [-6, -6] }), 100); // same level, too soon: nothing
    m.update(snapshot({ output: [-6, -6] }), 300); // refresh
    m.update(snapshot({ output: [1, 1] }), 400);
    m.update(snapshot({ output: [-6, -6] }), 2500);
    expect(out).toEqual([
      [0, 9],
      [1, 4],
      [0, 9],
      [1, 4],
      [0, 12],
      [0, 'overload'],
      [0, 9],
      [0, 'clearOverload'],
      [1, 4],
    ]);
  });
});
