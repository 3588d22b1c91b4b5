import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XTouchSim } from '../../firmware-sim/surfaces/xtouch.ts';
import type { FakeMidiDevice } from '../../src/devices/midi/fake-midi-binding.ts';
import { TEST_XTOUCH_MAP, plugSim, rig, surfaceConfig, turns, until, type Rig } from './surface-helpers.ts';

const KNOBS = `
version: 1
type: midi
bindings:
  - { control: cc:0:16, param: comp.thresholdDb, encoding: twosComplement, step: 0.5 }
  - { control: cc14:0:7, param: comp.ratio }
  - { control: nrpn:0:5, param: comp.makeupDb }
  - { control: note:0:36, param: eq.band8.enabled, mode: toggle }
  - { control: pb:1, param: eq.band8.gainDb }
`;

/**
 * Random bytes into the surfaces, through the fake MIDI binding: no crash, and no phantom
 * change. A stream that never carries a status byte addressing a bound control must not change
 * any parameter, whatever else it holds (SysEx, other channels, stray data, truncated messages).
 */
describe('fuzzing the surface decoders (fast-check)', () => {
  let r: Rig;
  let xtouch: FakeMidiDevice;
  let knobs: FakeMidiDevice;

  beforeAll(async () => {
    r = await rig({
      surfaces: [surfaceConfig({ id: 'xtouch', type: 'mcu', match: 'X-Touch', map: 'xt' }), surfaceConfig({ id: 'knobs', type: 'midi', match: 'Knobs', map: 'k' })],
      maps: { xt: TEST_XTOUCH_MAP, k: KNOBS },
    });
    xtouch = plugSim(r.midiWorld, 'X-Touch', new XTouchSim());
    knobs = r.midiWorld.plug('Knobs');
    await r.manager.start();
    await until(() => r.manager.surfaces().every((s) => s.status === 'online'), 'online');
    await turns(20);
  });
  afterAll(async () => {
    await r.close();
  });

  // Status bytes that address nothing bound: other channels' notes/CCs, aftertouch, program change,
  // channel pressure, pitch bend on unbound channels, system common/real-time, SysEx.
  const MCU_SAFE = [0x81, 0x91, 0x9f, 0xa0, 0xb1, 0xbf, 0xc0, 0xd0, 0xe9, 0xef, 0xf0, 0xf1, 0xf2, 0xf3, 0xf6, 0xf7, 0xf8, 0xfe];
  const KNOBS_SAFE = [0x81, 0x92, 0xa0, 0xb2, 0xbf, 0xc0, 0xd0, 0xe0, 0xe2, 0xf0, 0xf1, 0xf2, 0xf6, 0xf7, 0xf8];
  const stream = (safe: number[]) => fc.array(fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.constantFrom(...safe)), { maxLength: 120 });

  it('MCU: streams without an MCU input status change nothing', async () => {
    await fc.assert(
      fc.asyncProperty(stream(MCU_SAFE), async (bytes) => {
        const before = r.changes.length;
        xtouch.send(bytes);
        await turns(4);
        expect(r.changes.slice(before)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('generic controller: streams without a bound status change nothing', async () => {
    await fc.assert(
      fc.asyncProperty(stream(KNOBS_SAFE), async (bytes) => {
        const before = r.changes.length;
        knobs.send(bytes);
        await turns(4);
        expect(r.changes.slice(before)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('any bytes at all: no crash, values stay in range, and a following valid message applies exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 150 }), fc.uint8Array({ maxLength: 150 }), async (a, b) => {
        xtouch.send(a);
        knobs.send(b);
        await turns(4);
        for (const id of r.store.ids()) {
          const spec = r.store.spec(id);
          const v = r.store.get(id);
          expect(v).toBeGreaterThanOrEqual(spec.min);
          expect(v).toBeLessThanOrEqual(spec.max);
        }
        expect(r.manager.surfaces().map((s) => s.status)).toEqual(['online', 'online']);
        // Whatever state the garbage left the parsers in, a complete message still works.
        r.store.set('eq.band3.gainDb', 0, 'test');
        r.store.set('comp.thresholdDb', -30, 'test');
        xtouch.send([0xf7, 0xb0, 0x12, 0x01]);
        knobs.send([0xf7, 0xb0, 16, 0x01]);
        await until(() => r.store.get('eq.band3.gainDb') === 0.5 && r.store.get('comp.thresholdDb') === -29.5, 'valid messages applied');
        await turns(4);
        expect(r.store.get('eq.band3.gainDb')).toBe(0.5);
        expect(r.store.get('comp.thresholdDb')).toBe(-29.5);
      }),
      { numRuns: 100 },
    );
  });
});
