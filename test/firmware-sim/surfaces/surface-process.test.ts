import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { createCompositeMidiBinding } from '../../../src/devices/midi/composite-midi-binding.ts';
import { FakeMidiWorld } from '../../../src/devices/midi/fake-midi-binding.ts';
import { createNetMidiBinding } from '../../../src/devices/midi/net-midi-binding.ts';
import { SurfaceManager } from '../../../src/control/surface-manager.ts';
import { RecordingActionSink } from '../../../src/control/action-sink.ts';
import { FakeHidWorld } from '../../../src/devices/hid/fake-hid-binding.ts';
import { silentLogger } from '../../../src/logger.ts';
import { normalise } from '../../../src/params/taper.ts';
import { TEST_XTOUCH_MAP, testStore, until } from '../../control/surface-helpers.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const BIN = path.join(ROOT, 'firmware-sim/bin/surface.ts');

interface SimProcess {
  child: ChildProcess;
  ready: Record<string, unknown>;
  command(line: string): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

async function startSim(args: string[], controlPath: string): Promise<SimProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', BIN, ...args, '--control', controlPath], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`surface sim exited with ${String(code)}`)));
    lines.on('line', (l) => {
      const o = JSON.parse(l) as Record<string, unknown>;
      if (o.event === 'ready') resolve(o);
    });
  });
  const command = (line: string): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const sock = connect(controlPath);
      sock.on('error', reject);
      createInterface({ input: sock }).once('line', (l) => {
        sock.destroy();
        resolve(JSON.parse(l) as Record<string, unknown>);
      });
      sock.write(line + '\n');
    });
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return { child, ready, command, stop };
}

describe('firmware-sim surface as its own process, over network MIDI', () => {
  it('a change from the simulated surface reaches the store; the page shows on its LCD; it is re-synced after a restart', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'hb-simproc-'));
    const socketDir = path.join(dir, 'sockets');
    await mkdir(socketDir);
    await writeFile(path.join(dir, 'xt.yaml'), TEST_XTOUCH_MAP);
    const args = ['--type', 'mcu', '--listen', path.join(socketDir, 'xtouch.sock'), '--name', 'sim:xtouch', '--servo-ms', '50'];
    let sim = await startSim(args, path.join(dir, 'xtouch.ctl'));
    const store = testStore();
    const statuses: string[] = [];
    // As on this machine: rtmidi cannot start, the network part carries the simulated surface.
    const midi = createCompositeMidiBinding([new FakeMidiWorld({ unavailable: 'MIDI unavailable: Failed to initialise RtMidi' }).binding(), createNetMidiBinding({ socketDir })]);
    const manager = new SurfaceManager({
      store,
      surfaces: [{ id: 'xtouch', type: 'mcu', match: 'sim', map: 'xt', required: false }],
      mapsDir: dir,
      dataDir: path.join(dir, 'data'),
      log: silentLogger(),
      report: (id, status) => statuses.push(status),
      midi,
      hid: new FakeHidWorld().binding(),
      actions: new RecordingActionSink(),
      pollIntervalMs: 0,
    });
    try {
      expect(sim.ready).toMatchObject({ event: 'ready', name: 'sim:xtouch' });
      await manager.start();
      await until(() => manager.surfaces()[0]?.status === 'online', 'online');
      expect(manager.surfaces()[0]?.ports).toEqual(['sim:xtouch', 'sim:xtouch']);
      expect(await sim.command('turn 3 10')).toEqual({ ok: true });
      await until(() => store.get('eq.band3.gainDb') === 5, 'V-Pot 3 +10 ticks = +5 dB');
      const lcdHas = async (text: string): Promise<boolean> => ((await sim.command('lcd')).lcd as string[])[1]?.includes(text) ?? false;
      for (let i = 0; i < 200 && !(await lcdHas('5 dB')); i++) await new Promise((r) => setTimeout(r, 10));
      expect(await lcdHas('5 dB')).toBe(true);
      // The tablet moves band 1: the simulated motor fader follows.
      store.set('eq.band1.gainDb', 12, 'tablet:t1');
      const target = Math.round(normalise(store.spec('eq.band1.gainDb'), 12) * 16383);
      let faders: number[] = [];
      for (let i = 0; i < 200; i++) {
        faders = ((await sim.command('state')).state as { faders: number[] }).faders;
        if (faders[0] === target) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(faders[0]).toBe(target);

      await sim.stop();
      await manager.rescan();
      await until(() => manager.surfaces()[0]?.status === 'reconnecting', 'reconnecting after the process died');
      sim = await startSim(args, path.join(dir, 'xtouch.ctl'));
      await manager.rescan();
      await until(() => manager.surfaces()[0]?.status === 'online', 'online again');
      for (let i = 0; i < 200 && !(await lcdHas('12 dB')); i++) await new Promise((r) => setTimeout(r, 10));
      const lcd = (await sim.command('lcd')).lcd as string[];
      expect(lcd[1]).toContain('12 dB');
      expect(lcd[1]).toContain('5 dB');
      expect(statuses).toEqual(['connecting', 'online', 'reconnecting', 'connecting', 'online']);
    } finally {
      await manager.stop();
      await midi.close();
      await sim.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
