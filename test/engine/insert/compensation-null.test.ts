import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { ParamStore } from '../../../src/params/param-store.ts';
import { audioConfig, BLOCK, FS, programme, rmsDb, simulatedInterface, tempDir, writeWav } from '../../devices/audio/audio-fixture.ts';

const outboard = [
  { id: 'is1', profile: 'hb-is6', serial: 'IS-1', port: 'sim', baudRate: 115200, required: true, onPowerCycle: 'resend' as const },
  { id: 'eq1', profile: 'hb-seq4', serial: 'EQ-1', port: 'sim', baudRate: 115200, required: true, onPowerCycle: 'resend' as const },
  { id: 'comp1', profile: 'hb-bc2', serial: 'BC-1', port: 'sim', baudRate: 115200, required: true, onPowerCycle: 'resend' as const },
];
const simUnits = [
  { model: 'switcher', serial: 'IS-1' },
  { model: 'eq', serial: 'EQ-1' },
  { model: 'comp', serial: 'BC-1' },
];

/**
 * Run the programme through the insert in `null` mode (return minus the compensated dry path)
 * and return the residual level relative to the programme, dB.
 */
async function nullDepthDb(options: { calibrate: boolean; latencySamples: number; gainDb: number; polarity: 1 | -1 }): Promise<number> {
  const { dir, cleanup } = tempDir();
  try {
    const file = path.join(dir, 'prog.wav');
    const prog = programme(FS * 2);
    await writeWav(file, prog);
    const params = new ParamStore();
    // Flat analog units with noise and saturation off: the loop is a pure delay, gain and polarity.
    const audio = audioConfig({
      simulated: { latencySamples: options.latencySamples, gainDb: options.gainDb, polarity: options.polarity, insertUnits: ['is1', 'eq1', 'comp1'], noise: false, saturation: false },
      calibration: { sweepMs: 300, maxLatencyMs: 50 },
      source: { type: 'file', file, loop: true },
    });
    const residual: number[] = [];
    const reference: number[] = [];
    let capture = false;
    const iface = simulatedInterface(audio, {
      params,
      outboard,
      simUnits,
      taps: {
        input: (ch, frames) => {
          if (capture) for (let i = 0; i < frames; i++) reference.push((ch[0] as Float32Array)[i] as number);
        },
        output: (ch, frames) => {
          if (capture) for (let i = 0; i < frames; i++) residual.push((ch[0] as Float32Array)[i] as number);
        },
      },
    });
    await iface.start();
    try {
      iface.rack?.setUnitParams('is1', { 'loop1.in': 1, 'loop2.in': 1 });
      iface.rack?.setUnitParams('comp1', { in: 0 });
      if (options.calibrate) await iface.calibrate();
      params.set('insert.mode', 2, 'api'); // null
      iface.transport.play();
      // Let the mode ramp settle, then measure one second.
      const until = iface.graph.framesProcessed + FS / 2;
      while (iface.graph.framesProcessed < until) await new Promise((r) => setTimeout(r, 5));
      capture = true;
      const end = iface.graph.framesProcessed + FS;
      while (iface.graph.framesProcessed < end) await new Promise((r) => setTimeout(r, 5));
      capture = false;
    } finally {
      await iface.stop();
    }
    expect(residual.length).toBeGreaterThan(FS / 2);
    return rmsDb(residual) - rmsDb(reference);
  } finally {
    cleanup();
  }
}

describe('latency compensation: the null test', () => {
  it('the insert return nulls against the compensated dry path below -80 dB (flat units, noise and saturation off)', async () => {
    const depth = await nullDepthDb({ calibrate: true, latencySamples: 61, gainDb: -2.5, polarity: -1 });
    expect(depth).toBeLessThan(-80);
  });

  it('the same loop does not null without the calibration (the test can tell)', async () => {
    const depth = await nullDepthDb({ calibrate: false, latencySamples: 61, gainDb: -2.5, polarity: -1 });
    expect(depth).toBeGreaterThan(-10);
  });

  it('a block size change makes the calibration stale (the round trip moves with it)', async () => {
    const iface = simulatedInterface(audioConfig({ calibration: { sweepMs: 300, maxLatencyMs: 50 } }));
    await iface.start();
    try {
      await iface.calibrate();
      expect(iface.calibration.state).toBe('valid');
      iface.calibration.setRoute({ ...iface.calibration.route, blockSize: BLOCK * 2 });
      expect(iface.calibration.state).toBe('stale');
    } finally {
      await iface.stop();
    }
  });
});
