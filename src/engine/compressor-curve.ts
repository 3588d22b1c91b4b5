/** The top of the ratio range means infinity (a limiter's slope). */
export const RATIO_INFINITE = 100;

/**
 * Static curve (Giannoulis, Massberg & Reiss, "Digital Dynamic Range Compressor Design - A
 * Tutorial and Analysis", JAES 2012, eq. 4): gain reduction in dB for a level `xDb`, with the
 * quadratic soft knee of width `kneeDb` centred on the threshold. `slope` = 1 - 1/ratio.
 */
export function staticGainReductionDb(xDb: number, thresholdDb: number, slope: number, kneeDb: number): number {
  const over = xDb - thresholdDb;
  if (2 * over <= -kneeDb) return 0;
  if (2 * over < kneeDb) {
    const t = over + kneeDb / 2;
    return (slope * t * t) / (2 * kneeDb);
  }
  return slope * over;
}

export function ratioToSlope(ratio: number): number {
  return ratio >= RATIO_INFINITE ? 1 : 1 - 1 / ratio;
}
