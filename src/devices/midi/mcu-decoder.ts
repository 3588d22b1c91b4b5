import { mcuButtonForNote } from './mcu-buttons.ts';
import { MACKIE_MFR, MCU_CC, MCU_NOTE, MCU_SYSEX } from './mcu-protocol.ts';
import type { MidiMessage } from './midi-message.ts';
import { decodeMcuRelative } from './relative-encoding.ts';

/** What a Mackie Control unit tells the host. Strips are 0-based and local to the unit (0-7, master 8). */
export type McuInput =
  | { readonly type: 'fader'; readonly strip: number; readonly value: number }
  | { readonly type: 'touch'; readonly strip: number; readonly touched: boolean }
  | { readonly type: 'vpot'; readonly strip: number; readonly ticks: number }
  | { readonly type: 'button'; readonly name: string; readonly strip?: number; readonly note: number; readonly pressed: boolean }
  | { readonly type: 'jog'; readonly ticks: number }
  | { readonly type: 'external'; readonly value: number }
  | { readonly type: 'hostConnectionQuery'; readonly model: number; readonly serial: readonly number[]; readonly challenge: readonly number[] }
  | { readonly type: 'hostConnectionConfirmation'; readonly model: number; readonly serial: readonly number[] }
  | { readonly type: 'hostConnectionError'; readonly model: number; readonly serial: readonly number[] }
  | { readonly type: 'ready'; readonly model: number }
  | { readonly type: 'version'; readonly model: number; readonly version: string };

/**
 * Decode parsed MIDI from one MCU unit. Anything that is not MCU (wrong channel for a fader,
 * another manufacturer's SysEx, malformed lengths) yields nothing: a surface never invents a move.
 */
export function decodeMcu(message: MidiMessage): McuInput | undefined {
  switch (message.type) {
    case 'pitchBend':
      // Faders: `Ei LL MM`, i = 0-7 strips, 8 master (Logic doc p.242).
      return message.channel <= 8 ? { type: 'fader', strip: message.channel, value: message.value } : undefined;
    case 'noteOn':
    case 'noteOff': {
      if (message.channel !== 0) return undefined;
      // Release arrives as note-on velocity 0; accept note-off too (reference §1.4).
      const pressed = message.type === 'noteOn' && message.velocity > 0;
      const note = message.note;
      if (note >= MCU_NOTE.touchBase && note <= MCU_NOTE.touchMaster) {
        return { type: 'touch', strip: note - MCU_NOTE.touchBase, touched: pressed };
      }
      const button = mcuButtonForNote(note);
      if (!button) return undefined;
      return button.strip === undefined
        ? { type: 'button', name: button.name, note, pressed }
        : { type: 'button', name: button.name, strip: button.strip, note, pressed };
    }
    case 'cc': {
      if (message.channel !== 0) return undefined;
      const { controller, value } = message;
      if (controller >= MCU_CC.vpotBase && controller < MCU_CC.vpotBase + 8) {
        return { type: 'vpot', strip: controller - MCU_CC.vpotBase, ticks: decodeMcuRelative(value) };
      }
      if (controller === MCU_CC.jog) return { type: 'jog', ticks: decodeMcuRelative(value) };
      if (controller === MCU_CC.external) return { type: 'external', value };
      return undefined;
    }
    case 'sysex':
      return decodeMcuSysex(message.bytes);
    default:
      return undefined;
  }
}

function decodeMcuSysex(b: Uint8Array): McuInput | undefined {
  // F0 00 00 66 ii cmd … F7
  if (b.length < 7 || b[1] !== MACKIE_MFR[0] || b[2] !== MACKIE_MFR[1] || b[3] !== MACKIE_MFR[2]) return undefined;
  const model = b[4] as number;
  const cmd = b[5] as number;
  const body = Array.from(b.subarray(6, b.length - 1));
  switch (cmd) {
    case MCU_SYSEX.hostConnectionQuery:
      // hdr 01 s1..s7 c1..c4 F7: 18 bytes in total (reference §1.2).
      if (body.length !== 11) return undefined;
      return { type: 'hostConnectionQuery', model, serial: body.slice(0, 7), challenge: body.slice(7, 11) };
    case MCU_SYSEX.hostConnectionConfirmation:
      if (body.length !== 7) return undefined;
      return { type: 'hostConnectionConfirmation', model, serial: body };
    case MCU_SYSEX.hostConnectionError:
      if (body.length !== 7) return undefined;
      return { type: 'hostConnectionError', model, serial: body };
    case MCU_SYSEX.xTouchCompactReady:
      return { type: 'ready', model };
    case MCU_SYSEX.versionReply:
      return { type: 'version', model, version: String.fromCharCode(...body.filter((c) => c >= 0x20 && c < 0x7f)).trim() };
    default:
      return undefined;
  }
}
