import type { ProcessorKind } from '../../../src/config/sections/engine.ts';
import type { Chain } from '../../../src/engine/chain.ts';
import { createChain } from '../../../src/engine/chain-factory.ts';

export function chainOf(kinds: readonly ProcessorKind[], sampleRate: number, maxBlock: number, channels = 2): Chain {
  const chain = createChain({ chain: [...kinds], eqBands: 8, smoothingMs: 20 });
  chain.prepare(sampleRate, maxBlock, channels);
  return chain;
}

export function set(chain: Chain, id: string, value: number): void {
  const i = chain.indexOf(id);
  if (i < 0) throw new Error(`no parameter ${id}`);
  chain.setParam(i, value);
}

/**
 * Every stage doing something: EQ bands in several stereo modes, compression, limiting, width,
 * dither. Ids of stages the chain does not have are skipped.
 */
export function busySettings(chain: Chain): void {
  const s = (id: string, v: number): void => {
    if (chain.indexOf(id) >= 0) set(chain, id, v);
  };
  s('gain.gainDb', 3);
  s('gain.invertRight', 1);
  s('eq.band1.enabled', 1);
  s('eq.band1.slopeDbOct', 24);
  s('eq.band2.gainDb', 2);
  s('eq.band3.gainDb', -3);
  s('eq.band3.mode', 1); // mid
  s('eq.band4.gainDb', 4);
  s('eq.band4.mode', 2); // side
  s('eq.band5.gainDb', -2);
  s('eq.band5.mode', 3); // left
  s('eq.band6.gainDb', 5);
  s('eq.band6.q', 3);
  s('eq.band7.gainDb', 1.5);
  s('eq.band8.enabled', 1);
  s('eq.band8.freqHz', 18000);
  s('comp.thresholdDb', -24);
  s('comp.ratio', 3);
  s('comp.autoRelease', 1);
  s('comp.detector', 1);
  s('comp.sidechainHpEnabled', 1);
  s('limiter.driveDb', 6);
  s('limiter.ceilingDbtp', -1);
  s('width.sideGainDb', 2);
  s('width.monoMakerEnabled', 1);
  s('dither.bits', 16);
  s('dither.noiseShaping', 2);
}
