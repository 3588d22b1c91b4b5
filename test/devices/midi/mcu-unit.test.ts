import { describe, expect, it } from 'vitest';
import { XTouchSim, expectedResponse, type HandshakeMode } from '../../../firmware-sim/surfaces/xtouch.ts';
import { FakeMidiWorld } from '../../../src/devices/midi/fake-midi-binding.ts';
import type { McuInput } from '../../../src/devices/midi/mcu-decoder.ts';
import { McuUnit, type McuUnitOptions, type McuUnitStatus } from '../../../src/devices/midi/mcu-unit.ts';
import { toHex } from '../../../src/devices/midi/midi-message.ts';
import { plugSim, turns, until } from '../../control/surface-helpers.ts';

const OPTIONS: McuUnitOptions = { model: 0x14, colours: true, lcdCellChars: 7, faderTop: 0x3fff, onlineTimeoutMs: 0, meters: false };

async function unitWith(sim: XTouchSim, options: Partial<McuUnitOptions> = {}) {
  const world = new FakeMidiWorld();
  const device = plugSim(world, 'X-Touch', sim);
  const binding = world.binding();
  const statuses: { status: McuUnitStatus; reason?: string }[] = [];
  const inputs: McuInput[] = [];
  const unit = new McuUnit(
    { ...OPTIONS, ...options },
    { input: (e) => inputs.push(e), status: (status, reason) => statuses.push({ status, ...(reason ? { reason } : {}) }) },
  );
  unit.attach(await binding.openInput('X-Touch'), await binding.openOutput('X-Touch'));
  return { unit, statuses, inputs, device, sim };
}

describe('MCU unit: handshake without blocking on the reply (reference §1.2)', () => {
  it('sends a Device Query first and goes online after the timeout when the unit stays silent (X-Touch)', async () => {
    const { unit, statuses, device } = await unitWith(new XTouchSim({ handshake: 'silent' }));
    await until(() => unit.online, 'online');
    await until(() => device.received.length >= 2, 'version request sent');
    const sent = device.received.map((m) => toHex(m));
    expect(sent[0]).toBe('F0 00 00 66 14 00 F7');
    expect(sent).toContain('F0 00 00 66 14 13 00 F7'); // version request, not awaited
    expect(statuses.map((s) => s.status)).toEqual(['connecting', 'online']);
  });

  it('a control message from the unit proves it is there (no waiting for the timeout)', async () => {
    const sim = new XTouchSim({ handshake: 'silent' });
    const { unit, inputs } = await unitWith(sim, { onlineTimeoutMs: 60_000 });
    await turns(10);
    expect(unit.status).toBe('connecting');
    sim.turnVpot(1, 1);
    await until(() => unit.online, 'online on first input');
    expect(inputs).toEqual([{ type: 'vpot', strip: 0, ticks: 1 }]);
  });

  it('Logic Control: answers the challenge with the manual formula; the unit confirms', async () => {
    const sim = new XTouchSim({ model: 0x10, handshake: 'challenge', challenge: [0x01, 0x7f, 0x40, 0x22] });
    const { unit, device } = await unitWith(sim, { model: 0x10, onlineTimeoutMs: 60_000 });
    sim.powerOn();
    await until(() => unit.online, 'online after confirmation');
    expect(sim.online).toBe(true);
    const reply = device.received.find((m) => m[5] === 0x02);
    expect(reply && [...reply.subarray(13, 17)]).toEqual(expectedResponse([0x01, 0x7f, 0x40, 0x22]));
    expect(unit.serial).toBe('XT00001');
  });

  it('a Host Connection Error leaves the unit refused with a reason', async () => {
    const world = new FakeMidiWorld();
    const device = world.plug('LC');
    const binding = world.binding();
    const statuses: string[] = [];
    const unit = new McuUnit({ ...OPTIONS, model: 0x10, onlineTimeoutMs: 60_000 }, { input: () => {}, status: (s, r) => statuses.push(`${s}${r ? `: ${r}` : ''}`) });
    unit.attach(await binding.openInput('LC'), await binding.openOutput('LC'));
    device.send([0xf0, 0, 0, 0x66, 0x10, 0x04, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0xf7]);
    await until(() => unit.status === 'refused', 'refused');
    expect(statuses.at(-1)).toMatch(/^refused: .*refused the host connection/);
  });

  it.each<[HandshakeMode, number]>([['ready', 0x14]])('a Host Connection Query from a %s 0x14 unit means ready: online without a reply', async (mode, model) => {
    const sim = new XTouchSim({ model, handshake: mode });
    const { unit, device } = await unitWith(sim, { onlineTimeoutMs: 60_000 });
    await until(() => unit.online, 'online');
    expect(device.received.some((m) => m[5] === 0x02)).toBe(false);
  });
});

describe('MCU unit: feedback state', () => {
  it('deduplicates, coalesces per turn and writes only the LCD cells that changed', async () => {
    const sim = new XTouchSim();
    const { unit, device } = await unitWith(sim);
    await until(() => unit.online, 'online');
    await turns(10);
    device.take();
    unit.setFader(0, 0.5);
    unit.setFader(0, 0.25);
    unit.setFader(0, 0.5);
    unit.setStripText(2, 1, '-3 dB');
    unit.setRing(4, 'wrap', 1);
    unit.setRing(4, 'wrap', 1);
    await turns(10);
    const sent = device.take().map((m) => toHex(m));
    // Strip 3 lower line starts at 0x38 + 2 * 7 = 0x46; only the characters that differ are written.
    expect(sent).toEqual(['E0 00 40', 'B0 34 2B', `F0 00 00 66 14 12 46 ${toHex(Array.from('-3 dB', (c) => c.charCodeAt(0)))} F7`]);
    unit.setFader(0, 0.5);
    unit.setStripText(2, 1, '-3 dB');
    await turns(10);
    expect(device.take()).toEqual([]);
    expect(sim.stripText(3, 1)).toBe('-3 dB');
  });

  it('resync sends the whole state again (reconnect)', async () => {
    const sim = new XTouchSim();
    const { unit, device } = await unitWith(sim);
    await until(() => unit.online, 'online');
    unit.setFader(2, 1);
    unit.setLed(0x5e, 'on');
    unit.setColour(0, 'red');
    unit.setAssignment('EQ');
    await turns(10);
    device.take();
    unit.resync();
    await turns(10);
    const sent = device.take().map((m) => toHex(m));
    expect(sent).toContain('E2 7F 7F');
    expect(sent).toContain('90 5E 7F');
    expect(sent).toContain('F0 00 00 66 14 72 01 07 07 07 07 07 07 07 F7');
    expect(sent).toContain('B0 4B 05');
    expect(sent).toContain('B0 4A 11');
    expect(sent.filter((m) => m.startsWith('F0 00 00 66 14 12')).length).toBe(2); // both LCD lines
    expect(sim.assignment()).toBe('EQ');
  });

  it('an extender speaks with model 0x15 in its SysEx', async () => {
    const sim = new XTouchSim({ model: 0x15 });
    const { unit, device } = await unitWith(sim, { model: 0x15 });
    await until(() => unit.online, 'online');
    unit.setStripText(0, 0, 'Hi');
    await turns(10);
    const sysex = device.received.filter((m) => m[0] === 0xf0).map((m) => m[4]);
    expect(new Set(sysex)).toEqual(new Set([0x15]));
    expect(sim.stripText(1, 0)).toBe('Hi');
  });

  it('the top of fader travel can be calibrated (an X-Touch reportedly stops near 7C 7F)', async () => {
    const sim = new XTouchSim();
    const { unit, device } = await unitWith(sim, { faderTop: 0x3e7f });
    await until(() => unit.online, 'online');
    await turns(5);
    device.take();
    unit.setFader(1, 1);
    await turns(10);
    expect(device.take().map((m) => toHex(m))).toEqual(['E1 7F 7C']);
    expect(unit.faderNormalised(0x3e7f)).toBe(1);
    expect(unit.faderNormalised(0x3fff)).toBe(1);
  });
});
