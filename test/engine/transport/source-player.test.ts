import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SourcePlayer } from '../../../src/engine/transport/source-player.ts';
import { isBridgeError } from '../../../src/errors.ts';
import { FS, tempDir, writeWav } from '../../devices/audio/audio-fixture.ts';

function ramp(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => i / 1e6);
}

function read(p: SourcePlayer, frames: number, block = 7): number[] {
  const out: number[] = [];
  const buf = [new Float32Array(block), new Float32Array(block)];
  for (let done = 0; done < frames; done += block) {
    const n = Math.min(block, frames - done);
    p.read(buf, n);
    for (let i = 0; i < n; i++) out.push(Math.round((buf[0] as Float32Array)[i] as number * 1e6));
  }
  return out;
}

describe('SourcePlayer', () => {
  it('plays, stops, locates, loops a region and ends', () => {
    const p = new SourcePlayer({ name: 'ramp', sampleRate: FS, channels: [ramp(100), ramp(100)] });
    expect(read(p, 3)).toEqual([0, 0, 0]); // stopped: silence
    p.play();
    expect(read(p, 5)).toEqual([0, 1, 2, 3, 4]);
    p.locate(50);
    expect(read(p, 3)).toEqual([50, 51, 52]);
    p.setLoop({ startFrame: 10, endFrame: 13 });
    p.locate(11);
    expect(read(p, 8)).toEqual([11, 12, 10, 11, 12, 10, 11, 12]);
    p.setLoop(null);
    p.locate(97);
    expect(read(p, 6)).toEqual([97, 98, 99, 0, 0, 0]);
    expect(p.ended).toBe(true);
    expect(p.playing).toBe(false);
  });

  it('refuses a locate or a region outside the file', () => {
    const p = new SourcePlayer({ name: 'ramp', sampleRate: FS, channels: [ramp(100)] });
    expect(() => p.locate(101)).toThrow(expect.objectContaining({ code: 'E_TRANSPORT_STATE' }));
    expect(() => p.setLoop({ startFrame: 50, endFrame: 40 })).toThrow(expect.objectContaining({ code: 'E_TRANSPORT_STATE' }));
  });

  it('loads a WAV at the session rate, plays a mono file on both channels, and refuses another rate', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const mono = path.join(dir, 'mono.wav');
      await writeWav(mono, [ramp(1000)], 'float32');
      const p = await SourcePlayer.load(mono, FS, 2);
      expect(p.lengthFrames).toBe(1000);
      p.play();
      const buf = [new Float32Array(4), new Float32Array(4)];
      p.read(buf, 4);
      expect([...(buf[1] as Float32Array)].map((v) => Math.round(v * 1e6))).toEqual([0, 1, 2, 3]);
      const other = path.join(dir, 'other.wav');
      await writeWav(other, [ramp(10)], 'float32', 44100);
      const err = await SourcePlayer.load(other, FS, 2).catch((e: unknown) => e);
      expect(isBridgeError(err, 'E_WAV_UNSUPPORTED')).toBe(true);
    } finally {
      cleanup();
    }
  });
});
