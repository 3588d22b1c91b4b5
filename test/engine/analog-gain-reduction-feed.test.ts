import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { AnalogGainReductionFeed, type GainReductionReport } from '../../src/engine/analog-gain-reduction-feed.ts';
import type { MeterFeed, MeterSnapshot } from '../../src/engine/meter-snapshot.ts';

function snapshot(seq: number): MeterSnapshot {
  return {
    seq,
    timeS: seq / 60,
    loudness: {
      momentaryLufs: -20,
      shortTermLufs: -20,
      integratedLufs: -20,
      loudnessRangeLu: 3,
      momentaryMaxLufs: -18,
      shortTermMaxLufs: -19,
      truePeakDbtp: -1.2,
      samplePeakDbfs: -1.5,
      plrDb: 18.8,
      psrDb: 17,
    },
    stages: [],
    gainReduction: [
      { id: 'comp', db: 2.5 },
      { id: 'limiter', db: 0.7 },
    ],
    correlation: 0.8,
    balance: 0,
    spectrumHz: new Float32Array(0),
    spectrumDb: new Float32Array(0),
    nonFiniteSamples: 0,
    xruns: 0,
  };
}

class Feed implements MeterFeed {
  readonly listeners = new Set<(s: MeterSnapshot) => void>();
  last: MeterSnapshot | undefined;
  subscribe(l: (s: MeterSnapshot) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  latest(): MeterSnapshot | undefined {
    return this.last;
  }
  publish(s: MeterSnapshot): void {
    this.last = s;
    for (const l of this.listeners) l(s);
  }
}

describe('AnalogGainReductionFeed', () => {
  it('adds each reporting analog unit after the digital processors, drops it when it goes quiet', () => {
    const inner = new Feed();
    const units = new EventEmitter<{ gainReduction: [GainReductionReport] }>();
    let now = 0;
    const feed = new AnalogGainReductionFeed(inner, units, { staleMs: 2000, now: () => now });
    const seen: MeterSnapshot[] = [];
    feed.subscribe((s) => seen.push(s));
    inner.publish(snapshot(1));
    expect(seen[0]?.gainReduction.map((g) => g.id)).toEqual(['comp', 'limiter']);
    units.emit('gainReduction', { unitId: 'comp1', gainReductionDb: 3.4 });
    units.emit('gainReduction', { unitId: 'bus2', gainReductionDb: -0.1 });
    units.emit('gainReduction', { unitId: 'bad', gainReductionDb: Number.NaN });
    now = 100;
    inner.publish(snapshot(2));
    expect(seen[1]?.gainReduction).toEqual([
      { id: 'comp', db: 2.5 },
      { id: 'limiter', db: 0.7 },
      { id: 'outboard.bus2', db: 0 },
      { id: 'outboard.comp1', db: 3.4 },
    ]);
    expect(feed.latest()?.gainReduction).toHaveLength(4);
    now = 2050;
    units.emit('gainReduction', { unitId: 'comp1', gainReductionDb: 1 });
    inner.publish(snapshot(3));
    expect(seen[2]?.gainReduction.slice(2)).toEqual([{ id: 'outboard.comp1', db: 1 }]);
    // The engine's snapshot itself is never modified.
    expect(inner.last?.gainReduction).toHaveLength(2);
    feed.dispose();
    expect(units.listenerCount('gainReduction')).toBe(0);
  });
});
