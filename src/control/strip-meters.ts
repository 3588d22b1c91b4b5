import type { MeterSnapshot } from '../engine/meter-snapshot.ts';
import { meterLevel } from '../devices/midi/mcu-protocol.ts';

export interface MeterSource {
  /** 1-based strip. */
  readonly strip: number;
  readonly stage?: string | undefined;
  readonly channel?: number | undefined;
  readonly gainReduction?: string | undefined;
}

/** Mastering default: the four tap points, left/right, on strips 1-8. */
export const DEFAULT_METERS: readonly MeterSource[] = [
  { strip: 1, stage: 'input', channel: 0 },
  { strip: 2, stage: 'input', channel: 1 },
  { strip: 3, stage: 'insertSend', channel: 0 },
  { strip: 4, stage: 'insertSend', channel: 1 },
  { strip: 5, stage: 'insertReturn', channel: 0 },
  { strip: 6, stage: 'insertReturn', channel: 1 },
  { strip: 7, stage: 'output', channel: 0 },
  { strip: 8, stage: 'output', channel: 1 },
];

export type MeterOut = (strip: number, level: number | 'overload' | 'clearOverload') => void;

/**
 * Stage meters to MCU channel meters (`D0`, reference §1.10). The unit decays the bars itself
 * (about 300 ms per segment, TouchMCU), so the host sends peak levels: on every change, and
 * again every `refreshMs` while there is signal, so a steady level does not decay away; never
 * more often than the snapshots arrive. Overload (>= 0 dBFS peak) lights the clip LED, which is
 * cleared after `overloadHoldMs` without a new overload.
 */
export class StripMeters {
  readonly #sources: readonly MeterSource[];
  readonly #out: MeterOut;
  readonly #refreshMs: number;
  readonly #overloadHoldMs: number;
  readonly #last = new Map<number, { level: number; at: number }>();
  readonly #overloadAt = new Map<number, number>();

  constructor(sources: readonly MeterSource[], out: MeterOut, options: { refreshMs?: number; overloadHoldMs?: number } = {}) {
    this.#sources = sources;
    this.#out = out;
    this.#refreshMs = options.refreshMs ?? 250;
    this.#overloadHoldMs = options.overloadHoldMs ?? 2000;
  }

  /** Levels (0-12) a snapshot gives each source strip. Exported shape for tests. */
  levels(snapshot: MeterSnapshot): Map<number, { level: number; overload: boolean }> {
    const out = new Map<number, { level: number; overload: boolean }>();
    for (const s of this.#sources) {
      let db = -Infinity;
      let overload = false;
      if (s.gainReduction !== undefined) {
        const gr = snapshot.gainReduction.find((g) => g.id === s.gainReduction)?.db ?? 0;
        // Gain reduction: one segment per dB, 0-12 dB.
        out.set(s.strip - 1, { level: Math.max(0, Math.min(12, Math.round(gr))), overload: false });
        continue;
      }
      const stage = snapshot.stages.find((st) => st.id === s.stage);
      if (stage) {
        const ch = s.channel ?? 0;
        db = stage.peakDb[ch] ?? -Infinity;
        overload = db >= 0;
      }
      out.set(s.strip - 1, { level: meterLevel(db), overload });
    }
    return out;
  }

  update(snapshot: MeterSnapshot, now: number): void {
    for (const [strip, { level, overload }] of this.levels(snapshot)) {
      const last = this.#last.get(strip);
      if (!last || last.level !== level || (level > 0 && now - last.at >= this.#refreshMs)) {
        this.#out(strip, level);
        this.#last.set(strip, { level, at: now });
      }
      const ovAt = this.#overloadAt.get(strip);
      if (overload) {
        if (ovAt === undefined) this.#out(strip, 'overload');
        this.#overloadAt.set(strip, now);
      } else if (ovAt !== undefined && now - ovAt >= this.#overloadHoldMs) {
        this.#out(strip, 'clearOverload');
        this.#overloadAt.delete(strip);
      }
    }
  }

  /** Forget what was sent (the unit reconnected and shows nothing). */
  reset(): void {
    this.#last.clear();
    this.#overloadAt.clear();
  }
}
