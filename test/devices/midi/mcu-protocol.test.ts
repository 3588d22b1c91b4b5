import { describe, expect, it } from 'vitest';
import {
  MCU_MODEL,
  allLedsOff,
  assignmentDisplay,
  assignmentSysex,
  backlightSaver,
  buttonLed,
  challengeResponse,
  channelMeter,
  channelMeterMode,
  deviceQuery,
  faderPosition,
  faderTouchSensitivity,
  fadersToMinimum,
  globalLcdMeterMode,
  goOffline,
  hostConnectionReply,
  lcdOffset,
  lcdWrite,
  ledRing,
  meterLevel,
  resetSurface,
  ringByte,
  ringPosition,
  segmentChar,
  timecodeDigit,
  timecodeSysex,
  touchlessFaderMoves,
  transportClick,
  versionRequest,
  xTouchColours,
} from '../../../src/devices/midi/mcu-protocol.ts';
import { fromHex, toHex } from '../../../src/devices/midi/midi-message.ts';
import { parseMidi } from '../../../src/devices/midi/midi-parser.ts';
import { isBridgeError } from '../../../src/errors.ts';

const hex = (b: Uint8Array): string => toHex(b);

describe('Mackie Control bytes, against the reference tables (control-surfaces.md §1)', () => {
  it('§1.1 header and model ids', () => {
    expect(MCU_MODEL).toEqual({ logicControl: 0x10, logicControlXt: 0x11, mackieControl: 0x14, mackieControlXt: 0x15 });
    expect(hex(deviceQuery(0x14))).toBe('F0 00 00 66 14 00 F7');
    expect(hex(deviceQuery(0x15))).toBe('F0 00 00 66 15 00 F7');
    expect(hex(deviceQuery(0x10))).toBe('F0 00 00 66 10 00 F7');
  });

  it('§1.2 challenge response follows the Logic doc formula (c3 >> 4), not Ardour (c3 >> c4)', () => {
    const c = [0x12, 0x34, 0x56, 0x78];
    const [c1, c2, c3, c4] = c as [number, number, number, number];
    const expected = [
      (c1 + (c2 ^ 0x0a) - c4) & 0x7f,
      ((c3 >> 4) ^ (c1 + c4)) & 0x7f,
      ((c4 - (c3 << 2)) ^ (c1 | c2)) & 0x7f,
      (c2 - c3 + (0xf0 ^ (c4 << 4))) & 0x7f,
    ];
    expect(challengeResponse(c)).toEqual(expected);
    // Hand-evaluated: r1 = (0x12 + (0x34^0x0A=0x3E) - 0x78) & 7F = -0x28 & 7F = 0x58.
    expect(challengeResponse(c)[0]).toBe(0x58);
    // r2 = (0x56 >> 4 = 5) ^ (0x12 + 0x78 = 0x8A) = 0x8F & 7F = 0x0F; Ardour's 0x56 >> 0x78 would differ.
    expect(challengeResponse(c)[1]).toBe(0x0f);
    for (const r of challengeResponse([0x7f, 0x7f, 0x7f, 0x7f])) expect(r).toBeLessThanOrEqual(0x7f);
    const serial = Array.from('XT12345', (ch) => ch.charCodeAt(0));
    expect(hex(hostConnectionReply(0x10, serial, c))).toBe(`F0 00 00 66 10 02 ${toHex(serial)} ${toHex(expected)} F7`);
  });

  it('§1.2/§1.3 utility SysEx', () => {
    expect(hex(goOffline(0x14))).toBe('F0 00 00 66 14 0F 7F F7');
    expect(hex(versionRequest(0x14))).toBe('F0 00 00 66 14 13 00 F7');
    expect(hex(transportClick(0x14, true))).toBe('F0 00 00 66 14 0A 01 F7');
    expect(hex(backlightSaver(0x14, 0x0f))).toBe('F0 00 00 66 14 0B 0F F7');
    expect(hex(touchlessFaderMoves(0x14, true))).toBe('F0 00 00 66 14 0C 01 F7');
    expect(hex(faderTouchSensitivity(0x14, 8, 3))).toBe('F0 00 00 66 14 0E 08 03 F7');
    expect(hex(channelMeterMode(0x14, 2, { lcd: true, peakHold: true, signalLed: true }))).toBe('F0 00 00 66 14 20 02 07 F7');
    expect(hex(channelMeterMode(0x14, 0, { signalLed: true }))).toBe('F0 00 00 66 14 20 00 01 F7');
    expect(hex(globalLcdMeterMode(0x14, true))).toBe('F0 00 00 66 14 21 01 F7');
    expect(hex(fadersToMinimum(0x14))).toBe('F0 00 00 66 14 61 F7');
    expect(hex(allLedsOff(0x14))).toBe('F0 00 00 66 14 62 F7');
    expect(hex(resetSurface(0x14))).toBe('F0 00 00 66 14 63 F7');
  });

  it('§1.4 fader position Ei LL MM, LSB first, master = 8', () => {
    expect(hex(faderPosition(0, 0x3fff))).toBe('E0 7F 7F');
    expect(hex(faderPosition(3, 8192))).toBe('E3 00 40');
    expect(hex(faderPosition(8, 0))).toBe('E8 00 00');
    expect(hex(faderPosition(7, 0x3e7f))).toBe('E7 7F 7C');
  });

  it('§1.6 V-Pot ring byte 0pmmvvvv, modes dot/boostCut/wrap/spread; Logic example B0 31 06', () => {
    expect(hex(ledRing(1, ringByte('dot', 6, false)))).toBe('B0 31 06');
    expect(ringByte('boostCut', 6, true)).toBe(0x56);
    expect(ringByte('wrap', 11, false)).toBe(0x2b);
    expect(ringByte('spread', 1, false)).toBe(0x31);
    // Position 0 is all LEDs off in every mode.
    expect(ringByte('spread', 0, false)).toBe(0x30);
    expect([0, 0.5, 1].map((v) => ringPosition('dot', v))).toEqual([1, 6, 11]);
    expect([0, 0.5, 1].map((v) => ringPosition('wrap', v))).toEqual([1, 6, 11]);
    expect([0, 0.5, 1].map((v) => ringPosition('spread', v))).toEqual([1, 4, 6]);
    expect(hex(ledRing(7, ringByte('boostCut', 11, false)))).toBe('B0 37 1B');
  });

  it('§1.7 button LEDs 00 off / 01 flash / 7F on', () => {
    expect(hex(buttonLed(0x5e, 'on'))).toBe('90 5E 7F');
    expect(hex(buttonLed(0x5e, 'flash'))).toBe('90 5E 01');
    expect(hex(buttonLed(0x18, 'off'))).toBe('90 18 00');
  });

  it('§1.8 LCD: Logic example writes "Hello" top-left; strip offsets L*0x38 + n*7', () => {
    expect(hex(lcdWrite(0x10, 0, 'Hello'))).toBe('F0 00 00 66 10 12 00 48 65 6C 6C 6F F7');
    expect(lcdOffset(0, 0)).toBe(0x00);
    expect(lcdOffset(3, 0)).toBe(21);
    expect(lcdOffset(0, 1)).toBe(0x38);
    expect(lcdOffset(7, 1)).toBe(0x38 + 49);
    // Non-ASCII becomes "_" (Ardour's fallback).
    expect(hex(lcdWrite(0x14, 0x38, 'é'))).toBe('F0 00 00 66 14 12 38 5F F7');
    // At most one line per message.
    expect(() => lcdWrite(0x14, 0, 'x'.repeat(57))).toThrow();
  });

  it('§1.8 X-Touch colour strips hdr 72 c0..c7, main 14 / extender 15', () => {
    const colours = ['off', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'] as const;
    expect(hex(xTouchColours(0x14, colours))).toBe('F0 00 00 66 14 72 00 01 02 03 04 05 06 07 F7');
    expect(hex(xTouchColours(0x15, colours.map(() => 'white')))).toBe('F0 00 00 66 15 72 07 07 07 07 07 07 07 07 F7');
  });

  it('§1.9 7-segment: Logic examples "Pn." (CC form), "10" (running status), "109.02.01.126" (SysEx form)', () => {
    // `B0 4B 10 4A 4E` in the doc uses running status; we send full messages that parse the same.
    expect(hex(assignmentDisplay('Pn.'))).toBe('B0 4B 10 B0 4A 4E');
    expect(parseMidi(assignmentDisplay('Pn.'))).toEqual(parseMidi(fromHex('B0 4B 10 4A 4E')));
    expect(hex(timecodeDigit(0, '0'))).toBe('B0 40 30');
    expect(hex(timecodeDigit(1, '1'))).toBe('B0 41 31');
    expect(parseMidi(fromHex('B0 40 30 41 31'))).toEqual(parseMidi(Uint8Array.from([...timecodeDigit(0, '0'), ...timecodeDigit(1, '1')])));
    expect(hex(timecodeSysex(0x10, '109.02.01.126'))).toBe('F0 00 00 66 10 10 36 32 31 71 30 72 30 79 30 31 F7');
    expect(segmentChar('A')).toBe(0x01);
    expect(segmentChar('z')).toBe(0x1a);
    expect(segmentChar(' ')).toBe(0x20);
    expect(segmentChar('~')).toBe(0x20);
    expect(segmentChar('5', true)).toBe(0x75);
    expect(hex(assignmentSysex(0x14, 'EQ'))).toBe('F0 00 00 66 14 11 11 05 F7');
  });

  it('§1.10 meters D0 0hhhllll: level 0-C, E overload, F clear', () => {
    expect(hex(channelMeter(3, 12))).toBe('D0 3C');
    expect(hex(channelMeter(7, 'overload'))).toBe('D0 7E');
    expect(hex(channelMeter(0, 'clearOverload'))).toBe('D0 0F');
    expect(meterLevel(-Infinity)).toBe(0);
    expect(meterLevel(Number.NaN)).toBe(0);
    expect(meterLevel(-61)).toBe(0);
    expect(meterLevel(-60)).toBe(1);
    expect(meterLevel(-6)).toBe(9);
    expect(meterLevel(0)).toBe(12);
    expect(meterLevel(3)).toBe(12);
  });

  it('refuses out-of-range arguments with E_MIDI_BAD_MESSAGE', () => {
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
        return undefined;
      } catch (err) {
        return isBridgeError(err) ? err.code : 'other';
      }
    };
    expect(code(() => faderPosition(9, 0))).toBe('E_MIDI_BAD_MESSAGE');
    expect(code(() => faderPosition(0, 0x4000))).toBe('E_MIDI_BAD_MESSAGE');
    expect(code(() => ringByte('dot', 12, false))).toBe('E_MIDI_BAD_MESSAGE');
    expect(code(() => channelMeter(8, 1))).toBe('E_MIDI_BAD_MESSAGE');
    expect(code(() => channelMeter(0, 13))).toBe('E_MIDI_BAD_MESSAGE');
    expect(code(() => hostConnectionReply(0x10, [1, 2, 3], [0, 0, 0, 0]))).toBe('E_MIDI_BAD_MESSAGE');
    expect(code(() => lcdWrite(0x14, 0x70, 'a'))).toBe('E_MIDI_BAD_MESSAGE');
  });
});
