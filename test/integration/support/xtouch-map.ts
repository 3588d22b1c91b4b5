import { eqAndCompRack } from './rack.ts';

/**
 * A surface map for the simulated X-Touch: one page of the HB-SEQ4 stepped EQ (unit `eq1`,
 * config/gear/hb-seq4.yaml), one V-Pot tick = one detent (a stepped parameter's default step).
 * V-Pot 3 is Ch1 high-mid gain; V-Pot 8 the HB-BC2 compressor's continuous threshold (`comp1`,
 * 0.1 dB on the wire), default step (1 % of the range = 0.3 dB), Shift = fine (a tenth). Save stores a snapshot in the current track, F1/F2 recall its
 * first/second snapshot.
 */
export const OUTBOARD_XTOUCH_MAP = `version: 1
type: mcu
name: X-Touch on the outboard EQ (integration tests)
mcu:
  model: xtouch
  onlineTimeoutMs: 300
bindings:
  - { control: bankLeft, action: prevPage }
  - { control: bankRight, action: nextPage }
  - { control: shift, action: fine }
  - { control: save, action: save }
  - { control: f1, action: recall, slot: 1 }
  - { control: f2, action: recall, slot: 2 }
pages:
  - id: outboard-eq
    label: Outboard EQ
    short: OE
    strips:
      - { param: outboard.eq1.ch1.band1.gainDb, label: L Low, ring: boostCut, colour: blue }
      - { param: outboard.eq1.ch1.band2.gainDb, label: L LoMid, ring: boostCut, colour: blue }
      - { param: outboard.eq1.ch1.band3.gainDb, label: L HiMid, ring: boostCut, colour: blue }
      - { param: outboard.eq1.ch1.band4.gainDb, label: L High, ring: boostCut, colour: blue }
      - { param: outboard.eq1.ch2.band1.gainDb, label: R Low, ring: boostCut, colour: blue }
      - { param: outboard.eq1.ch2.band2.gainDb, label: R LoMid, ring: boostCut, colour: blue }
      - { param: outboard.eq1.ch2.band3.gainDb, label: R HiMid, ring: boostCut, colour: blue }
      - { param: outboard.comp1.thresholdDb, label: Thresh, ring: wrap, colour: magenta }
`;

/** The config body of a studio with the stepped EQ, the compressor and the simulated X-Touch on that map. */
export const EQ_AND_XTOUCH = `${eqAndCompRack('EQ-0001')}surfaces:
  - { id: xtouch, type: mcu, match: sim, map: itest-xtouch }
`;

/** The HB-SEQ4 band gain detents (config/gear/hb-seq4.yaml `gainDb`). */
export const SEQ4_GAIN_DB = [-6, -5, -4, -3, -2.5, -2, -1.5, -1, -0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 4, 5, 6] as const;

/** What the X-Touch state reports for one strip (firmware-sim/surfaces/xtouch.ts `snapshot()`). */
export interface XTouchState {
  online: boolean;
  lcd: [string, string];
  faders: number[];
  rings: { mode: string; position: number; centre: boolean }[];
  assignment: string;
}

/** The 7-character scribble-strip cell of `strip` (1-8) on `line`, trailing spaces trimmed. */
export function stripText(state: XTouchState, strip: number, line: 0 | 1): string {
  return state.lcd[line].slice((strip - 1) * 7, strip * 7).trimEnd();
}
