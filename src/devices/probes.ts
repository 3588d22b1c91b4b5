import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BusProbe, BusReport } from '../commands/devices.ts';

const CHILD = fileURLToPath(new URL('./probe-child.ts', import.meta.url));
const BUSES = ['midi', 'hid', 'serial', 'audio'] as const;
type Bus = (typeof BUSES)[number];

/**
 * Each bus is probed in a child process: the native libraries write noise straight to
 * fd 2 (ALSA), naudiodon prints to stdout and can abort the process on a PortAudio
 * assertion, and a hung driver must not hang the command. The child answers one JSON line.
 */
export function defaultProbes(timeoutMs = 10_000): BusProbe[] {
  return BUSES.map((bus) => () => probeInChild(bus, timeoutMs));
}

function probeInChild(bus: Bus, timeoutMs: number): Promise<BusReport> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, bus], {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: process.cwd(),
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = out.split('\n').reverse().find((l) => l.startsWith('{"bus"'));
      if (line) {
        resolve(JSON.parse(line) as BusReport);
        return;
      }
      const why = signal ? `probe killed by ${signal}${signal === 'SIGKILL' ? ` after ${timeoutMs} ms` : ''}` : `probe exited with code ${String(code)}`;
      const hint = err.split('\n').map((l) => l.trim()).filter(Boolean).pop();
      resolve({ bus, available: false, reason: hint ? `${why}: ${hint}` : why, devices: [] });
    });
  });
}
