import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ControllerDecoder, type ControllerEvent } from '../../../src/devices/midi/controller-decoder.ts';
import { fromHex } from '../../../src/devices/midi/midi-message.ts';
import { parseMidi } from '../../../src/devices/midi/midi-parser.ts';

function run(hexText: string, pairs: { channel: number; controller: number }[] = []): ControllerEvent[] {
  const d = new ControllerDecoder();
  d.setPairs(pairs);
  const out: ControllerEvent[] = [];
  for (const m of parseMidi(fromHex(hexText))) d.feed(m, (e) => out.push(e));
  return out;
}

describe('14-bit CC pairs', () => {
  it('MSB on n, LSB on n+32: value = MSB*128 + LSB; the MSB resets the LSB to 0', () => {
    expect(run('B0 07 46 B0 27 45', [{ channel: 0, controller: 7 }])).toEqual([
      { kind: 'cc14', channel: 0, controller: 7, value: 0x46 << 7, part: 'msb' },
      { kind: 'cc14', channel: 0, controller: 7, value: (0x46 << 7) | 0x45, part: 'lsb' },
    ]);
  });

  it('accepts LSB-only updates (fine moves), combined with the last MSB', () => {
    expect(run('B0 07 10 27 01 27 02 27 03', [{ channel: 0, controller: 7 }]).map((e) => ('value' in e ? e.value : -1))).toEqual([
      0x10 << 7,
      (0x10 << 7) | 1,
      (0x10 << 7) | 2,
      (0x10 << 7) | 3,
    ]);
  });

  it('an LSB before any MSB is not a value (no phantom change); undeclared pairs stay plain 7-bit CCs', () => {
    expect(run('B0 27 05', [{ channel: 0, controller: 7 }])).toEqual([]);
    expect(run('B0 07 46 B0 27 45')).toEqual([
      { kind: 'cc', channel: 0, controller: 7, value: 0x46 },
      { kind: 'cc', channel: 0, controller: 0x27, value: 0x45 },
    ]);
    // Pairs are per channel.
    expect(run('B1 07 01', [{ channel: 0, controller: 7 }])).toEqual([{ kind: 'cc', channel: 1, controller: 7, value: 1 }]);
  });
});

describe('NRPN / RPN (MIDI spec numbering, not Ardour\'s swapped labels)', () => {
  it('NRPN: CC 99 MSB, 98 LSB select; CC 6 / 38 data', () => {
    expect(run('B0 63 02 B0 62 23 B0 06 3F B0 26 7F')).toEqual([
      { kind: 'nrpn', channel: 0, parameter: 0x0123, value: 0x3f << 7, part: 'msb' },
      { kind: 'nrpn', channel: 0, parameter: 0x0123, value: (0x3f << 7) | 0x7f, part: 'lsb' },
    ]);
  });

  it('RPN: CC 101 / 100 select; null RPN 7F 7F ends the selection (data entry is a plain CC again)', () => {
    expect(run('B0 65 00 64 00 06 02 26 00 65 7F 64 7F 06 10')).toEqual([
      { kind: 'rpn', channel: 0, parameter: 0, value: 2 << 7, part: 'msb' },
      { kind: 'rpn', channel: 0, parameter: 0, value: 2 << 7, part: 'lsb' },
      { kind: 'cc', channel: 0, controller: 6, value: 0x10 },
    ]);
  });

  it('data increment (CC 96) and decrement (CC 97) step the selected parameter', () => {
    expect(run('B0 63 00 62 05 60 00 60 00 61 7F')).toEqual([
      { kind: 'nrpnStep', channel: 0, parameter: 5, delta: 1 },
      { kind: 'nrpnStep', channel: 0, parameter: 5, delta: 1 },
      { kind: 'nrpnStep', channel: 0, parameter: 5, delta: -1 },
    ]);
    expect(run('B2 65 00 64 01 61 00')).toEqual([{ kind: 'rpnStep', channel: 2, parameter: 1, delta: -1 }]);
  });

  it('CC 62/63 are NRPN LSB/MSB (Ardour labels them RPN: reference §2.2)', () => {
    const events = run('B0 63 00 B0 62 07 B0 06 40');
    expect(events[0]?.kind).toBe('nrpn');
  });

  it('data entry without a selection is a plain CC; an LSB without MSB for the parameter is ignored', () => {
    expect(run('B0 06 40 B0 26 01')).toEqual([
      { kind: 'cc', channel: 0, controller: 6, value: 0x40 },
      { kind: 'cc', channel: 0, controller: 38, value: 1 },
    ]);
    expect(run('B0 63 00 62 01 26 05')).toEqual([]);
  });

  it('property: random CC streams never throw and values stay in range', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 127 }), fc.integer({ min: 0, max: 127 })), { maxLength: 200 }), (ccs) => {
        const d = new ControllerDecoder();
        d.setPairs([{ channel: 0, controller: 7 }, { channel: 3, controller: 1 }]);
        for (const [channel, controller, value] of ccs) {
          d.feed({ type: 'cc', channel, controller, value }, (e) => {
            if ('value' in e) {
              expect(e.value).toBeLessThanOrEqual(16383);
              expect(e.value).toBeGreaterThanOrEqual(0);
            }
            if ('parameter' in e) expect(e.parameter).toBeLessThanOrEqual(16383);
          });
        }
      }),
      { numRuns: 300 },
    );
  });
});
