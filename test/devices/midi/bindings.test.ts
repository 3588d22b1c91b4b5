import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NetMidiServer } from '../../../firmware-sim/surfaces/net-midi-server.ts';
import { XTouchSim } from '../../../firmware-sim/surfaces/xtouch.ts';
import { createCompositeMidiBinding } from '../../../src/devices/midi/composite-midi-binding.ts';
import { FakeMidiWorld } from '../../../src/devices/midi/fake-midi-binding.ts';
import { createNativeMidiBinding } from '../../../src/devices/midi/native-midi-binding.ts';
import { createNetMidiBinding } from '../../../src/devices/midi/net-midi-binding.ts';
import { choosePort, PortPattern } from '../../../src/devices/midi/port-pattern.ts';
import { probeMidi } from '../../../src/devices/midi/probe-midi.ts';
import { isBridgeError } from '../../../src/errors.ts';
import { turns, until } from '../../control/surface-helpers.ts';

describe('fake MIDI world (faithful to rtmidi where it matters)', () => {
  it('each world is its own; nothing is delivered synchronously; ports are found by name', async () => {
    const a = new FakeMidiWorld();
    const b = new FakeMidiWorld();
    const dev = a.plug('Knobs 1');
    expect((await b.binding().list()).inputs).toEqual([]);
    const binding = a.binding();
    expect(await binding.list()).toEqual({ inputs: ['Knobs 1'], outputs: ['Knobs 1'] });
    const input = await binding.openInput('Knobs 1');
    const got: number[][] = [];
    input.onData((bytes) => got.push([...bytes]));
    dev.send([0xb0, 1, 2]);
    expect(got).toEqual([]);
    await until(() => got.length === 1, 'delivered later');
    const out = await binding.openOutput('Knobs 1');
    out.send(Uint8Array.of(0x90, 1, 2, 0xb0, 3, 4));
    expect(dev.received).toEqual([]);
    await until(() => dev.received.length === 2, 'host -> device');
    await expect(binding.openInput('nope')).rejects.toMatchObject({ code: 'E_DEVICE_NOT_FOUND' });
  });

  it('an unplugged port vanishes silently (rtmidi); it can come back under a new name', async () => {
    const world = new FakeMidiWorld();
    const dev = world.plug('X-Touch:X-Touch MIDI 1 20:0');
    const binding = world.binding();
    const input = await binding.openInput('X-Touch:X-Touch MIDI 1 20:0');
    let closed = false;
    input.onClose(() => (closed = true));
    dev.unplug();
    await turns(5);
    expect(closed).toBe(false);
    expect((await binding.list()).inputs).toEqual([]);
    dev.replug('X-Touch:X-Touch MIDI 1 24:0');
    expect((await binding.list()).inputs).toEqual(['X-Touch:X-Touch MIDI 1 24:0']);
  });

  it('a socket-like world reports the close; chunking can split messages anywhere', async () => {
    const world = new FakeMidiWorld({ closeEvents: true, chunking: 2 });
    const dev = world.plug('net');
    const input = await world.binding().openInput('net');
    const chunks: number[][] = [];
    let reason = '';
    input.onData((b) => chunks.push([...b]));
    input.onClose((r) => (reason = r));
    dev.send([0xb0, 1, 2, 3, 4]);
    await until(() => chunks.length === 3, 'chunks');
    expect(chunks).toEqual([[0xb0, 1], [2, 3], [4]]);
    dev.unplug();
    await until(() => reason !== '', 'close');
  });

  it('an unavailable bus rejects with E_BUS_UNAVAILABLE and the reason', async () => {
    const world = new FakeMidiWorld({ unavailable: 'MIDI unavailable: Failed to initialise RtMidi' });
    const err = await world
      .binding()
      .list()
      .catch((e: unknown) => e);
    expect(isBridgeError(err, 'E_BUS_UNAVAILABLE') && err.message).toBe('MIDI unavailable: Failed to initialise RtMidi');
  });
});

describe('port patterns: by name, never by index', () => {
  it('substring (case-insensitive) or /regex/; survives an ALSA client renumbering', () => {
    const p = new PortPattern('x-touch');
    expect(p.test('X-Touch:X-Touch MIDI 1 20:0')).toBe(true);
    expect(p.test('X-Touch:X-Touch MIDI 1 24:0')).toBe(true);
    expect(new PortPattern('/^X-Touch:/').test('X-Touch-Ext:X-Touch-Ext MIDI 1')).toBe(false);
    expect(() => new PortPattern('/([/')).toThrow();
  });

  it('prefers a port no other surface pattern matches, skips claimed ones, is stable', () => {
    const main = new PortPattern('X-Touch');
    const ext = new PortPattern('X-Touch-Ext');
    const names = ['X-Touch-Ext:X-Touch-Ext MIDI 1 28:0', 'X-Touch:X-Touch MIDI 1 24:0'];
    expect(choosePort(main, names, new Set(), [ext])).toBe('X-Touch:X-Touch MIDI 1 24:0');
    expect(choosePort(ext, names, new Set(), [main])).toBe('X-Touch-Ext:X-Touch-Ext MIDI 1 28:0');
    expect(choosePort(main, names, new Set(['X-Touch:X-Touch MIDI 1 24:0']), [ext])).toBe('X-Touch-Ext:X-Touch-Ext MIDI 1 28:0');
    // Two identical units: the alphabetically first is taken first, the second by the next surface.
    const twins = ['Knobs 2', 'Knobs 1'];
    expect(choosePort(new PortPattern('Knobs'), twins, new Set(), [])).toBe('Knobs 1');
    expect(choosePort(new PortPattern('Knobs'), twins, new Set(['Knobs 1']), [])).toBe('Knobs 2');
  });
});

describe('native rtmidi binding on this machine', () => {
  const hasSeq = process.platform === 'linux' && existsSync('/dev/snd/seq');
  it.skipIf(hasSeq)('without an ALSA sequencer: one-line reason, never a throw from the probe', async () => {
    const binding = createNativeMidiBinding();
    const err = await binding.list().catch((e: unknown) => e);
    expect(isBridgeError(err, 'E_BUS_UNAVAILABLE')).toBe(true);
    expect((err as Error).message).toMatch(/^MIDI unavailable: Failed to initialise RtMidi/);
    expect((err as Error).message).not.toContain('\n');
    // The failure is cached: the next list does not retry (and spam ALSA errors) at every poll.
    const again = await binding.list().catch((e: unknown) => e);
    expect((again as Error).message).toBe((err as Error).message);
    const probe = await probeMidi();
    expect(probe).toEqual({ available: false, reason: (err as Error).message, inputs: [], outputs: [] });
    await binding.close();
  });

  it.skipIf(!hasSeq)('with an ALSA sequencer: lists ports', async () => {
    const probe = await probeMidi();
    expect(probe.available).toBe(true);
  });

  it('composite: the network part still works when rtmidi cannot, and the reason is kept', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'hb-net-'));
    const server = new NetMidiServer('sim:xtouch', new XTouchSim());
    await server.listen(path.join(dir, 'xtouch.sock'));
    const fakeNative = new FakeMidiWorld({ unavailable: 'MIDI unavailable: Failed to initialise RtMidi' }).binding();
    const binding = createCompositeMidiBinding([fakeNative, createNetMidiBinding({ socketDir: dir })]);
    try {
      const ports = await binding.list();
      expect(ports.inputs).toEqual(['sim:xtouch']);
      expect(ports.problems).toEqual(['MIDI unavailable: Failed to initialise RtMidi']);
      expect(await probeMidi(binding)).toEqual({ available: true, reason: 'MIDI unavailable: Failed to initialise RtMidi', inputs: ['sim:xtouch'], outputs: ['sim:xtouch'] });
    } finally {
      await binding.close();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('network MIDI binding (firmware-sim surfaces in their own process)', () => {
  it('hello line names the port; raw bytes both ways, running status included; a closed socket is an unplug', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'hb-net-'));
    const sim = new XTouchSim();
    const server = new NetMidiServer('sim:xtouch', sim);
    const sock = path.join(dir, 'xtouch.sock');
    await server.listen(sock);
    const binding = createNetMidiBinding({ endpoints: [sock] });
    try {
      expect(await binding.list()).toEqual({ inputs: ['sim:xtouch'], outputs: ['sim:xtouch'] });
      const input = await binding.openInput('sim:xtouch');
      const output = await binding.openOutput('sim:xtouch');
      const got: number[] = [];
      let closed = '';
      input.onData((b) => got.push(...b));
      input.onClose((r) => (closed = r));
      sim.turnVpot(2, 3);
      await until(() => got.length === 9, 'three V-Pot messages');
      expect(got).toEqual([0xb0, 0x11, 1, 0xb0, 0x11, 1, 0xb0, 0x11, 1]);
      // Running status from the host side is understood by the device.
      output.send(Uint8Array.of(0xb0, 0x30, 0x06, 0x31, 0x16));
      await until(() => sim.rings[1] === 0x16, 'rings set');
      expect(sim.rings[0]).toBe(0x06);
      server.dropHost();
      await until(() => closed !== '', 'closed');
      expect((await binding.list()).inputs).toEqual(['sim:xtouch']); // it reconnects on the next poll
    } finally {
      await binding.close();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('an endpoint with nothing listening is simply absent', async () => {
    const binding = createNetMidiBinding({ endpoints: ['/tmp/hb-nothing-here.sock', '127.0.0.1:1'] });
    expect(await binding.list()).toEqual({ inputs: [], outputs: [] });
    await binding.close();
  });
});
