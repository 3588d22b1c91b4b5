import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PowerMateSim } from '../../../firmware-sim/surfaces/powermate.ts';
import { ShuttleProSim } from '../../../firmware-sim/surfaces/shuttle-pro.ts';
import { parseProcInputDevices } from '../../../src/devices/hid/native-evdev.ts';
import { PowerMateDecoder, powermateLedEvent, powermateLedReports, type PowerMateInput } from '../../../src/devices/hid/powermate.ts';
import { ReportMapDecoder, readField, type ReportInput } from '../../../src/devices/hid/report-map.ts';
import { ShuttleDecoder, type ShuttleInput } from '../../../src/devices/hid/shuttle.ts';

describe('PowerMate (reference §3.1)', () => {
  it('raw report: byte 0 bit 0 button, byte 1 signed int8 rotation; button events only on change', () => {
    const d = new PowerMateDecoder();
    const out: PowerMateInput[] = [];
    for (const r of [
      [0, 0x03, 0, 0, 0, 0],
      [0, 0xfd, 0, 0, 0, 0],
      [1, 0, 0, 0, 0, 0],
      [1, 0x01, 0, 0, 0, 0],
      [0, 0, 0],
    ])
      d.decodeReport(Uint8Array.from(r), (e) => out.push(e));
    expect(out).toEqual([
      { type: 'rotate', ticks: 3 },
      { type: 'rotate', ticks: -3 },
      { type: 'button', pressed: true },
      { type: 'rotate', ticks: 1 },
      { type: 'button', pressed: false },
    ]);
  });

  it('the firmware-sim PowerMate splits fast turns into reports of at most 7 clicks; both paths decode the same', () => {
    const sim = new PowerMateSim();
    const reports: number[][] = [];
    const events: { type: number; code: number; value: number }[] = [];
    sim.connectHid((r) => reports.push(r));
    sim.connectEvdev((e) => events.push(e));
    sim.rotate(-20);
    expect(reports.map((r) => r[1])).toEqual([0xf9, 0xf9, 0xfa]);
    const viaHid: PowerMateInput[] = [];
    const viaEvdev: PowerMateInput[] = [];
    const a = new PowerMateDecoder();
    const b = new PowerMateDecoder();
    for (const r of reports) a.decodeReport(Uint8Array.from(r), (e) => viaHid.push(e));
    for (const e of events) b.decodeEvdev(e, (x) => viaEvdev.push(x));
    expect(viaHid).toEqual(viaEvdev);
    expect(viaHid.reduce((s, e) => s + (e.type === 'rotate' ? e.ticks : 0), 0)).toBe(-20);
  });

  it('LED: evdev MSC_PULSELED bit layout (kernel powermate.c) and node-powermate feature reports', () => {
    expect(powermateLedEvent({ brightness: 0x80 })).toEqual({ type: 0x04, code: 0x01, value: 0x80 | (255 << 8) });
    expect(powermateLedEvent({ brightness: 10, pulseSpeed: 300, pulseTable: 2, pulseAsleep: true, pulseAwake: true }).value).toBe(
      10 | (300 << 8) | (2 << 17) | (1 << 19) | (1 << 20),
    );
    const sim = new PowerMateSim();
    sim.writeEvdev(powermateLedEvent({ brightness: 10, pulseSpeed: 300, pulseTable: 2, pulseAwake: true }));
    expect(sim.led).toEqual({ brightness: 10, pulseSpeed: 300, pulseTable: 2, pulseAsleep: false, pulseAwake: true });
    const reports = powermateLedReports({ brightness: 200 });
    expect(Array.from(reports[0] as Uint8Array)).toEqual([0x00, 0x41, 0x01, 0x01, 0x00, 200, 0x00, 0x00, 0x00]);
    for (const r of reports) sim.featureReport(Array.from(r));
    expect(sim.led.brightness).toBe(200);
    expect(() => powermateLedEvent({ brightness: 256 })).toThrow();
  });
});

describe('ShuttlePro / ShuttleXpress (reference §3.2)', () => {
  const decodeAll = (d: ShuttleDecoder, reports: number[][]): ShuttleInput[] => {
    const out: ShuttleInput[] = [];
    for (const r of reports) d.decode(Uint8Array.from(r), (e) => out.push(e));
    return out;
  };

  it('jog is wrap-aware ((new - old + 128) & FF) - 128: FF -> 00 is +1, 00 -> FF is -1; the first report is only a baseline', () => {
    const sim = new ShuttleProSim({ jogStart: 0xfd });
    const reports: number[][] = [];
    sim.connect((r) => reports.push(r));
    sim.idle();
    sim.jog(5); // FE FF 00 01 02
    sim.jog(-4);
    const events = decodeAll(new ShuttleDecoder('shuttleProV2'), reports);
    expect(events).toEqual([...Array.from({ length: 5 }, () => ({ type: 'jog', ticks: 1 })), ...Array.from({ length: 4 }, () => ({ type: 'jog', ticks: -1 }))]);
    expect(sim.jogCounter).toBe(0xfe);
  });

  it('shuttle ring int8 -7..+7, button mask uint16 LE; ShuttleXpress buttons sit at bits 4-8', () => {
    const pro = new ShuttleProSim();
    const r1: number[][] = [];
    pro.connect((r) => r1.push(r));
    pro.idle();
    pro.shuttle(-7);
    pro.shuttle(0);
    pro.press(15);
    pro.press(1);
    pro.release(15);
    expect(decodeAll(new ShuttleDecoder('shuttleProV2'), r1)).toEqual([
      { type: 'ring', position: -7 },
      { type: 'ring', position: 0 },
      { type: 'button', button: 15, pressed: true },
      { type: 'button', button: 1, pressed: true },
      { type: 'button', button: 15, pressed: false },
    ]);
    expect(r1.at(-1)).toEqual([0, 0, 0, 0x01, 0x00]);
    const xpress = new ShuttleProSim({ model: 'shuttleXpress' });
    const r2: number[][] = [];
    xpress.connect((r) => r2.push(r));
    xpress.idle();
    xpress.press(1);
    xpress.press(5);
    expect(r2.at(-1)).toEqual([0, 0, 0, 0x10, 0x01]);
    expect(decodeAll(new ShuttleDecoder('shuttleXpress'), r2)).toEqual([
      { type: 'button', button: 1, pressed: true },
      { type: 'button', button: 5, pressed: true },
    ]);
  });
});

describe('generic HID report map', () => {
  it('reads fields at byte/bit offsets with signedness and endianness', () => {
    const r = Uint8Array.from([0x02, 0b1010_0110, 0xff, 0x34, 0x12, 0x80]);
    expect(readField(r, { byte: 1, bit: 1, bits: 2, signed: false, endian: 'little' })).toBe(0b11);
    expect(readField(r, { byte: 1, bit: 5, bits: 3, signed: true, endian: 'little' })).toBe(-3);
    expect(readField(r, { byte: 2, bit: 0, bits: 8, signed: true, endian: 'little' })).toBe(-1);
    expect(readField(r, { byte: 3, bit: 0, bits: 16, signed: false, endian: 'little' })).toBe(0x1234);
    expect(readField(r, { byte: 3, bit: 0, bits: 16, signed: false, endian: 'big' })).toBe(0x3412);
    expect(readField(r, { byte: 5, bit: 0, bits: 16, signed: false, endian: 'little' })).toBeUndefined();
  });

  it('absolute (on change), relative (non-zero), counter (wrap-aware), buttons (on change), report id filter', () => {
    const d = new ReportMapDecoder({
      reportId: 1,
      fields: [
        { name: 'knob', byte: 1, bit: 0, bits: 8, signed: false, endian: 'little', kind: 'absolute' },
        { name: 'jog', byte: 2, bit: 0, bits: 8, signed: true, endian: 'little', kind: 'relative' },
        { name: 'wheel', byte: 3, bit: 0, bits: 8, signed: false, endian: 'little', kind: 'counter' },
        { name: 'key', byte: 4, bit: 3, bits: 1, signed: false, endian: 'little', kind: 'button' },
      ],
    });
    const out: ReportInput[] = [];
    for (const r of [
      [1, 0, 0, 0xfe, 0],
      [1, 255, 0xfe, 0xff, 0x08],
      [2, 10, 5, 5, 0],
      [1, 255, 0, 0x01, 0],
    ])
      d.decode(Uint8Array.from(r), (e) => out.push(e));
    expect(out).toEqual([
      { type: 'absolute', field: 'knob', value: 0, normalised: 0 },
      { type: 'absolute', field: 'knob', value: 255, normalised: 1 },
      { type: 'relative', field: 'jog', ticks: -2 },
      { type: 'relative', field: 'wheel', ticks: 1 },
      { type: 'button', field: 'key', pressed: true },
      { type: 'relative', field: 'wheel', ticks: 2 },
      { type: 'button', field: 'key', pressed: false },
    ]);
  });
});

describe('evdev device list parsing', () => {
  it('finds the PowerMate event node in /proc/bus/input/devices', () => {
    const text = `I: Bus=0003 Vendor=046d Product=c52b Version=0111
N: Name="Logitech USB Receiver"
H: Handlers=sysrq kbd leds event2

I: Bus=0003 Vendor=077d Product=0410 Version=0400
N: Name="Griffin PowerMate"
P: Phys=usb-0000:00:14.0-2/input0
H: Handlers=event5
B: EV=17
`;
    expect(parseProcInputDevices(text)).toEqual([
      { path: '/dev/input/event2', name: 'Logitech USB Receiver', vendorId: 0x046d, productId: 0xc52b },
      { path: '/dev/input/event5', name: 'Griffin PowerMate', vendorId: 0x077d, productId: 0x0410 },
    ]);
  });
});

describe('fuzzing the HID decoders with random reports: no crash, no phantom change', () => {
  it('PowerMate / Shuttle / report map never throw; an all-zero report after reset is silent', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 12 }), { maxLength: 40 }), (reports) => {
        const pm = new PowerMateDecoder();
        const sh = new ShuttleDecoder('shuttleProV2');
        const rm = new ReportMapDecoder({ fields: [{ name: 'x', byte: 3, bit: 2, bits: 11, signed: true, endian: 'big', kind: 'counter' }] });
        for (const r of reports) {
          pm.decodeReport(r, (e) => {
            if (e.type === 'rotate') expect(Math.abs(e.ticks)).toBeLessThanOrEqual(128);
          });
          sh.decode(r, (e) => {
            if (e.type === 'ring') expect(Math.abs(e.position)).toBeLessThanOrEqual(7);
            if (e.type === 'jog') expect(Math.abs(e.ticks)).toBeLessThanOrEqual(128);
            if (e.type === 'button') expect(e.button).toBeGreaterThanOrEqual(1);
          });
          rm.decode(r, () => {});
        }
        // After a reset, a centred, idle report produces nothing (no phantom press or turn).
        pm.reset();
        sh.reset();
        const silent: unknown[] = [];
        pm.decodeReport(new Uint8Array(6), (e) => silent.push(e));
        sh.decode(new Uint8Array(5), (e) => silent.push(e));
        sh.decode(new Uint8Array(5), (e) => silent.push(e));
        expect(silent).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
