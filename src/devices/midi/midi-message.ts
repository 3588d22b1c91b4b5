import { BridgeError } from '../../errors.ts';

/** One parsed MIDI 1.0 message. Channels are 0-based; 14-bit values are 0..16383. */
export type MidiMessage =
  | { readonly type: 'noteOn'; readonly channel: number; readonly note: number; readonly velocity: number }
  | { readonly type: 'noteOff'; readonly channel: number; readonly note: number; readonly velocity: number }
  | { readonly type: 'polyPressure'; readonly channel: number; readonly note: number; readonly pressure: number }
  | { readonly type: 'cc'; readonly channel: number; readonly controller: number; readonly value: number }
  | { readonly type: 'programChange'; readonly channel: number; readonly program: number }
  | { readonly type: 'channelPressure'; readonly channel: number; readonly pressure: number }
  | { readonly type: 'pitchBend'; readonly channel: number; readonly value: number }
  /** Complete SysEx including the F0 and F7 bytes. */
  | { readonly type: 'sysex'; readonly bytes: Uint8Array }
  /** System common (F1 MTC quarter frame, F2 song position, F3 song select, F6 tune request). */
  | { readonly type: 'systemCommon'; readonly status: number; readonly data: readonly number[] }
  /** System real-time (F8 clock … FF reset): one byte, may appear anywhere, even inside SysEx. */
  | { readonly type: 'realtime'; readonly status: number };

const check7 = (what: string, v: number): number => {
  if (!Number.isInteger(v) || v < 0 || v > 0x7f) {
    throw new BridgeError('E_MIDI_BAD_MESSAGE', `${what} must be an integer 0..127, got ${v}`, { details: { what, value: v } });
  }
  return v;
};
const checkChannel = (ch: number): number => {
  if (!Number.isInteger(ch) || ch < 0 || ch > 15) {
    throw new BridgeError('E_MIDI_BAD_MESSAGE', `MIDI channel must be 0..15, got ${ch}`, { details: { channel: ch } });
  }
  return ch;
};
const check14 = (what: string, v: number): number => {
  if (!Number.isInteger(v) || v < 0 || v > 0x3fff) {
    throw new BridgeError('E_MIDI_BAD_MESSAGE', `${what} must be an integer 0..16383, got ${v}`, { details: { what, value: v } });
  }
  return v;
};

export function noteOn(channel: number, note: number, velocity: number): Uint8Array {
  return Uint8Array.of(0x90 | checkChannel(channel), check7('note', note), check7('velocity', velocity));
}

export function controlChange(channel: number, controller: number, value: number): Uint8Array {
  return Uint8Array.of(0xb0 | checkChannel(channel), check7('controller', controller), check7('value', value));
}

/** Pitch bend: `En LL MM`, LSB first (MIDI 1.0; Logic doc p.242 for MCU faders). */
export function pitchBend(channel: number, value: number): Uint8Array {
  check14('pitch bend', value);
  return Uint8Array.of(0xe0 | checkChannel(channel), value & 0x7f, value >> 7);
}

/** 14-bit CC pair: MSB on `controller` (0-31), then LSB on `controller + 32` (electra.one CC14 guide). */
export function controlChange14(channel: number, controller: number, value: number): Uint8Array {
  if (!Number.isInteger(controller) || controller < 0 || controller > 31) {
    throw new BridgeError('E_MIDI_BAD_MESSAGE', `a 14-bit CC pair needs an MSB controller 0..31, got ${controller}`, { details: { controller } });
  }
  check14('14-bit value', value);
  const ch = 0xb0 | checkChannel(channel);
  return Uint8Array.of(ch, controller, value >> 7, ch, controller + 32, value & 0x7f);
}

/**
 * (N)RPN write: parameter number on CC 99/98 (NRPN) or 101/100 (RPN), data on CC 6 (MSB) and
 * 38 (LSB), then the selection nulled with RPN 7F 7F so a stray data-entry message cannot hit
 * the parameter (MIDI 1.0 RP; Ardour's comment citing philrees.co.uk). Not Ardour's swapped
 * CC 62/63 labels (reference §2.2).
 */
export function parameterNumberWrite(kind: 'nrpn' | 'rpn', channel: number, parameter: number, value: number, bits: 7 | 14 = 14): Uint8Array {
  check14('parameter number', parameter);
  const ch = 0xb0 | checkChannel(channel);
  const [msbCc, lsbCc] = kind === 'nrpn' ? [99, 98] : [101, 100];
  const out = [ch, msbCc, parameter >> 7, ch, lsbCc, parameter & 0x7f];
  if (bits === 7) out.push(ch, 6, check7('value', value));
  else {
    check14('value', value);
    out.push(ch, 6, value >> 7, ch, 38, value & 0x7f);
  }
  out.push(ch, 101, 0x7f, ch, 100, 0x7f);
  return Uint8Array.from(out);
}

/** Length of a channel or system-common message from its status byte (data bytes included). */
export function messageLength(status: number): number {
  if (status >= 0xf8) return 1;
  switch (status) {
    case 0xf1:
    case 0xf3:
      return 2;
    case 0xf2:
      return 3;
    case 0xf0:
      return -1; // SysEx: until F7
    default:
      if (status >= 0xf4) return 1;
      return (status & 0xf0) === 0xc0 || (status & 0xf0) === 0xd0 ? 2 : 3;
  }
}

/**
 * Split a buffer of complete messages (as our encoders produce them: never running status)
 * into single messages, for transports that take one message per call (rtmidi).
 */
export function splitMessages(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let i = 0;
  while (i < bytes.length) {
    const status = bytes[i] as number;
    let len: number;
    if (status < 0x80) len = 1; // a stray data byte: alone, rather than corrupt the next message
    else if (status === 0xf0) {
      const end = bytes.indexOf(0xf7, i);
      len = (end < 0 ? bytes.length : end + 1) - i;
    } else len = messageLength(status);
    out.push(bytes.subarray(i, i + len));
    i += len;
  }
  return out;
}

export function toHex(bytes: Uint8Array | readonly number[]): string {
  return Array.from(bytes, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
}

/** Parse `"F0 00 00 66"` (spaces optional) into bytes: tests compare against the reference tables. */
export function fromHex(text: string): Uint8Array {
  const clean = text.replace(/[^0-9a-fA-F]/g, '');
  if (clean.length % 2 !== 0) throw new BridgeError('E_MIDI_BAD_MESSAGE', `odd number of hex digits in "${text}"`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}
