import type { MeterFeed, MeterSnapshot } from './meter-snapshot.ts';

/** A unit's reported gain reduction (the outboard manager's `gainReduction` event). */
export interface GainReductionReport {
  readonly unitId: string;
  readonly gainReductionDb: number;
}

export interface GainReductionSource {
  on(event: 'gainReduction', listener: (e: GainReductionReport) => void): unknown;
  off(event: 'gainReduction', listener: (e: GainReductionReport) => void): unknown;
}

export interface AnalogGainReductionOptions {
  /** A unit that has not reported for this long drops out of the frames (offline, unplugged). Default 2000 ms. */
  readonly staleMs?: number;
  readonly now?: () => number;
}

/**
 * The engine's meter frames with the analog compressors' gain reduction added (`outboard.<unit>`
 * entries after the digital processors'), as the units report it over serial: the tablet and the
 * surfaces show the whole chain's gain reduction, digital and analog, in one list. A unit that
 * stops reporting drops out after `staleMs`.
 */
export class AnalogGainReductionFeed implements MeterFeed {
  readonly #inner: MeterFeed;
  readonly #source: GainReductionSource;
  readonly #staleMs: number;
  readonly #now: () => number;
  readonly #latest = new Map<string, { db: number; at: number }>();

  constructor(inner: MeterFeed, source: GainReductionSource, options: AnalogGainReductionOptions = {}) {
    this.#inner = inner;
    this.#source = source;
    this.#staleMs = options.staleMs ?? 2000;
    this.#now = options.now ?? (() => performance.now());
    source.on('gainReduction', this.#onReport);
  }

  readonly #onReport = (e: GainReductionReport): void => {
    if (Number.isFinite(e.gainReductionDb)) this.#latest.set(e.unitId, { db: Math.max(0, e.gainReductionDb), at: this.#now() });
  };

  subscribe(listener: (snapshot: MeterSnapshot) => void): () => void {
    return this.#inner.subscribe((s) => listener(this.#merge(s)));
  }

  latest(): MeterSnapshot | undefined {
    const s = this.#inner.latest();
    return s && this.#merge(s);
  }

  /** Stop following the units. */
  dispose(): void {
    this.#source.off('gainReduction', this.#onReport);
  }

  #merge(s: MeterSnapshot): MeterSnapshot {
    if (this.#latest.size === 0) return s;
    const now = this.#now();
    const analog: { id: string; db: number }[] = [];
    for (const [unitId, r] of [...this.#latest].sort((a, b) => a[0].localeCompare(b[0]))) {
      if (now - r.at > this.#staleMs) this.#latest.delete(unitId);
      else analog.push({ id: `outboard.${unitId}`, db: r.db });
    }
    return analog.length === 0 ? s : { ...s, gainReduction: [...s.gainReduction, ...analog] };
  }
}
