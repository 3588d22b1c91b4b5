import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { controlChange, controlChange14, fromHex, noteOn, parameterNumberWrite, pitchBend, splitMessages, toHex, type MidiMessage } from '../../../src/devices/midi/midi-message.ts';
import { MidiStreamParser, parseMidi } from '../../../src/devices/midi/midi-parser.ts';

const parseChunks = (chunks: Uint8Array[]): MidiMessage[] => {
  const p = new MidiStreamParser();
  const out: MidiMessage[] = [];
  for (const c of chunks) p.push(c, (m) => out.push(m));
  return out;
};

describe('MIDI stream parser', () => {
  it('running status: data after a complete channel message reuses the status (Logic doc: "all channel messages use running status")', () => {
    expect(parseMidi(fromHex('B0 10 01 11 41 12 05'))).toEqual([
      { type: 'cc', channel: 0, controller: 0x10, value: 1 },
      { type: 'cc', channel: 0, controller: 0x11, value: 0x41 },
      { type: 'cc', channel: 0, controller: 0x12, value: 5 },
    ]);
    expect(parseMidi(fromHex('E3 00 40 7F 7F'))).toEqual([
      { type: 'pitchBend', channel: 3, value: 8192 },
      { type: 'pitchBend', channel: 3, value: 16383 },
    ]);
    expect(parseMidi(fromHex('C2 05 06 D1 40 41'))).toEqual([
      { type: 'programChange', channel: 2, program: 5 },
      { type: 'programChange', channel: 2, program: 6 },
      { type: 'channelPressure', channel: 1, pressure: 0x40 },
      { type: 'channelPressure', channel: 1, pressure: 0x41 },
    ]);
  });

  it('real-time bytes pass through anywhere without breaking running status or SysEx', () => {
    expect(parseMidi(fromHex('90 F8 3C 7F FE 3D 00 F0 00 F8 01 F7'))).toEqual([
      { type: 'realtime', status: 0xf8 },
      { type: 'noteOn', channel: 0, note: 0x3c, velocity: 0x7f },
      { type: 'realtime', status: 0xfe },
      { type: 'noteOn', channel: 0, note: 0x3d, velocity: 0 },
      { type: 'realtime', status: 0xf8 },
      { type: 'sysex', bytes: fromHex('F0 00 01 F7') },
    ]);
  });

  it('SysEx split across chunks; a status byte inside SysEx truncates it (dropped, counted)', () => {
    const sx = fromHex('F0 00 00 66 14 12 00 48 65 6C 6C 6F F7');
    expect(parseChunks([sx.subarray(0, 3), sx.subarray(3, 9), sx.subarray(9)])).toEqual([{ type: 'sysex', bytes: sx }]);
    const p = new MidiStreamParser();
    const out: MidiMessage[] = [];
    p.push(fromHex('F0 00 00 66 90 40 7F'), (m) => out.push(m));
    expect(out).toEqual([{ type: 'noteOn', channel: 0, note: 0x40, velocity: 0x7f }]);
    expect(p.stats.truncatedSysex).toBe(1);
  });

  it('system common cancels running status; stray data bytes are counted and dropped', () => {
    const p = new MidiStreamParser();
    const out: MidiMessage[] = [];
    p.push(fromHex('40 41 B0 07 10 F3 02 08'), (m) => out.push(m));
    expect(out).toEqual([
      { type: 'cc', channel: 0, controller: 7, value: 0x10 },
      { type: 'systemCommon', status: 0xf3, data: [2] },
    ]);
    expect(p.stats.strayDataBytes).toBe(3);
  });

  it('oversized SysEx is dropped whole', () => {
    const p = new MidiStreamParser({ maxSysexBytes: 8 });
    const out: MidiMessage[] = [];
    p.push(fromHex('F0 01 02 03 04 05 06 07 08 09 F7 B0 01 02'), (m) => out.push(m));
    expect(out).toEqual([{ type: 'cc', channel: 0, controller: 1, value: 2 }]);
    expect(p.stats.oversizedSysex).toBe(1);
  });

  it('message builders produce what the parser reads back', () => {
    expect(toHex(controlChange14(2, 7, 0x2345))).toBe('B2 07 46 B2 27 45');
    expect(toHex(pitchBend(0, 8192))).toBe('E0 00 40');
    expect(toHex(parameterNumberWrite('nrpn', 0, 0x0123, 0x1fff))).toBe('B0 63 02 B0 62 23 B0 06 3F B0 26 7F B0 65 7F B0 64 7F');
    expect(toHex(parameterNumberWrite('rpn', 1, 0, 64, 7))).toBe('B1 65 00 B1 64 00 B1 06 40 B1 65 7F B1 64 7F');
    expect(splitMessages(fromHex('90 40 7F F0 01 F7 B0 07 10 F8')).map((m) => toHex(m))).toEqual(['90 40 7F', 'F0 01 F7', 'B0 07 10', 'F8']);
  });

  it('property: any chunking of a byte stream parses to the same messages', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 20 }), (bytes, sizes) => {
        const whole = parseMidi(bytes);
        const chunks: Uint8Array[] = [];
        let i = 0;
        let k = 0;
        while (i < bytes.length) {
          const n = sizes[k++ % sizes.length] as number;
          chunks.push(bytes.subarray(i, i + n));
          i += n;
        }
        expect(parseChunks(chunks)).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });

  it('property: random bytes never throw and every message is well-formed', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        for (const m of parseMidi(bytes)) {
          if ('channel' in m) {
            expect(m.channel).toBeGreaterThanOrEqual(0);
            expect(m.channel).toBeLessThan(16);
          }
          if (m.type === 'cc') expect(m.value).toBeLessThan(128);
          if (m.type === 'pitchBend') expect(m.value).toBeLessThan(16384);
          if (m.type === 'sysex') {
            expect(m.bytes[0]).toBe(0xf0);
            expect(m.bytes[m.bytes.length - 1]).toBe(0xf7);
            for (const b of m.bytes.subarray(1, -1)) expect(b).toBeLessThan(0x80);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('builders validate their arguments', () => {
    expect(() => noteOn(16, 0, 0)).toThrow();
    expect(() => controlChange(0, 128, 0)).toThrow();
    expect(() => controlChange14(0, 32, 0)).toThrow();
    expect(() => pitchBend(0, 16384)).toThrow();
  });
});
