import type { SessionServices } from '../../state/session-services.ts';
import type { AudioInterface } from './audio-interface.ts';

/**
 * The session machine's audio services, from the audio interface: the `calibrate` and `print`
 * one-shot jobs (they honour the machine's AbortSignal) and the playback entry/exit actions.
 * Spread into the daemon's services: `Object.assign(daemon.services, audioSessionServices(audio))`.
 */
export function audioSessionServices(audio: AudioInterface): Pick<SessionServices, 'calibrate' | 'print' | 'startPlayback' | 'stopPlayback'> {
  return {
    calibrate: (signal) => audio.calibrate(signal),
    print: (request, signal) => audio.print(request, signal),
    startPlayback: () => audio.transport.play(),
    stopPlayback: () => {
      if (audio.transport.state === 'playing') audio.transport.stop();
    },
  };
}
