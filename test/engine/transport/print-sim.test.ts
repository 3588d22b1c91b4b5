import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openAudioFile } from '../../../src/audio-file/index.ts';
import { isBridgeError } from '../../../src/errors.ts';
import { SimulatedLoopBackend } from '../../../src/devices/audio/simulated-loop-backend.ts';
import { audioConfig, BLOCK, FS, programme, simulatedInterface, tempDir, writeWav } from '../../devices/audio/audio-fixture.ts';

async function readAll(file: string): Promise<{ rate: number; channels: Float32Array[] }> {
  const r = await openAudioFile(file);
  try {
    const out = Array.from({ length: r.channels }, () => new Float32Array(r.frames));
    let at = 0;
    for (;;) {
      const chunk = await r.read(65536);
      if (!chunk) break;
      for (let c = 0; c < r.channels; c++) (out[c] as Float32Array).set(chunk[c] as Float32Array, at);
      at += (chunk[0] as Float32Array).length;
    }
    return { rate: r.sampleRate, channels: out };
  } finally {
    await r.close();
  }
}

/** The lag (in -range..range) at which b best matches a (cross-correlation maximum). */
function bestLag(a: Float32Array, b: Float32Array, range: number): number {
  let best = -Infinity;
  let at = 0;
  for (let lag = -range; lag <= range; lag++) {
    let s = 0;
    for (let i = range; i < a.length - range; i += 3) s += (a[i] as number) * (b[i + lag] as number);
    if (s > best) {
      best = s;
      at = lag;
    }
  }
  return at;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

describe('print on the simulated loop', () => {
  for (const format of ['float32', 'pcm24'] as const) {
    it(`records the chain output aligned to the source sample for sample (${format})`, async () => {
      const { dir, cleanup } = tempDir();
      try {
        const src = path.join(dir, 'source.wav');
        const prog = programme(Math.round(FS * 1.3));
        await writeWav(src, prog);
        const audio = audioConfig({
          simulated: { latencySamples: 61, gainDb: -1.5, polarity: -1 },
          calibration: { sweepMs: 300, maxLatencyMs: 50 },
          source: { type: 'file', file: src, loop: true },
        });
        const iface = simulatedInterface(audio);
        await iface.start();
        try {
          const cal = await iface.calibrate();
          expect(cal.latencySamples).toBe(BLOCK + 61);
          // Something plays before the print: the print must still start at sample 0.
          iface.transport.play();
          const out = path.join(dir, 'print.wav');
          const states: string[] = [];
          iface.transport.on('state', (s) => states.push(s.state));
          const result = await iface.print({ file: out, format });
          expect(result).toMatchObject({ frames: prog[0]?.length, latencySamples: BLOCK + 61, xruns: 0, sampleRate: FS, format });
          expect(states).toContain('printing');
          expect(iface.transport.state).toBe('stopped');
          const printed = await readAll(out);
          expect(printed.rate).toBe(FS);
          expect(printed.channels).toHaveLength(2);
          for (let c = 0; c < 2; c++) {
            const p = printed.channels[c] as Float32Array;
            const s = prog[c] as Float32Array;
            expect(p.length).toBe(s.length);
            expect(bestLag(s, p, 300)).toBe(0);
            // float32: the loop's gain and its correction round in float; pcm24: plus half an LSB.
            expect(maxAbsDiff(s, p)).toBeLessThan(format === 'float32' ? 1e-6 : 1.5 / 8388608);
          }
        } finally {
          await iface.stop();
        }
      } finally {
        cleanup();
      }
    });
  }

  it('prints a region of the source', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const src = path.join(dir, 'source.wav');
      const prog = programme(FS);
      await writeWav(src, prog);
      const iface = simulatedInterface(
        audioConfig({ calibration: { sweepMs: 300, maxLatencyMs: 50 }, source: { type: 'file', file: src, loop: false } }),
      );
      await iface.start();
      try {
        await iface.calibrate();
        const out = path.join(dir, 'region.wav');
        const r = await iface.print({ file: out, format: 'float32', region: { startFrame: 12000, endFrame: 20000 } });
        expect(r.frames).toBe(8000);
        const printed = await readAll(out);
        expect(maxAbsDiff((prog[0] as Float32Array).subarray(12000, 20000), printed.channels[0] as Float32Array)).toBeLessThan(1e-6);
      } finally {
        await iface.stop();
      }
    } finally {
      cleanup();
    }
  });

  it('prints the interface inputs (a DAW feeding the source ins) for lengthFrames, contiguous and compensated', async () => {
    const { dir, cleanup } = tempDir();
    try {
      let at = 0;
      // The DAW plays a sample counter on ins 1-2 (exact in float32 below 2^24).
      const backend = new SimulatedLoopBackend({
        patch: { from: [2, 3], to: [2, 3] },
        latencySamples: 61,
        gainDb: 0,
        polarity: 1,
        pace: 'fast',
        inputs: (input, frames) => {
          for (let i = 0; i < frames; i++) {
            (input[0] as Float32Array)[i] = (at + i) / 2 ** 22;
            (input[1] as Float32Array)[i] = -(at + i) / 2 ** 22;
          }
          at += frames;
        },
      });
      const iface = simulatedInterface(audioConfig({ source: { type: 'input' }, calibration: { sweepMs: 300, maxLatencyMs: 50 } }), { backend });
      await iface.start();
      try {
        await iface.calibrate();
        const out = path.join(dir, 'input.wav');
        const r = await iface.print({ file: out, format: 'float32', lengthFrames: 20000 });
        expect(r.frames).toBe(20000);
        const printed = await readAll(out);
        const l = printed.channels[0] as Float32Array;
        const first = Math.round((l[0] as number) * 2 ** 22);
        expect(first).toBeGreaterThan(0);
        // Sample 0 of the print is the input sample at the block boundary where the print started:
        // the chain's latency (insert round trip) was removed exactly.
        expect(first % BLOCK).toBe(0);
        for (let i = 0; i < l.length; i++) expect(Math.round((l[i] as number) * 2 ** 22)).toBe(first + i);
        expect(Math.round(((printed.channels[1] as Float32Array)[100] as number) * 2 ** 22)).toBe(-(first + 100));
      } finally {
        await iface.stop();
      }
    } finally {
      cleanup();
    }
  });

  it('an xrun during the print fails it (E_PRINT_XRUN) and keeps the file as .failed.wav', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const src = path.join(dir, 'source.wav');
      await writeWav(src, programme(FS));
      const iface = simulatedInterface(audioConfig({ source: { type: 'file', file: src, loop: false } }));
      await iface.start();
      try {
        const out = path.join(dir, 'print.wav');
        const run = iface.print({ file: out, format: 'pcm24' });
        setTimeout(() => iface.backend?.emit('xrun', { total: 1, added: 1, kind: 'late' }), 5);
        const err = await run.catch((e: unknown) => e);
        expect(isBridgeError(err, 'E_PRINT_XRUN')).toBe(true);
        expect((err as { details: { xruns: number } }).details.xruns).toBe(1);
        expect(existsSync(path.join(dir, 'print.failed.wav'))).toBe(true);
        expect(existsSync(out)).toBe(false);
      } finally {
        await iface.stop();
      }
    } finally {
      cleanup();
    }
  });

  it('stopping during the print cancels it and removes the file; a second print is refused while one runs', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const src = path.join(dir, 'source.wav');
      await writeWav(src, programme(FS * 20));
      const iface = simulatedInterface(audioConfig({ source: { type: 'file', file: src, loop: false } }), { pace: 'realtime' });
      await iface.start();
      try {
        const out = path.join(dir, 'print.wav');
        const run = iface.print({ file: out, format: 'pcm24' });
        const second = await iface.print({ file: path.join(dir, 'b.wav'), format: 'pcm24' }).catch((e: unknown) => e);
        expect(isBridgeError(second, 'E_TRANSPORT_STATE')).toBe(true);
        await new Promise((r) => setTimeout(r, 100));
        iface.transport.stop();
        const err = await run.catch((e: unknown) => e);
        expect(isBridgeError(err, 'E_TRANSPORT_STATE')).toBe(true);
        expect(existsSync(out)).toBe(false);
        expect(iface.transport.state).toBe('stopped');
      } finally {
        await iface.stop();
      }
    } finally {
      cleanup();
    }
  });
});
