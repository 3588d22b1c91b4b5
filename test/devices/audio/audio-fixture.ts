import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createWavWriter } from '../../../src/audio-file/index.ts';
import { audioSectionSchema, type AudioSection } from '../../../src/config/sections/audio.ts';
import { AudioInterface, type AudioInterfaceOptions } from '../../../src/devices/audio/audio-interface.ts';
import { silentLogger } from '../../../src/logger.ts';

export const FS = 48000;
export const BLOCK = 256;

/** The config section as the daemon would have it, from a partial YAML-like object. */
export function audioConfig(partial: Record<string, unknown> = {}): AudioSection {
  return audioSectionSchema.parse({ backend: 'simulated', ...partial });
}

export function tempDir(prefix = 'hb-audio-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Deterministic white-ish noise (xorshift), amplitude `amp`. */
export function noise(frames: number, amp: number, seed = 12345): Float32Array {
  const out = new Float32Array(frames);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < frames; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = amp * ((s >>> 0) / 2147483648 - 1);
  }
  return out;
}

/** A stereo test programme: a decaying chirp-ish signal plus noise, distinct per channel, no DC. */
export function programme(frames: number, amp = 0.25): Float32Array[] {
  const l = noise(frames, amp * 0.5, 1);
  const r = noise(frames, amp * 0.5, 2);
  for (let i = 0; i < frames; i++) {
    const t = i / FS;
    l[i] = (l[i] as number) + amp * 0.5 * Math.sin(2 * Math.PI * (220 + 400 * t) * t);
    r[i] = (r[i] as number) + amp * 0.5 * Math.sin(2 * Math.PI * 331 * t);
  }
  return [l, r];
}

export async function writeWav(file: string, channels: Float32Array[], format: 'pcm24' | 'float32' = 'float32', sampleRate = FS): Promise<void> {
  const w = await createWavWriter(file, { sampleRate, channels: channels.length, format });
  await w.write(channels, (channels[0] as Float32Array).length);
  await w.close();
}

export function rmsDb(x: ArrayLike<number>, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += (x[i] as number) ** 2;
  return 10 * Math.log10(s / Math.max(1, to - from) + 1e-300);
}

/** An AudioInterface on the simulated loop, fast pace by default. */
export function simulatedInterface(audio: AudioSection, extra: Partial<AudioInterfaceOptions> = {}): AudioInterface {
  return new AudioInterface({
    audio,
    engine: { sampleRate: FS, blockSize: BLOCK },
    log: silentLogger(),
    pace: 'fast',
    ...extra,
  });
}
