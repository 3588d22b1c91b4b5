import { Eq } from '../../../src/engine/eq.ts';

export const BAND_PARAM_NAMES = ['enabled', 'type', 'freqHz', 'gainDb', 'q', 'slopeDbOct', 'mode'] as const;
export type BandParam = (typeof BAND_PARAM_NAMES)[number];

/** An EQ with band 1 configured as given and snapped (no glide), ready for response measurements. */
export function eqWithBand(sampleRate: number, band: Partial<Record<BandParam, number>>, maxBlock = 16384, channels = 1): Eq {
  const eq = new Eq({ id: 'eq', smoothingMs: 20, bands: 8 });
  // Every other band off, so that only band 1 shapes the response.
  for (let b = 1; b < 8; b++) eq.setParam(b * 7 + 0, 0);
  eq.setParam(0, 1);
  for (const [name, value] of Object.entries(band)) eq.setParam(BAND_PARAM_NAMES.indexOf(name as BandParam), value);
  eq.prepare(sampleRate, maxBlock, channels);
  return eq;
}

export function setBand(eq: Eq, band: number, name: BandParam, value: number): void {
  eq.setParam((band - 1) * 7 + BAND_PARAM_NAMES.indexOf(name), value);
}
