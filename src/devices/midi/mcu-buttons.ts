/**
 * Mackie Control note numbers, channel 0 (reference §1.7: Ardour `device_info.cc` + TouchMCU
 * appendix; press = `90 nn 7F`, release = `90 nn 00`; LED out `00` off, `01` flash, `7F` on).
 * Strip buttons are named with a 1-based strip number: `rec1`…`rec8`, `select3`, `vpotPush5`.
 */
const GLOBAL_BUTTONS: readonly (readonly [string, number])[] = [
  ['assignTrack', 0x28],
  ['assignSend', 0x29],
  ['assignPan', 0x2a],
  ['assignPlugin', 0x2b],
  ['assignEq', 0x2c],
  ['assignInstrument', 0x2d],
  ['bankLeft', 0x2e],
  ['bankRight', 0x2f],
  ['channelLeft', 0x30],
  ['channelRight', 0x31],
  ['flip', 0x32],
  ['globalView', 0x33],
  ['nameValue', 0x34],
  ['smpteBeats', 0x35],
  ['f1', 0x36],
  ['f2', 0x37],
  ['f3', 0x38],
  ['f4', 0x39],
  ['f5', 0x3a],
  ['f6', 0x3b],
  ['f7', 0x3c],
  ['f8', 0x3d],
  ['midiTracks', 0x3e],
  ['inputs', 0x3f],
  ['audioTracks', 0x40],
  ['audioInstruments', 0x41],
  ['aux', 0x42],
  ['busses', 0x43],
  ['outputs', 0x44],
  ['user', 0x45],
  ['shift', 0x46],
  ['option', 0x47],
  ['control', 0x48],
  ['alt', 0x49],
  ['read', 0x4a],
  ['write', 0x4b],
  ['trim', 0x4c],
  ['touch', 0x4d],
  ['latch', 0x4e],
  ['group', 0x4f],
  ['save', 0x50],
  ['undo', 0x51],
  ['cancel', 0x52],
  ['enter', 0x53],
  ['marker', 0x54],
  ['nudge', 0x55],
  ['cycle', 0x56],
  ['drop', 0x57],
  ['replace', 0x58],
  ['click', 0x59],
  ['soloClear', 0x5a],
  ['rewind', 0x5b],
  ['fastForward', 0x5c],
  ['stop', 0x5d],
  ['play', 0x5e],
  ['record', 0x5f],
  ['cursorUp', 0x60],
  ['cursorDown', 0x61],
  ['cursorLeft', 0x62],
  ['cursorRight', 0x63],
  ['zoom', 0x64],
  ['scrub', 0x65],
  ['userA', 0x66],
  ['userB', 0x67],
];

/** Output-only LEDs (notes 71-73, 76). */
export const MCU_LED_ONLY: Readonly<Record<string, number>> = Object.freeze({ smpteLed: 0x71, beatsLed: 0x72, rudeSoloLed: 0x73, relayClick: 0x76 });

/** Per-strip button rows: base note for strip 1 (reference §1.7 table). */
export const MCU_STRIP_BUTTON_BASE = Object.freeze({ rec: 0x00, solo: 0x08, mute: 0x10, select: 0x18, vpotPush: 0x20 });
export type McuStripButton = keyof typeof MCU_STRIP_BUTTON_BASE;
export const MCU_STRIP_BUTTONS = Object.keys(MCU_STRIP_BUTTON_BASE) as McuStripButton[];

/** Global (non-strip) buttons by name. */
export const MCU_BUTTONS: ReadonlyMap<string, number> = new Map(GLOBAL_BUTTONS);
const BY_NOTE = new Map(GLOBAL_BUTTONS.map(([name, note]) => [note, name] as const));

export interface McuButtonId {
  /** `play`, or `select` for a strip button. */
  readonly name: string;
  /** 0-based strip for strip buttons. */
  readonly strip?: number;
}

/** Name of the button a note number belongs to (touch notes 68-70 are not buttons). */
export function mcuButtonForNote(note: number): McuButtonId | undefined {
  if (note < 0x28) {
    const row = MCU_STRIP_BUTTONS[note >> 3];
    return row === undefined ? undefined : { name: row, strip: note & 7 };
  }
  const name = BY_NOTE.get(note);
  return name === undefined ? undefined : { name };
}

/** Note number of a strip button (0-based strip 0-7). */
export function mcuStripButtonNote(button: McuStripButton, strip: number): number {
  return MCU_STRIP_BUTTON_BASE[button] + strip;
}
