import { BridgeError } from '../errors.ts';
import type { CalibrationResult, PrintRequest, RecallOutcome } from './session-machine.ts';

/**
 * The work the session machine invokes, implemented by the daemon's parts (audio backend,
 * snapshot store, outboard drivers). Each one-shot job honours its AbortSignal: leaving the
 * state that invoked it (a stop, a cancel) aborts it.
 */
export interface SessionServices {
  calibrate(signal: AbortSignal): Promise<CalibrationResult>;
  recallApply(snapshotId: string, signal: AbortSignal): Promise<unknown>;
  recallVerify(snapshotId: string, applied: unknown, signal: AbortSignal): Promise<RecallOutcome>;
  print(request: PrintRequest, signal: AbortSignal): Promise<unknown>;
  startPlayback(): void;
  stopPlayback(): void;
}

/** What runs when no part provides a service: a clear error, never a silent success. */
export function missingServices(): SessionServices {
  return {
    calibrate: async () => {
      throw new BridgeError('E_AUDIO_BACKEND', 'calibration needs an audio backend (audio.backend is none)');
    },
    recallApply: async () => {
      throw new BridgeError('E_STORE_OPEN', 'recall needs the snapshot store');
    },
    recallVerify: async () => {
      throw new BridgeError('E_STORE_OPEN', 'recall needs the snapshot store');
    },
    print: async () => {
      throw new BridgeError('E_AUDIO_BACKEND', 'printing needs an audio backend (audio.backend is none)');
    },
    startPlayback: () => {},
    stopPlayback: () => {},
  };
}
