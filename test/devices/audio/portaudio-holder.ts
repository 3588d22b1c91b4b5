/**
 * Test helper process: opens a PortAudio stream (env: JACK server) and prints the stream
 * process's pid, then waits to be killed. The test kills this process with SIGKILL and checks
 * that the stream process dies with it (no orphan hung inside naudiodon).
 */
import { PortAudioBackend } from '../../../src/devices/audio/portaudio-backend.ts';
import { silentLogger } from '../../../src/logger.ts';
import { JACK_ALSA_CONFIG } from '../../support/jack.ts';

const backend = new PortAudioBackend({
  device: 'loop2',
  bufferBlocks: 8,
  realtimePriority: 40,
  stopTimeoutMs: 1500,
  stallTimeoutMs: 1000,
  alsaConfig: JACK_ALSA_CONFIG,
  log: silentLogger(),
});
await backend.open({ sampleRate: 48000, blockSize: 256, inputChannels: 2, outputChannels: 2 }, () => undefined);
process.stdout.write(`child ${String(backend.childPid)}\n`);
setInterval(() => undefined, 1000);
