import type { CalibrationResult } from '../engine/insert/insert-calibration.ts';
import type { HttpServer } from './http-server.ts';

export interface AudioRouteDeps {
  /** Calibrate through the session machine (Daemon#calibrate). */
  readonly calibrate: () => Promise<CalibrationResult>;
}

/**
 * `POST /api/calibrate` (docs/http-api.md): measure the hardware insert and answer the result:
 * `latencySamples`, `gainDb`, `polarity` (1 or -1), `confidence`, plus the route and when it was
 * measured. Failures answer the error's code (E_CALIBRATION_NO_SIGNAL, E_CALIBRATION_NOISY, ...).
 */
export function registerAudioRoutes(http: HttpServer, deps: AudioRouteDeps): void {
  http.route('POST', '/api/calibrate', async () => {
    const r = await deps.calibrate();
    return {
      latencySamples: r.latencySamples,
      gainDb: r.gainDb,
      polarity: r.polarity,
      confidence: r.confidence,
      peakToNoiseDb: r.peakToNoiseDb,
      route: r.route,
      measuredAt: r.measuredAt,
      ...(r.warning ? { warning: r.warning } : {}),
    };
  });
}
