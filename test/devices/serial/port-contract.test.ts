import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PortHandle, PortOpener } from '../../../src/devices/serial/binding.ts';
import { FakeSerialWorld } from '../../../src/devices/serial/fake-serial.ts';
import { NativeSerialBinding } from '../../../src/devices/serial/native-serial.ts';
import { TcpTransport } from '../../../src/devices/serial/tcp-transport.ts';
import { requireTool } from '../../support/require-tool.ts';
import { startSocat } from './support/socat.ts';

/**
 * The PortHandle contract (src/devices/serial/binding.ts), run against every implementation: the fake,
 * TCP, a real pseudo-terminal through the native serialport binding, and a real serial port with a
 * loopback plug (TX wired to RX) when HB_SERIAL_LOOPBACK names it.
 */
interface Rig {
  opener: PortOpener;
  path: string;
  /** Make the device go away (pull the cable). */
  unplug(): Promise<void>;
  cleanup(): Promise<void>;
}

const dir = mkdtempSync(path.join(tmpdir(), 'hb-port-contract-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const socat = requireTool('socat');
const loopback = process.env.HB_SERIAL_LOOPBACK;

const rigs: { name: string; skip: string | false; make: () => Promise<Rig> }[] = [
  {
    name: 'fake',
    skip: false,
    make: async () => {
      const world = new FakeSerialWorld({ maxReadSize: 3 });
      const dev = world.attach('/dev/fake0');
      dev.onWrite = (b) => dev.send(b);
      return { opener: world, path: '/dev/fake0', unplug: async () => dev.unplug(), cleanup: async () => {} };
    },
  },
  {
    name: 'tcp (ser2net style)',
    skip: false,
    make: async () => {
      const sockets = new Set<Socket>();
      const server: Server = createServer((s) => {
        sockets.add(s);
        s.on('error', () => {});
        s.on('data', (d) => s.write(d));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const port = (server.address() as { port: number }).port;
      const unplug = async (): Promise<void> => {
        for (const s of sockets) s.destroy();
        await new Promise<void>((r) => server.close(() => r()));
      };
      return { opener: new TcpTransport(), path: `tcp://127.0.0.1:${port}`, unplug, cleanup: async () => (server.listening ? unplug() : undefined) };
    },
  },
  {
    name: 'pty via socat (native serialport binding)',
    skip: socat.ok ? false : socat.reason,
    make: async () => {
      const link = path.join(dir, `pty-${Math.random().toString(36).slice(2)}`);
      const s = await startSocat(link, 'EXEC:cat');
      return { opener: new NativeSerialBinding(), path: link, unplug: () => s.stop(), cleanup: () => s.stop() };
    },
  },
  {
    name: 'real serial port with a loopback plug',
    skip: loopback ? false : 'skipped: set HB_SERIAL_LOOPBACK=/dev/ttyUSBn (TX wired to RX) to run the contract on hardware',
    make: async () => ({ opener: new NativeSerialBinding(), path: loopback as string, unplug: async () => {}, cleanup: async () => {} }),
  },
];

async function readExactly(h: PortHandle, n: number): Promise<string> {
  let got = '';
  while (got.length < n) got += Buffer.from(await h.read()).toString('latin1');
  return got;
}

for (const rig of rigs) {
  describe.skipIf(rig.skip !== false)(`PortHandle contract: ${rig.name}${rig.skip ? ` (${rig.skip})` : ''}`, () => {
    it('carries bytes both ways (echo), whatever the chunking', async () => {
      const r = await rig.make();
      const h = await r.opener.open(r.path, { baudRate: 115200 });
      const msg = '$01 IDN*ABCD\r\n'.repeat(20);
      await h.write(Buffer.from(msg, 'latin1'));
      expect(await readExactly(h, msg.length)).toBe(msg);
      await h.close();
      await r.cleanup();
    });

    it('never resolves synchronously, and refuses overlapping writes and a second read', async () => {
      const r = await rig.make();
      const h = await r.opener.open(r.path, { baudRate: 115200 });
      let done = false;
      const w = h.write(Buffer.from('x')).then(() => (done = true));
      expect(done).toBe(false);
      await expect(h.write(Buffer.from('y'))).rejects.toThrow(TypeError);
      await w;
      const first = h.read();
      await expect(h.read()).rejects.toThrow(TypeError);
      expect(Buffer.from(await first).toString()).toBe('x');
      await h.close();
      await r.cleanup();
    });

    it('close() cancels a pending read with E_SERIAL_CLOSED and is idempotent', async () => {
      const r = await rig.make();
      const h = await r.opener.open(r.path, { baudRate: 115200 });
      const pending = h.read().catch((e: unknown) => e);
      await h.close();
      await h.close();
      expect(await pending).toMatchObject({ code: 'E_SERIAL_CLOSED', details: { canceled: true } });
      expect(h.isOpen).toBe(false);
      await r.cleanup();
    });

    it.skipIf(rig.name.startsWith('real'))('a device going away fails the pending read with E_DEVICE_DISCONNECTED', async () => {
      const r = await rig.make();
      const h = await r.opener.open(r.path, { baudRate: 115200 });
      const pending = h.read().catch((e: unknown) => e);
      await r.unplug();
      expect(await pending).toMatchObject({ code: 'E_DEVICE_DISCONNECTED' });
      await h.close();
      await r.cleanup();
    });

    it('opening a path that is not there is E_SERIAL_OPEN', async () => {
      const r = await rig.make();
      const missing = r.path.startsWith('tcp://') ? 'tcp://127.0.0.1:1' : `${r.path}-missing`;
      await expect(r.opener.open(missing, { baudRate: 115200 })).rejects.toMatchObject({ code: 'E_SERIAL_OPEN' });
      await r.cleanup();
    });
  });
}
