/**
 * Child-process side of `hybrid-bridge devices`: loads one native library, lists what it
 * sees, prints one JSON line `{"bus", "available", "reason", "devices"}` and exits.
 * Kept out of the daemon's process on purpose (see probes.ts).
 */
import { createRequire } from 'node:module';
import type * as Serial from 'serialport';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);

interface Found {
  name: string;
  detail: string;
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return (msg.split('\n').find((l) => l.trim() !== '') ?? msg).trim();
}

async function probe(bus: string): Promise<{ available: boolean; reason: string; devices: Found[] }> {
  switch (bus) {
    case 'midi': {
      const { probeMidi } = await import('./midi/probe-midi.ts');
      const r = await probeMidi();
      const devices = [...r.inputs.map((name) => ({ name, detail: 'input' })), ...r.outputs.map((name) => ({ name, detail: 'output' }))];
      return { available: r.available, reason: (r.reason ?? (devices.length === 0 ? 'no MIDI ports' : '')).replace(/^MIDI unavailable:\s*/, ''), devices };
    }
    case 'hid': {
      const { probeHid } = await import('./hid/probe-hid.ts');
      const r = await probeHid();
      const devices = r.devices.map((d) => ({ name: d.product ?? 'unknown device', detail: `${hex(d.vendorId)}:${hex(d.productId)} ${d.via} ${d.path}` }));
      return { available: r.available, reason: r.reason ?? r.problems.join('; '), devices };
    }
    case 'serial': {
      const { SerialPort } = require('serialport') as typeof Serial;
      try {
        const ports = await SerialPort.list();
        const devices = ports.map((p) => ({ name: p.path, detail: [p.manufacturer, p.serialNumber, p.pnpId].filter(Boolean).join(' ') }));
        return { available: true, reason: devices.length === 0 ? 'no serial ports found (pseudo-terminals and tcp:// units are not listed)' : '', devices };
      } catch (err) {
        const why = firstLine(err);
        return { available: false, reason: why.includes('udevadm') ? `${why} (install the udev package)` : why, devices: [] };
      }
    }
    case 'audio': {
      // naudiodon writes crash.log into the working directory: give it a scratch one.
      process.chdir(mkdtempSync(path.join(os.tmpdir(), 'hb-probe-')));
      const log = console.log;
      console.log = () => {}; // naudiodon prints on every call
      try {
        const pa = require('naudiodon') as { getDevices(): { id: number; name: string; maxInputChannels: number; maxOutputChannels: number; defaultSampleRate: number; hostAPIName: string }[] };
        const list = pa.getDevices();
        const devices = list.map((d) => ({
          name: d.name,
          detail: `${d.hostAPIName} in ${d.maxInputChannels} / out ${d.maxOutputChannels} @ ${d.defaultSampleRate} Hz`,
        }));
        return {
          available: true,
          reason: devices.length === 0 ? 'PortAudio sees no devices (no sound card; see docs for the JACK loopback)' : '',
          devices,
        };
      } catch (err) {
        return { available: false, reason: `PortAudio: ${firstLine(err)}`, devices: [] };
      } finally {
        console.log = log;
      }
    }
    default:
      return { available: false, reason: `unknown bus ${bus}`, devices: [] };
  }
}

function hex(n: number): string {
  return n.toString(16).padStart(4, '0');
}

const bus = process.argv[2] ?? '';
probe(bus).then(
  (r) => {
    process.stdout.write(`\n${JSON.stringify({ bus, ...r })}\n`);
    process.exit(0);
  },
  (err: unknown) => {
    process.stdout.write(`\n${JSON.stringify({ bus, available: false, reason: firstLine(err), devices: [] })}\n`);
    process.exit(0);
  },
);
