import { BridgeError } from '../../errors.ts';

/**
 * Mackie Control Universal / Logic Control byte builders. Pure functions, byte-exact against
 * the tables in shared/reference/control-surfaces.md §1 (which cites the Logic Pro 7.2
 * "Logic Control - MIDI Implementation" appendix, pages 239-249, TouchMCU and Ardour).
 * Every function returns one complete message (or a few, concatenated).
 */

/** Model ids (reference §1.1). */
export const MCU_MODEL = {
  logicControl: 0x10,
  logicControlXt: 0x11,
  /** Mackie Control Universal/Pro, Behringer X-Touch in MC mode, X-Touch One. */
  mackieControl: 0x14,
  /** Mackie Control XT, Behringer X-Touch Extender in MC mode (helgobox #584). */
  mackieControlXt: 0x15,
} as const;

/** Mackie manufacturer id `00 00 66` (Logic doc p.239). */
export const MACKIE_MFR = [0x00, 0x00, 0x66] as const;

/** SysEx command bytes (reference §1.2, §1.3). */
export const MCU_SYSEX = {
  deviceQuery: 0x00,
  hostConnectionQuery: 0x01,
  hostConnectionReply: 0x02,
  hostConnectionConfirmation: 0x03,
  hostConnectionError: 0x04,
  /** Not in the Logic doc: Ardour treats byte 5 = 06 from an X-Touch Compact as "ready". */
  xTouchCompactReady: 0x06,
  transportClick: 0x0a,
  backlightSaver: 0x0b,
  touchlessFaders: 0x0c,
  faderTouchSensitivity: 0x0e,
  goOffline: 0x0f,
  timecodeDisplay: 0x10,
  assignmentDisplay: 0x11,
  lcd: 0x12,
  versionRequest: 0x13,
  versionReply: 0x14,
  channelMeterMode: 0x20,
  globalLcdMeterMode: 0x21,
  fadersToMinimum: 0x61,
  allLedsOff: 0x62,
  reset: 0x63,
  /** X-Touch colour scribble strips (Ardour `Surface::display_colors_on_xtouch`; needs fw >= 1.22, UNSURE). */
  xTouchColours: 0x72,
} as const;

/** CC numbers on channel 0 (reference §1.5, §1.6, §1.9). */
export const MCU_CC = {
  vpotBase: 0x10, // 10-17: V-Pot rotation, strips 1-8
  external: 0x2e, // expression pedal, absolute
  ringBase: 0x30, // 30-37: V-Pot LED rings
  jog: 0x3c,
  timecodeBase: 0x40, // 40-49: timecode digits, 40 = right-most
  assignmentRight: 0x4a,
  assignmentLeft: 0x4b,
} as const;

/** Note numbers (reference §1.4, §1.7). */
export const MCU_NOTE = {
  vpotPushBase: 0x20,
  touchBase: 0x68, // 68-6F strips 1-8
  touchMaster: 0x70,
} as const;

/** Strip count of one unit; the master fader is strip index 8 for fader messages. */
export const MCU_STRIPS = 8;
export const MCU_MASTER_FADER = 8;
export const MCU_FADER_MAX = 0x3fff;
/** LCD: 2 lines of 56 characters (Logic doc p.246). */
export const MCU_LCD_LINE = 56;
export const MCU_LCD_CELL = 7;

export const RING_MODES = ['dot', 'boostCut', 'wrap', 'spread'] as const;
/** Ring modes, bits 5-4 of the ring byte (Ardour `pot.h`: dot 0, boost_cut 1, wrap 2, spread 3). */
export type RingMode = (typeof RING_MODES)[number];

export const LED_STATES = ['off', 'flash', 'on'] as const;
export type LedState = (typeof LED_STATES)[number];

export const XTOUCH_COLOURS = ['off', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'] as const;
/** X-Touch scribble strip colours, one byte per strip 0-7 (reference §1.8). */
export type XTouchColour = (typeof XTOUCH_COLOURS)[number];

const bad = (message: string, details: Record<string, unknown>): BridgeError => new BridgeError('E_MIDI_BAD_MESSAGE', message, { details });

function int(what: string, v: number, lo: number, hi: number): number {
  if (!Number.isInteger(v) || v < lo || v > hi) throw bad(`${what} must be an integer ${lo}..${hi}, got ${v}`, { what, value: v });
  return v;
}

/** `F0 00 00 66 <model> <body…> F7` (reference §1.1). */
export function mcuSysex(model: number, body: readonly number[]): Uint8Array {
  int('model id', model, 0, 0x7f);
  for (const b of body) int('SysEx data byte', b, 0, 0x7f);
  return Uint8Array.from([0xf0, ...MACKIE_MFR, model, ...body, 0xf7]);
}

/** Device Query `hdr 00 F7` (reference §1.2). The host must not block on the reply. */
export function deviceQuery(model: number): Uint8Array {
  return mcuSysex(model, [MCU_SYSEX.deviceQuery]);
}

/**
 * Logic Control challenge response (Logic doc p.240; TouchMCU). r2 shifts c3 by 4, as the manual
 * says; Ardour's `calculate_challenge_response` shifts by c4, which is a bug (reference §1.2).
 */
export function challengeResponse(challenge: readonly [number, number, number, number] | readonly number[]): [number, number, number, number] {
  const [c1, c2, c3, c4] = [0, 1, 2, 3].map((i) => int('challenge byte', challenge[i] ?? -1, 0, 0x7f)) as [number, number, number, number];
  return [
    0x7f & (c1 + (c2 ^ 0x0a) - c4),
    0x7f & ((c3 >> 4) ^ (c1 + c4)),
    0x7f & ((c4 - (c3 << 2)) ^ (c1 | c2)),
    0x7f & (c2 - c3 + (0xf0 ^ (c4 << 4))),
  ];
}

/** Host Connection Reply `hdr 02 s1..s7 r1..r4 F7`, due within 300 ms of the query (Logic doc). */
export function hostConnectionReply(model: number, serial: readonly number[], challenge: readonly number[]): Uint8Array {
  if (serial.length !== 7) throw bad(`the serial number has 7 bytes, got ${serial.length}`, { serial });
  return mcuSysex(model, [MCU_SYSEX.hostConnectionReply, ...serial, ...challengeResponse(challenge)]);
}

/** Go Offline `hdr 0F 7F F7`. */
export function goOffline(model: number): Uint8Array {
  return mcuSysex(model, [MCU_SYSEX.goOffline, 0x7f]);
}

/** Firmware version request `hdr 13 00 F7`; the reply is `hdr 14 v1..v5 F7`. */
export function versionRequest(model: number): Uint8Array {
  return mcuSysex(model, [MCU_SYSEX.versionRequest, 0x00]);
}

/** Transport button click `hdr 0A 00|01` (reference §1.3). */
export function transportClick(model: number, on: boolean): Uint8Array {
  return mcuSysex(model, [MCU_SYSEX.transportClick, on ? 1 : 0]);
}

/** LCD backlight saver `hdr 0B ll`: 0 off, 1-127 minutes (default 0F). */
export function backlightSaver(model: number, minutes: number): Uint8Array {
  return mcuSysex(model, [MCU_SYSEX.backlightSaver, int('backlight minutes', minutes, 0, 0x7f)]);
}

/** `hdr 0C mm`: 00 fader moves only when touched, 01 also untouched (fingernail, pen). */
export function touchlessFaderMoves(model: number, enabled: boolean): Uint8Array {
  return mcuSysex(model, [MCU_SYSEX.touchlessFaders, enabled ? 1 : 0]);
}

/** Fader touch sensitivity `hdr 0E ii ss`: ii 0-7, master 8; ss 0-5 (default 3). */
export function faderTouchSensitivity(model: number, fader: number, level: number): Uint8Array {
  return mcuSysex(model, [MCU_SYSEX.faderTouchSensitivity, int('fader', fader, 0, 8), int('sensitivity', level, 0, 5)]);
}

/** Channel meter mode `hdr 20 ii mm`, mm = 00000lps (reference §1.3, §1.10). */
export function channelMeterMode(model: number, strip: number, mode: { lcd?: boolean; peakHold?: boolean; signalLed?: boolean }): Uint8Array {
  const mm = (mode.lcd ? 4 : 0) | (mode.peakHold ? 2 : 0) | (mode.signalLed ? 1 : 0);
  return mcuSysex(model, [MCU_SYSEX.channelMeterMode, int('strip', strip, 0, 7), mm]);
}

/** Global LCD meter orientation `hdr 21 00|01` (00 horizontal). The LCD ignores writes for 600 ms after. */
export function globalLcdMeterMode(model: number, vertical: boolean): Uint8Array {
  return mcuSysex(model, [MCU_SYSEX.globalLcdMeterMode, vertical ? 1 : 0]);
}

export function fadersToMinimum(model: number): Uint8Array {
  return mcuSysex(model, [MCU_SYSEX.fadersToMinimum]);
}
export function allLedsOff(model: number): Uint8Array {
  return mcuSysex(model, [MCU_SYSEX.allLedsOff]);
}
export function resetSurface(model: number): Uint8Array {
  return mcuSysex(model, [MCU_SYSEX.reset]);
}

/**
 * LCD text to MCU character codes. Printable ASCII passes; everything else becomes `_`, as
 * Ardour does after its ISO-8859-1 conversion (codes below 0x20 are custom glyphs on the unit,
 * and the X-Touch ignores many special characters: reference §1.8).
 */
export function lcdChars(text: string): number[] {
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0x5f;
    out.push(c >= 0x20 && c <= 0x7e ? c : 0x5f);
  }
  return out;
}

/**
 * LCD write `hdr 12 oo c… F7` (Logic doc p.246): oo 00-37 upper line, 38-6F lower line;
 * text runs on from the upper into the lower line. We never send more than one line (56
 * bytes) per message: the payload limit is 100 (Logic doc) or 112 (TouchMCU), reference UNSURE.
 */
export function lcdWrite(model: number, offset: number, text: string): Uint8Array {
  int('LCD offset', offset, 0, 2 * MCU_LCD_LINE - 1);
  const chars = lcdChars(text);
  if (chars.length > MCU_LCD_LINE) throw bad(`at most ${MCU_LCD_LINE} LCD characters per message, got ${chars.length}`, { length: chars.length });
  if (offset + chars.length > 2 * MCU_LCD_LINE) throw bad('LCD write runs past the end of the display', { offset, length: chars.length });
  return mcuSysex(model, [MCU_SYSEX.lcd, offset, ...chars]);
}

/** Offset of strip n (0-7), line 0/1: `oo = line * 0x38 + n * 7` (reference §1.8). */
export function lcdOffset(strip: number, line: 0 | 1): number {
  return line * MCU_LCD_LINE + int('strip', strip, 0, 7) * MCU_LCD_CELL;
}

/** X-Touch colour strips `hdr 72 c0 … c7 F7`, model 14 main unit, 15 extender (reference §1.8). */
export function xTouchColours(model: number, colours: readonly XTouchColour[]): Uint8Array {
  if (colours.length !== 8) throw bad(`8 strip colours expected, got ${colours.length}`, { count: colours.length });
  return mcuSysex(model, [MCU_SYSEX.xTouchColours, ...colours.map((c) => XTOUCH_COLOURS.indexOf(c))]);
}

/** Fader position `Ei LL MM` (Logic doc p.242): i 0-7 strips, 8 master; value = MM << 7 | LL. */
export function faderPosition(strip: number, value: number): Uint8Array {
  int('fader', strip, 0, 8);
  int('fader value', value, 0, MCU_FADER_MAX);
  return Uint8Array.of(0xe0 | strip, value & 0x7f, value >> 7);
}

/** Ring byte `0pmmvvvv` (Logic doc p.243): p centre LED, mm mode, vvvv position 0-B (0 = all off). */
export function ringByte(mode: RingMode, position: number, centre: boolean): number {
  int('ring position', position, 0, 11);
  return (centre ? 0x40 : 0) | (RING_MODES.indexOf(mode) << 4) | position;
}

/**
 * Ring position for a normalised value. dot / boost-cut / wrap use positions 1-11 (11 LEDs);
 * spread uses 1-6 (1 = centre only, 6 = all LEDs; TouchMCU table, bjoluc `1 + round(v * 5)`).
 */
export function ringPosition(mode: RingMode, normalised: number): number {
  const v = normalised < 0 ? 0 : normalised > 1 ? 1 : normalised;
  return mode === 'spread' ? 1 + Math.round(v * 5) : 1 + Math.round(v * 10);
}

/** V-Pot LED ring `B0 3i XX` (reference §1.6; example `B0 31 06` = ring 2 at position 6). */
export function ledRing(strip: number, byte: number): Uint8Array {
  return Uint8Array.of(0xb0, MCU_CC.ringBase + int('strip', strip, 0, 7), int('ring byte', byte, 0, 0x7f));
}

/** Button LED `90 nn 00|01|7F`: off, flash, on (Logic doc p.242). */
export function buttonLed(note: number, state: LedState): Uint8Array {
  return Uint8Array.of(0x90, int('note', note, 0, 0x7f), state === 'on' ? 0x7f : state === 'flash' ? 0x01 : 0x00);
}

/**
 * 7-segment character code (reference §1.9): ASCII 40-5F are sent minus 40 (A = 01 … Z = 1A),
 * ASCII 20-3F as-is; lower case is upper-cased first and anything else becomes a space (Ardour).
 * Bit 6 is the decimal point.
 */
export function segmentChar(ch: string, dot = false): number {
  const c = ch.toUpperCase().codePointAt(0) ?? 0x20;
  let code: number;
  if (c >= 0x40 && c <= 0x5f) code = c - 0x40;
  else if (c >= 0x20 && c <= 0x3f) code = c;
  else code = 0x20;
  return code | (dot ? 0x40 : 0);
}

/** Split display text into characters with their decimal points: "109.02" -> 1,0,9.,0,2. */
export function segmentCells(text: string): { ch: string; dot: boolean }[] {
  const cells: { ch: string; dot: boolean }[] = [];
  for (const ch of text) {
    const last = cells[cells.length - 1];
    if (ch === '.' && last && !last.dot) last.dot = true;
    else cells.push({ ch, dot: false });
  }
  return cells;
}

/**
 * Assignment display, CC form `B0 4B <left> B0 4A <right>` (the SysEx form failed on an MCU Pro
 * in TouchMCU's tests, reference §1.9). Logic doc example: `B0 4B 10 4A 4E` = "Pn.".
 */
export function assignmentDisplay(text: string): Uint8Array {
  const cells = segmentCells(text);
  while (cells.length < 2) cells.push({ ch: ' ', dot: false });
  const [left, right] = cells.slice(-2) as [{ ch: string; dot: boolean }, { ch: string; dot: boolean }];
  return Uint8Array.of(0xb0, MCU_CC.assignmentLeft, segmentChar(left.ch, left.dot), 0xb0, MCU_CC.assignmentRight, segmentChar(right.ch, right.dot));
}

/** One timecode digit `B0 4i yy`, i = 0 right-most … 9 left-most. */
export function timecodeDigit(index: number, ch: string, dot = false): Uint8Array {
  return Uint8Array.of(0xb0, MCU_CC.timecodeBase + int('digit', index, 0, 9), segmentChar(ch, dot));
}

/** Timecode/BBT SysEx form `hdr 10 yy… F7`, first byte = right-most digit (Logic doc example). */
export function timecodeSysex(model: number, text: string): Uint8Array {
  const cells = segmentCells(text).slice(-10).reverse();
  return mcuSysex(model, [MCU_SYSEX.timecodeDisplay, ...cells.map((c) => segmentChar(c.ch, c.dot))]);
}

/** Assignment SysEx form `hdr 11 yy yy F7` (right-most first, like the timecode form). */
export function assignmentSysex(model: number, text: string): Uint8Array {
  const cells = segmentCells(text);
  while (cells.length < 2) cells.push({ ch: ' ', dot: false });
  const [left, right] = cells.slice(-2) as [{ ch: string; dot: boolean }, { ch: string; dot: boolean }];
  return mcuSysex(model, [MCU_SYSEX.assignmentDisplay, segmentChar(right.ch, right.dot), segmentChar(left.ch, left.dot)]);
}

/** Channel meter `D0 XX`, XX = 0hhhllll (Logic doc p.249): level 0-C, E set overload, F clear. */
export function channelMeter(strip: number, level: number | 'overload' | 'clearOverload'): Uint8Array {
  int('strip', strip, 0, 7);
  const l = level === 'overload' ? 0x0e : level === 'clearOverload' ? 0x0f : int('meter level', level, 0, 0x0c);
  return Uint8Array.of(0xd0, (strip << 4) | l);
}

/**
 * dB to meter level 0-12 (Logic doc p.249: 0-C = 0-100 %). The Logic doc gives no dB law;
 * these 12 thresholds (-60 … 0 dBFS) give mastering-useful resolution near the top. 12 (C)
 * lights at 0 dBFS; an overload flag is separate (E/F).
 */
export const METER_THRESHOLDS_DB = [-60, -50, -40, -30, -24, -18, -14, -10, -6, -3, -1, 0] as const;

export function meterLevel(db: number): number {
  if (!(db > -Infinity)) return 0;
  let level = 0;
  for (const t of METER_THRESHOLDS_DB) if (db >= t) level++;
  return level;
}
