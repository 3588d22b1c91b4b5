import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeFrame, FrameReader } from '../../../firmware-sim/units/frame-reader.ts';
import { UNIT_MODELS } from '../../../firmware-sim/units/model-registry.ts';
import type { UnitModelKey } from '../../../firmware-sim/units/model-table.ts';
import { NvStore } from '../../../firmware-sim/units/nv-store.ts';
import { UnitFirmware, type FirmwareTiming } from '../../../firmware-sim/units/unit-firmware.ts';

const BYTE_MS = 10_000 / 115200;

/** The firmware alone: what it transmits is decoded into frame bodies (and noise counted). */
function rig(model: UnitModelKey, options: { stateFile?: string; serial?: string; timing?: Partial<FirmwareTiming>; meter?: number } = {}) {
  const out: string[] = [];
  /** Line time each frame was queued for (the UART does not send it earlier). */
  const at: number[] = [];
  let noise = 0;
  const reader = new FrameReader();
  const fw = new UnitFirmware({
    model: UNIT_MODELS[model],
    serial: options.serial ?? 'SN-1',
    nv: new NvStore(options.stateFile, UNIT_MODELS[model].model, options.serial ?? 'SN-1'),
    io: {
      transmit: (bytes, atMs) => {
        for (const b of bytes) reader.push(b, (e) => (e.kind === 'frame' ? (out.push(e.body), at.push(atMs)) : undefined));
        noise = reader.noiseBytes;
      },
      now: () => Date.now(),
      random: () => 0.5,
    },
    ...(options.timing ? { timing: options.timing } : {}),
    meterRead: () => options.meter ?? 0,
  });
  const send = (...bodies: string[]): void => {
    for (const b of bodies) fw.receive(encodeFrame(b), Date.now(), BYTE_MS);
  };
  return { fw, out, at, send, noise: () => noise };
}

describe('unit firmware (protocol v1)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('answers IDN, GET, SET, DUMP and PING in the order received', () => {
    const { fw, out, send } = rig('eq');
    fw.powerOnNow();
    send('01 IDN', '02 SET 16 14', '03 GET 16', '04 DUMP 10 12', '05 PING');
    vi.advanceTimersByTime(50);
    expect(out).toEqual([
      '01 ACK IDN model=HB-SEQ4 vendor=Hollowbrook fw=1.4.2 serial=SN-1 proto=1 params=31 boot=1',
      '02 ACK SET 16 14',
      '03 ACK GET 16 14',
      '04 ACK DUMP 10=1 11=0 12=5',
      '05 ACK PING',
    ]);
    expect(fw.values()['ch1.band2.gainDb']).toBe(0.75);
  });

  it('NAKs with the documented codes', () => {
    const { fw, out, send } = rig('comp');
    fw.powerOnNow();
    send('01 SET 03 6', '02 SET 99 1', '03 SET F0 1', '04 FLY', '00 PING', '05 SET 03 x');
    fw.receive(Buffer.from('$06 PING*0000\r\n'), Date.now(), BYTE_MS);
    vi.advanceTimersByTime(50);
    expect(out).toEqual(['01 NAK 06 BAD_VALUE', '02 NAK 05 BAD_ADDRESS', '03 NAK 07 READ_ONLY', '04 NAK 04 UNKNOWN_VERB', '00 NAK 03 SYNTAX', '05 NAK 03 SYNTAX', '00 NAK 01 CHECKSUM']);
  });

  it('a hand-set unit refuses SET but reports its switches', () => {
    const { fw, out, send } = rig('passive');
    fw.powerOnNow();
    send('01 SET 02 5', '02 GET 02');
    fw.panel('lowBoostDb', 6);
    vi.advanceTimersByTime(50);
    expect(out).toEqual(['00 NTF 02 6', '01 NAK 07 READ_ONLY', '02 ACK GET 02 6']);
  });

  it('takes processing time per command and waits for relays to settle before the ACK', () => {
    const { fw, out, at, send } = rig('switcher', { timing: { processingMs: 0.3, settleMs: 3 } });
    fw.powerOnNow();
    const t0 = Date.now();
    send('01 SET 10 1', '02 SET 11 0', '03 SET 10 1');
    vi.advanceTimersByTime(50);
    expect(out).toEqual(['01 ACK SET 10 1', '02 ACK SET 11 0', '03 ACK SET 10 1']);
    const frameMs = encodeFrame('01 SET 10 1').length * BYTE_MS;
    // Relay changed: arrival + processing + settle. No change (already there): no settle.
    expect((at[0] as number) - t0).toBeCloseTo(frameMs + 0.3 + 3, 6);
    expect((at[1] as number) - t0).toBeCloseTo(Math.max(2 * frameMs, frameMs + 3.3) + 0.3, 6);
    expect((at[2] as number) - (at[1] as number)).toBeCloseTo(Math.max(0, 3 * frameMs - (at[1] as number) + t0) + 0.3, 6);
  });

  it('keeps the loop order a permutation: moving a loop swaps it, and says so', () => {
    const { fw, out, send } = rig('switcher');
    fw.powerOnNow();
    send('01 SET 12 2'); // loop 1 to position 3 (index 2); loop 3 held it
    vi.advanceTimersByTime(50);
    expect(out).toEqual(['01 ACK SET 12 2', '00 NTF 32 0']);
    expect(fw.values()['loop1.position']).toBe(3);
    expect(fw.values()['loop3.position']).toBe(1);
  });

  it('a stall holds every answer; input beyond the buffer is lost with one OVERFLOW NAK', () => {
    const { fw, out, send } = rig('eq', { timing: { rxBufferBytes: 64 } });
    fw.powerOnNow();
    fw.stall(100);
    for (let i = 1; i <= 8; i++) send(`0${i} GET 16`);
    vi.advanceTimersByTime(90);
    expect(out).toEqual([]);
    vi.advanceTimersByTime(50);
    expect(out.filter((b) => b.startsWith('00 NAK 02'))).toHaveLength(1);
    expect(out.filter((b) => b.includes('ACK GET')).length).toBeLessThan(8);
    expect(fw.stats.overflows).toBeGreaterThan(0);
  });

  it('power cycle: silence, line noise, the boot banner, input lost while booting', () => {
    const { fw, out, send, noise } = rig('eq', { timing: { offMs: 100, bootMs: 300 } });
    fw.powerOnNow();
    fw.powerCycle();
    send('01 IDN');
    vi.advanceTimersByTime(150);
    send('02 IDN'); // booting: not heard
    expect(out).toEqual([]);
    expect(noise()).toBe(3);
    vi.advanceTimersByTime(300);
    expect(out).toEqual(['00 BOOT model=HB-SEQ4 vendor=Hollowbrook fw=1.4.2 serial=SN-1 proto=1 params=31 boot=2']);
    send('03 PING');
    vi.advanceTimersByTime(10);
    expect(out.at(-1)).toBe('03 ACK PING');
  });

  it('meters are pushed while subscribed; a unit without meters grants 0', () => {
    const comp = rig('comp', { meter: 4.25 });
    comp.fw.powerOnNow();
    comp.send('01 SUB MTR 5', '02 GET F0');
    vi.advanceTimersByTime(45);
    expect(comp.out.slice(0, 2)).toEqual(['01 ACK SUB MTR 20', '02 ACK GET F0 43']);
    expect(comp.out.filter((b) => b === '00 MTR F0 43')).toHaveLength(2);
    comp.send('03 SUB MTR 0');
    vi.advanceTimersByTime(100);
    expect(comp.out.filter((b) => b === '00 MTR F0 43')).toHaveLength(2);
    const eq = rig('eq');
    eq.fw.powerOnNow();
    eq.send('01 SUB MTR 50');
    vi.advanceTimersByTime(10);
    expect(eq.out).toEqual(['01 ACK SUB MTR 0']);
  });

  it('front panel: a turn sends NTF and stops at the end of the switch', () => {
    const { fw, out } = rig('eq');
    fw.powerOnNow();
    fw.turn('ch1.band1.freqHz', 100);
    fw.panel('ch2.outputDb', -3.3);
    expect(out).toEqual(['00 NTF 12 10', '00 NTF 2E 13']);
    expect(fw.values()['ch1.band1.freqHz']).toBe(150);
    expect(fw.values()['ch2.outputDb']).toBe(-3.5);
  });
});

describe('unit firmware non-volatile memory', () => {
  let dir: string;
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
    dir = mkdtempSync(path.join(tmpdir(), 'hb-nv-'));
  });
  afterEach(() => {
    vi.useRealTimers();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps settings and the boot count in its state file; reset loses settings only', () => {
    const file = path.join(dir, 'eq.json');
    const a = rig('eq', { stateFile: file });
    a.fw.powerOnNow();
    a.send('01 SET 16 20');
    vi.advanceTimersByTime(200);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ format: 1, model: 'HB-SEQ4', serial: 'SN-1', boot: 1, raw: { '16': 20 } });
    const b = rig('eq', { stateFile: file });
    b.fw.powerOnNow();
    expect(b.fw.bootCount).toBe(2);
    expect(b.fw.values()['ch1.band2.gainDb']).toBe(4);
    b.fw.powerCycle(true);
    vi.advanceTimersByTime(1000);
    expect(b.fw.bootCount).toBe(3);
    expect(b.fw.values()['ch1.band2.gainDb']).toBe(0);
  });

  it('a change just before a power loss is lost (not yet written)', () => {
    const file = path.join(dir, 'eq.json');
    const { fw, send } = rig('eq', { stateFile: file, timing: { nvWriteDelayMs: 100 } });
    fw.powerOnNow();
    send('01 SET 16 20');
    vi.advanceTimersByTime(5);
    fw.powerCycle(false);
    vi.advanceTimersByTime(1000);
    expect(fw.values()['ch1.band2.gainDb']).toBe(0);
  });

  it('ignores a state file written by another unit', () => {
    const file = path.join(dir, 'x.json');
    writeFileSync(file, JSON.stringify({ format: 1, model: 'HB-SEQ4', serial: 'OTHER', boot: 9, raw: { '16': 20 } }));
    const { fw } = rig('eq', { stateFile: file });
    fw.powerOnNow();
    expect(fw.bootCount).toBe(1);
    expect(fw.values()['ch1.band2.gainDb']).toBe(0);
  });
});
