import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { simCommand, startSimulatedUnits } from '../../../src/commands/sim.ts';
import { OutboardManager } from '../../../src/devices/serial/outboard-manager.ts';
import { silentLogger } from '../../../src/logger.ts';
import { ParamStore } from '../../../src/params/param-store.ts';
import { requireTool } from '../../support/require-tool.ts';
import { TEST_TIMING } from './support/studio.ts';

const socat = requireTool('socat');
const dir = mkdtempSync(path.join(tmpdir(), 'hb-sim-studio-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return { stream, text: () => text };
}

describe('hybrid-bridge sim unit', () => {
  it('runs a unit in the foreground, prints where it is, stops on abort with exit 0', async () => {
    const out = capture();
    const err = capture();
    const abort = new AbortController();
    const done = simCommand(['unit', '--model', 'switcher', '--serial', 'IS-CMD', '--tcp', '127.0.0.1:0', '--state-file', path.join(dir, 'is.json')], {
      stdout: out.stream,
      stderr: err.stream,
      signal: abort.signal,
    });
    while (!out.text().includes('"ready"')) await new Promise((r) => setTimeout(r, 20));
    expect(JSON.parse(out.text().split('\n')[0] as string)).toMatchObject({ event: 'ready', modelName: 'HB-IS6', serial: 'IS-CMD', transport: 'tcp' });
    abort.abort();
    expect(await done).toBe(0);
  });

  it('usage errors exit 2; --help exits 0', async () => {
    const out = capture();
    const err = capture();
    expect(await simCommand([], { stdout: out.stream, stderr: err.stream })).toBe(2);
    expect(out.text()).toMatch(/usage: hybrid-bridge sim unit/);
    expect(await simCommand(['tape'], { stdout: out.stream, stderr: err.stream })).toBe(2);
    expect(err.text()).toMatch(/unknown subcommand "tape"/);
    expect(await simCommand(['--help'], { stdout: out.stream, stderr: err.stream })).toBe(0);
    expect(await simCommand(['unit', '--model', 'tape'], { stdout: out.stream, stderr: err.stream })).toBe(2);
  });
});

describe.skipIf(!socat.ok)(`the simulated studio (config sim.units)${socat.ok ? '' : ` (${socat.reason})`}`, () => {
  it('starts the units as processes, tells their ports, and the driver binds them with port: sim', async () => {
    const studio = await startSimulatedUnits(
      {
        units: [
          { model: 'eq', serial: 'EQ-STUDIO', transport: 'pty' },
          { model: 'comp', serial: 'BC-STUDIO', transport: 'tcp' },
        ],
      },
      { log: silentLogger(), dir },
    );
    const store = new ParamStore();
    const manager = new OutboardManager({
      store,
      units: [
        { id: 'eq1', profile: 'hb-seq4', serial: 'EQ-STUDIO', port: 'sim', baudRate: 115200, required: true, onPowerCycle: 'resend' },
        { id: 'comp1', profile: 'hb-bc2', serial: 'BC-STUDIO', port: 'sim', baudRate: 115200, required: true, onPowerCycle: 'resend' },
      ],
      profilesDir: 'config/gear',
      log: silentLogger(),
      report: () => {},
      resolvePort: (u) => studio.resolvePort(u),
      timing: TEST_TIMING,
    });
    try {
      expect(studio.units.map((u) => [u.serial, u.transport, u.port?.startsWith(u.transport === 'pty' ? dir : 'tcp://')])).toEqual([
        ['EQ-STUDIO', 'pty', true],
        ['BC-STUDIO', 'tcp', true],
      ]);
      await manager.start();
      const [eq, comp] = await Promise.all([manager.whenStatus('eq1', 'online', 15_000), manager.whenStatus('comp1', 'online', 15_000)]);
      expect(eq.path).toBe(studio.units[0]?.port);
      expect(comp.identity?.model).toBe('HB-BC2');
      const r = await manager.recall('eq1', { 'ch1.band1.gainDb': 1.5, mode: 1 });
      expect(r.ok).toBe(true);
    } finally {
      await manager.stop();
      await studio.stop();
    }
    expect(studio.units.every((u) => u.port === undefined)).toBe(true);
  });
});
