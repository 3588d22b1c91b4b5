import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mcuButtonForNote, mcuStripButtonNote, MCU_BUTTONS } from '../../../src/devices/midi/mcu-buttons.ts';
import { decodeMcu, type McuInput } from '../../../src/devices/midi/mcu-decoder.ts';
import { fromHex } from '../../../src/devices/midi/midi-message.ts';
import { parseMidi } from '../../../src/devices/midi/midi-parser.ts';
import { guessEncoding } from '../../../src/devices/midi/relative-encoding.ts';

const decode = (hexText: string): (McuInput | undefined)[] => parseMidi(fromHex(hexText)).map(decodeMcu);

describe('Mackie Control input decoding', () => {
  it('faders Ei LL MM (LSB first), master on channel 8, nothing above', () => {
    expect(decode('E2 7F 7F')).toEqual([{ type: 'fader', strip: 2, value: 0x3fff }]);
    expect(decode('E8 00 40')).toEqual([{ type: 'fader', strip: 8, value: 0x2000 }]);
    expect(decode('E9 00 40')).toEqual([undefined]);
  });

  it('touch notes 68-6F / 70, release as note-on velocity 0 or note-off', () => {
    expect(decode('90 68 7F 90 70 7F 90 6A 00 80 6B 40')).toEqual([
      { type: 'touch', strip: 0, touched: true },
      { type: 'touch', strip: 8, touched: true },
      { type: 'touch', strip: 2, touched: false },
      { type: 'touch', strip: 3, touched: false },
    ]);
  });

  it('V-Pots sign-magnitude, Logic doc examples B0 10 01 = +1, B0 17 47 = -7; zero means one tick (Ardour)', () => {
    expect(decode('B0 10 01 B0 17 47 B0 12 00 B0 13 40 B0 11 3F')).toEqual([
      { type: 'vpot', strip: 0, ticks: 1 },
      { type: 'vpot', strip: 7, ticks: -7 },
      { type: 'vpot', strip: 2, ticks: 1 },
      { type: 'vpot', strip: 3, ticks: -1 },
      { type: 'vpot', strip: 1, ticks: 63 },
    ]);
  });

  it('jog (CC 3C, sign-magnitude) and the external controller (CC 2E, absolute)', () => {
    expect(decode('B0 3C 41 B0 3C 05 B0 2E 40')).toEqual([
      { type: 'jog', ticks: -1 },
      { type: 'jog', ticks: 5 },
      { type: 'external', value: 0x40 },
    ]);
  });

  it('buttons by name, strip buttons with their strip, other channels ignored', () => {
    expect(decode('90 5E 7F 90 5E 00 90 1A 7F 90 22 7F 91 5E 7F')).toEqual([
      { type: 'button', name: 'play', note: 0x5e, pressed: true },
      { type: 'button', name: 'play', note: 0x5e, pressed: false },
      { type: 'button', name: 'select', strip: 2, note: 0x1a, pressed: true },
      { type: 'button', name: 'vpotPush', strip: 2, note: 0x22, pressed: true },
      undefined,
    ]);
  });

  it('every note of the §1.7 table maps back to its name', () => {
    for (const [name, note] of MCU_BUTTONS) expect(mcuButtonForNote(note)).toEqual({ name });
    expect(mcuButtonForNote(0x00)).toEqual({ name: 'rec', strip: 0 });
    expect(mcuButtonForNote(0x0f)).toEqual({ name: 'solo', strip: 7 });
    expect(mcuButtonForNote(0x10)).toEqual({ name: 'mute', strip: 0 });
    expect(mcuStripButtonNote('select', 7)).toBe(0x1f);
    expect(MCU_BUTTONS.get('bankLeft')).toBe(0x2e);
    expect(MCU_BUTTONS.get('userB')).toBe(0x67);
    expect(mcuButtonForNote(0x68)).toBeUndefined(); // touch, not a button
  });

  it('handshake SysEx: host connection query (18 bytes), confirmation, error, version; wrong length or maker -> nothing', () => {
    const serial = '58 54 31 32 33 34 35';
    expect(decode(`F0 00 00 66 10 01 ${serial} 12 34 56 78 F7`)).toEqual([
      { type: 'hostConnectionQuery', model: 0x10, serial: [0x58, 0x54, 0x31, 0x32, 0x33, 0x34, 0x35], challenge: [0x12, 0x34, 0x56, 0x78] },
    ]);
    expect(decode(`F0 00 00 66 14 03 ${serial} F7`)).toEqual([{ type: 'hostConnectionConfirmation', model: 0x14, serial: [0x58, 0x54, 0x31, 0x32, 0x33, 0x34, 0x35] }]);
    expect(decode(`F0 00 00 66 10 04 ${serial} F7`)[0]?.type).toBe('hostConnectionError');
    expect(decode('F0 00 00 66 14 14 31 2E 32 32 20 F7')).toEqual([{ type: 'version', model: 0x14, version: '1.22' }]);
    expect(decode('F0 00 00 66 14 06 00 F7')).toEqual([{ type: 'ready', model: 0x14 }]);
    expect(decode(`F0 00 00 66 10 01 ${serial} 12 34 56 F7`)).toEqual([undefined]);
    expect(decode('F0 00 20 32 14 01 00 F7')).toEqual([undefined]);
  });

  it('property: random bytes decode to well-formed MCU inputs only (no crash, values in range)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        for (const m of parseMidi(bytes)) {
          const ev = decodeMcu(m);
          if (!ev) continue;
          switch (ev.type) {
            case 'fader':
              expect(ev.strip).toBeLessThanOrEqual(8);
              expect(ev.value).toBeLessThanOrEqual(0x3fff);
              break;
            case 'touch':
              expect(ev.strip).toBeLessThanOrEqual(8);
              break;
            case 'vpot':
            case 'jog': {
              const t = ev.ticks;
              expect(t !== 0 && Math.abs(t) <= 63).toBe(true);
              break;
            }
            case 'button':
              expect(ev.note).toBeLessThan(0x68);
              break;
            case 'hostConnectionQuery':
              expect(ev.serial).toHaveLength(7);
              expect(ev.challenge).toHaveLength(4);
              break;
            default:
              break;
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('property: the learn guess never throws and only offers encodings that fit', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 127 }), { maxLength: 8 }), (values) => {
        const g = guessEncoding(values);
        expect(g.confidence).toBeGreaterThanOrEqual(0);
        expect(g.confidence).toBeLessThanOrEqual(1);
        if (g.mode === 'relative') expect(g.candidates).toContain(g.encoding);
      }),
    );
  });
});
