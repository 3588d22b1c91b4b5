import { SHUTTLE_PIDS } from './hid-ids.ts';

export type ShuttleModel = 'shuttleProV1' | 'shuttleProV2' | 'shuttleXpress';

/** What a Contour ShuttlePro / ShuttleXpress tells the host. Buttons are numbered from 1 per model. */
export type ShuttleInput =
  | { readonly type: 'ring'; readonly position: number }
  | { readonly type: 'jog'; readonly ticks: number }
  | { readonly type: 'button'; readonly button: number; readonly pressed: boolean };

export function shuttleModel(productId: number): ShuttleModel | undefined {
  switch (productId) {
    case SHUTTLE_PIDS.shuttleProV1:
      return 'shuttleProV1';
    case SHUTTLE_PIDS.shuttleProV2:
      return 'shuttleProV2';
    case SHUTTLE_PIDS.shuttleXpress:
      return 'shuttleXpress';
    default:
      return undefined;
  }
}

/** Buttons per model and the mask bit of button 1 (reference §3.2 button masks). */
const LAYOUT: Readonly<Record<ShuttleModel, { count: number; firstBit: number }>> = {
  shuttleProV1: { count: 13, firstBit: 0 }, // 0001 … 1000
  shuttleProV2: { count: 15, firstBit: 0 }, // 0001 … 4000
  shuttleXpress: { count: 5, firstBit: 4 }, // 0010, 0020, 0040, 0080, 0100
};

export function shuttleButtonCount(model: ShuttleModel): number {
  return LAYOUT[model].count;
}

/**
 * The 5-byte Contour report (no report id; Ardour `contourdesign.cc`, ShuttleControlUSB):
 *   byte 0 shuttle ring, int8 -7..+7 (0 = centre)
 *   byte 1 jog, uint8 counter, +1 per detent, wraps FF <-> 00
 *   byte 2 unused
 *   bytes 3-4 buttons, uint16 little-endian mask
 * The jog delta is wrap-aware: `((new - old + 128) & 0xFF) - 128` (reference §3.2), so a wrap
 * from FF to 00 is +1, not -255. The first report only sets the baseline (no phantom turn).
 */
export class ShuttleDecoder {
  readonly #model: ShuttleModel;
  #jog: number | undefined;
  #ring = 0;
  #buttons = 0;

  constructor(model: ShuttleModel) {
    this.#model = model;
  }

  decode(report: Uint8Array, emit: (e: ShuttleInput) => void): void {
    if (report.length < 5) return;
    const rawRing = report[0] as number;
    let ring = rawRing & 0x80 ? rawRing - 256 : rawRing;
    ring = ring < -7 ? -7 : ring > 7 ? 7 : ring;
    if (ring !== this.#ring) {
      this.#ring = ring;
      emit({ type: 'ring', position: ring });
    }
    const jog = report[1] as number;
    if (this.#jog !== undefined && jog !== this.#jog) {
      const ticks = ((jog - this.#jog + 128) & 0xff) - 128;
      if (ticks !== 0) emit({ type: 'jog', ticks });
    }
    this.#jog = jog;
    const mask = (report[3] as number) | ((report[4] as number) << 8);
    const changed = mask ^ this.#buttons;
    this.#buttons = mask;
    if (changed === 0) return;
    const { count, firstBit } = LAYOUT[this.#model];
    for (let i = 0; i < count; i++) {
      const bit = 1 << (firstBit + i);
      if (changed & bit) emit({ type: 'button', button: i + 1, pressed: (mask & bit) !== 0 });
    }
  }

  reset(): void {
    this.#jog = undefined;
    this.#ring = 0;
    this.#buttons = 0;
  }
}
