import type { CalibrationResult } from '../../engine/insert/insert-calibration.ts';
import type { Logger } from '../../logger.ts';
import type { TabletServer } from '../../server/ws/tablet-server.ts';
import { describeState, type SessionActor } from '../../state/session-machine.ts';
import type { SessionServices } from '../../state/session-services.ts';
import type { DeviceHub } from '../device-hub.ts';
import type { AudioHost } from './audio-host.ts';
import { audioSessionServices } from './audio-services.ts';

export interface AudioWiringDeps {
  readonly audio: AudioHost;
  /** The daemon's services: the audio ones are assigned here, then `overrides` (tests) on top. */
  readonly services: SessionServices;
  readonly overrides: Partial<SessionServices>;
  readonly hub: DeviceHub;
  readonly session: SessionActor;
  readonly tablet: TabletServer;
  readonly log: Logger;
  /** Calibrate through the session machine (Daemon#calibrate). */
  readonly calibrate: () => Promise<CalibrationResult>;
  /** A new file name for a print started from the tablet. */
  readonly printFile: () => string;
  readonly sampleRate: number;
}

/**
 * The audio part into the rest of the daemon: the session machine's services and the hub's
 * retries; the calibration and transport states the worker reports, into the machine's regions
 * (a stored calibration -> `calibration.loaded`, a route change -> `calibration.invalidate`, a
 * source that ended -> `transport.stop`); calibrate and transport for the tablet.
 */
export function wireAudio(d: AudioWiringDeps): void {
  const { audio, session } = d;
  Object.assign(
    d.services,
    audioSessionServices(audio, { log: d.log, onPlayFailed: () => session.send({ type: 'transport.stop' }) }),
    d.overrides,
  );
  d.hub.on('retry', (id) => {
    if (id === 'interface') audio.retry().catch((err: unknown) => d.log.warn({ err }, 'audio: retry failed'));
  });
  audio.on('calibration', (s) => {
    if (!session.getSnapshot().matches('ready')) return;
    if (s.state === 'valid' && s.result?.origin === 'stored') session.send({ type: 'calibration.loaded', result: s.result });
    else if (s.state === 'stale') session.send({ type: 'calibration.invalidate' });
  });
  audio.on('transport', (t) => {
    if (t.state === 'stopped' && session.getSnapshot().matches({ ready: { transport: 'playing' } })) session.send({ type: 'transport.stop' });
  });
  session.subscribe((snap) => {
    // A stored calibration found before the machine was ready (the worker starts inside startup).
    const c = audio.calibration;
    if (snap.matches({ ready: { calibration: 'none' } }) && c?.state === 'valid' && c.result) session.send({ type: 'calibration.loaded', result: c.result });
  });
  d.tablet.setActions({
    calibrate: async () => {
      const r = await d.calibrate();
      return { latencySamples: r.latencySamples, gainDb: r.gainDb, polarity: r.polarity, confidence: r.confidence, route: r.route, measuredAt: r.measuredAt };
    },
    transport: async (command) => {
      if (command.command === 'play') session.send({ type: 'transport.play' });
      else if (command.command === 'stop') session.send({ type: 'transport.stop' });
      else if (command.command === 'print') session.send({ type: 'transport.print', print: { file: d.printFile(), format: 'pcm24' } });
      else await audio.locate(Math.round(command.positionS * d.sampleRate));
      return { state: describeState(session.getSnapshot()), transport: audio.transport ?? null };
    },
  });
}
