import type { CalibrationResult } from '../../engine/insert/insert-calibration.ts';
import type { PrintRequest, PrintResult, TransportStatus } from '../../engine/transport/transport.ts';
import type { Logger } from '../../logger.ts';
import type { SessionServices } from '../../state/session-services.ts';

/** What the session services need of the audio part (AudioHost). */
export interface AudioControl {
  calibrate(signal?: AbortSignal): Promise<CalibrationResult>;
  print(request: PrintRequest, signal?: AbortSignal): Promise<PrintResult>;
  play(): Promise<TransportStatus>;
  stopTransport(): Promise<TransportStatus>;
  readonly transport: TransportStatus | undefined;
}

/**
 * The session machine's audio services, from the audio part: the `calibrate` and `print` one-shot
 * jobs (they honour the machine's AbortSignal) and the playback entry/exit actions. `onPlayFailed`
 * hears a play the audio worker refused (no source, stream down): the machine must leave `playing`.
 */
export function audioSessionServices(
  audio: AudioControl,
  options: { readonly log: Logger; readonly onPlayFailed: (err: unknown) => void },
): Pick<SessionServices, 'calibrate' | 'print' | 'startPlayback' | 'stopPlayback'> {
  return {
    calibrate: (signal) => audio.calibrate(signal),
    print: (request, signal) => audio.print(request, signal),
    startPlayback: () => {
      audio.play().catch((err: unknown) => {
        options.log.warn({ err }, 'audio: play failed');
        options.onPlayFailed(err);
      });
    },
    stopPlayback: () => {
      if (audio.transport?.state === 'playing') audio.stopTransport().catch((err: unknown) => options.log.warn({ err }, 'audio: stop failed'));
    },
  };
}
