import { MCU_BUTTONS, MCU_STRIP_BUTTONS } from '../devices/midi/mcu-buttons.ts';

/**
 * Control ids, as written in surface maps and sent with every input event.
 * Numbered controls are 1-based (`vpot3`, `key1`, `button15`); MIDI protocol numbers keep their
 * wire values (channel 0-15, CC 0-127, note 0-127) as in the reference tables.
 *
 *   mcu        vpot1-16, fader1-16, master, jog, external, rec/solo/mute/select/vpotPush1-16,
 *              and the global buttons by name (play, bankLeft, f1 …, see mcu-buttons.ts)
 *   midi       cc:<ch>:<n>, cc14:<ch>:<n 0-31>, nrpn:<ch>:<0-16383>, rpn:<ch>:<0-16383>,
 *              note:<ch>:<n>, pb:<ch>, pc:<ch>:<program>
 *   powermate  rotate, button
 *   shuttle    ring, jog, button1-15
 *   streamdeck key1-N, encoder1-N, encoderPush1-N
 *   hid        the field names of the map's report map
 */
export type ControlKind = 'absolute' | 'relative' | 'button' | 'either';

export type MidiControl =
  | { readonly kind: 'cc'; readonly channel: number; readonly number: number }
  | { readonly kind: 'cc14'; readonly channel: number; readonly number: number }
  | { readonly kind: 'nrpn' | 'rpn'; readonly channel: number; readonly number: number }
  | { readonly kind: 'note'; readonly channel: number; readonly number: number }
  | { readonly kind: 'pb'; readonly channel: number }
  | { readonly kind: 'pc'; readonly channel: number; readonly number: number };

const MIDI_RE = /^(cc|cc14|nrpn|rpn|note|pc):(\d{1,2}):(\d{1,5})$|^pb:(\d{1,2})$/;

export function parseMidiControl(id: string): MidiControl | undefined {
  const m = MIDI_RE.exec(id);
  if (!m) return undefined;
  if (m[4] !== undefined) {
    const channel = Number(m[4]);
    return channel <= 15 ? { kind: 'pb', channel } : undefined;
  }
  const kind = m[1] as 'cc' | 'cc14' | 'nrpn' | 'rpn' | 'note' | 'pc';
  const channel = Number(m[2]);
  const number = Number(m[3]);
  if (channel > 15) return undefined;
  const max = kind === 'cc14' ? 31 : kind === 'nrpn' || kind === 'rpn' ? 16383 : 127;
  if (number > max) return undefined;
  return { kind, channel, number };
}

export function midiControlId(c: MidiControl): string {
  return c.kind === 'pb' ? `pb:${c.channel}` : `${c.kind}:${c.channel}:${c.number}`;
}

const MCU_STRIP_RE = new RegExp(`^(vpot|fader|${MCU_STRIP_BUTTONS.join('|')})([1-9]|1[0-6])$`);

/** Kind of a control id for a surface type, or undefined if that surface has no such control. */
export function controlKind(type: string, id: string, hidFields?: ReadonlyMap<string, ControlKind>): ControlKind | undefined {
  switch (type) {
    case 'mcu': {
      const m = MCU_STRIP_RE.exec(id);
      if (m) return m[1] === 'vpot' ? 'relative' : m[1] === 'fader' ? 'absolute' : 'button';
      if (id === 'master' || id === 'external') return 'absolute';
      if (id === 'jog') return 'relative';
      return MCU_BUTTONS.has(id) ? 'button' : undefined;
    }
    case 'midi': {
      const c = parseMidiControl(id);
      if (!c) return undefined;
      switch (c.kind) {
        case 'cc':
          return 'either';
        case 'nrpn':
        case 'rpn':
          return 'either';
        case 'cc14':
        case 'pb':
          return 'absolute';
        case 'note':
        case 'pc':
          return 'button';
      }
      return undefined;
    }
    case 'powermate':
      return id === 'rotate' ? 'relative' : id === 'button' ? 'button' : undefined;
    case 'shuttle': {
      if (id === 'ring') return 'either';
      if (id === 'jog') return 'relative';
      const m = /^button([1-9]|1[0-5])$/.exec(id);
      return m ? 'button' : undefined;
    }
    case 'streamdeck': {
      const m = /^(key|encoder|encoderPush)([1-9]\d?)$/.exec(id);
      if (!m) return undefined;
      return m[1] === 'encoder' ? 'relative' : 'button';
    }
    case 'hid':
      return hidFields?.get(id);
    default:
      return undefined;
  }
}

/** A human description of the controls a type offers, for "unknown control" errors. */
export function controlHelp(type: string): string {
  switch (type) {
    case 'mcu':
      return 'vpot1-16, fader1-16, master, jog, external, rec|solo|mute|select|vpotPush<1-16>, or a button name (play, bankLeft, f1, shift …)';
    case 'midi':
      return 'cc:<ch>:<n>, cc14:<ch>:<0-31>, nrpn:<ch>:<n>, rpn:<ch>:<n>, note:<ch>:<n>, pb:<ch>, pc:<ch>:<n> (channel 0-15)';
    case 'powermate':
      return 'rotate, button';
    case 'shuttle':
      return 'ring, jog, button1-15';
    case 'streamdeck':
      return 'key<N>, encoder<N>, encoderPush<N>';
    case 'hid':
      return 'a field name from hid.fields';
    default:
      return '';
  }
}
