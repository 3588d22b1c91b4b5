import { describe, expect, it } from 'vitest';
import { CcControllerSim } from '../../../firmware-sim/surfaces/cc-controller.ts';
import { runCcCommand, runMcuCommand } from '../../../firmware-sim/surfaces/commands.ts';
import { WireReader, type WireMessage } from '../../../firmware-sim/surfaces/midi-wire.ts';
import { XTouchSim, expectedResponse } from '../../../firmware-sim/surfaces/xtouch.ts';

function sim(options: ConstructorParameters<typeof XTouchSim>[0] = {}) {
  const s = new XTouchSim(options);
  const sent: number[][] = [];
  s.connect((b) => sent.push(b));
  return { s, sent };
}

describe('simulated X-Touch: motor fader servo', () => {
  it('the host moves an untouched fader; while touched the motor is off; on release it goes to the last target', () => {
    const { s } = sim();
    s.receive([0xe0, 0x00, 0x40]);
    expect(s.faderValue(1)).toBe(8192);
    s.touch(1);
    s.moveFader(1, 1000);
    s.receive([0xe0, 0x7f, 0x7f]); // host (wrongly) sends while touched
    expect(s.faderValue(1)).toBe(1000);
    s.untouch(1);
    s.settle();
    expect(s.faderValue(1)).toBe(16383);
  });

  it('an untouched move snaps back at the next servo step unless the host re-transmits it', () => {
    const { s } = sim();
    s.moveFader(2, 5000);
    s.settle();
    expect(s.faderValue(2)).toBe(0);
    s.moveFader(2, 5000);
    s.receive([0xe1, 5000 & 0x7f, 5000 >> 7]);
    s.settle();
    expect(s.faderValue(2)).toBe(5000);
  });

  it('sends the bytes of the Logic doc: V-Pot sign-magnitude, touch notes, fader LSB first', () => {
    const { s, sent } = sim({ ticksPerMessage: 8 });
    s.turnVpot(8, -7);
    s.turnVpot(1, 10);
    s.throwFader(9, [0x3fff]);
    expect(sent).toEqual([
      [0xb0, 0x17, 0x47],
      [0xb0, 0x10, 0x08],
      [0xb0, 0x10, 0x02],
      [0x90, 0x70, 0x7f],
      [0xe8, 0x7f, 0x7f],
      [0x90, 0x70, 0x00],
    ]);
  });
});

describe('simulated X-Touch: displays', () => {
  it('LCD buffer, strip cells, colours, 7-segment, rings (TouchMCU LED table), LEDs, meters; running status input', () => {
    const { s } = sim();
    s.receive([0xf0, 0, 0, 0x66, 0x14, 0x12, 0x38 + 14, ...Array.from('-3 dB', (c) => c.charCodeAt(0)), 0xf7]);
    expect(s.stripText(3, 1)).toBe('-3 dB');
    expect(s.lcdLines()[1].slice(14, 19)).toBe('-3 dB');
    s.receive([0xf0, 0, 0, 0x66, 0x14, 0x72, 1, 2, 3, 4, 5, 6, 7, 0, 0xf7]);
    expect(s.colours).toEqual([1, 2, 3, 4, 5, 6, 7, 0]);
    s.receive([0xb0, 0x4b, 0x10, 0x4a, 0x4e]); // running status, Logic doc "Pn."
    expect(s.assignment()).toBe('PN.');
    s.receive([0xb0, 0x30, 0x06, 0x31, 0x16, 0x32, 0x2b, 0x33, 0x33]);
    expect(s.ringLeds(1)).toEqual([6]);
    expect(s.ringLeds(2)).toEqual([6]);
    expect(s.ringLeds(3)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(s.ringLeds(4)).toEqual([4, 5, 6, 7, 8]);
    s.receive([0xb0, 0x30, 0x13]);
    expect(s.ringLeds(1)).toEqual([3, 4, 5, 6]);
    s.receive([0x90, 0x5e, 0x7f, 0x5d, 0x01, 0x5f, 0x00]);
    expect([s.leds.get(0x5e), s.leds.get(0x5d), s.leds.get(0x5f)]).toEqual(['on', 'flash', 'off']);
    s.receive([0xd0, 0x3c, 0xd0, 0x3e]);
    expect(s.meters[3]).toEqual({ level: 12, overload: true });
  });

  it('Logic Control handshake: power-on query, checks the response with the manual formula', () => {
    const { s, sent } = sim({ model: 0x10, handshake: 'challenge', challenge: [1, 2, 3, 4] });
    s.powerOn();
    expect(sent[0]?.slice(0, 6)).toEqual([0xf0, 0, 0, 0x66, 0x10, 0x01]);
    s.receive([0xf0, 0, 0, 0x66, 0x10, 0x02, 0, 0, 0, 0, 0, 0, 0, ...expectedResponse([1, 2, 3, 4]), 0xf7]);
    expect(s.online).toBe(true);
    expect(sent.at(-1)?.[5]).toBe(0x03);
    const bad = sim({ model: 0x10, handshake: 'challenge', challenge: [1, 2, 3, 4] });
    bad.s.receive([0xf0, 0, 0, 0x66, 0x10, 0x02, 0, 0, 0, 0, 0, 0, 0, 9, 9, 9, 9, 0xf7]);
    expect(bad.s.refused).toBe(true);
    expect(bad.sent.at(-1)?.[5]).toBe(0x04);
  });

  it('the command channel scripts moves and reads state', () => {
    const { s, sent } = sim();
    expect(runMcuCommand(s, 'turn 3 2')).toEqual({ ok: true });
    expect(sent).toEqual([
      [0xb0, 0x12, 1],
      [0xb0, 0x12, 1],
    ]);
    runMcuCommand(s, 'fader 1 8192');
    expect(s.faderValue(1)).toBe(8192);
    runMcuCommand(s, 'click play');
    expect(sent.slice(-2)).toEqual([
      [0x90, 0x5e, 0x7f],
      [0x90, 0x5e, 0x00],
    ]);
    expect(() => runMcuCommand(s, 'wiggle')).toThrow(/unknown command/);
    expect((runMcuCommand(s, 'lcd') as { lcd: string[] }).lcd).toHaveLength(2);
  });
});

describe('simulated 8-knob CC controller', () => {
  it('relative encoders in the configured encoding, ring feedback readable', () => {
    const c = new CcControllerSim({ encoding: 'signedBit2' });
    const sent: number[][] = [];
    c.connect((b) => sent.push(b));
    runCcCommand(c, 'turn 2 -2');
    expect(sent).toEqual([
      [0xb0, 17, 1],
      [0xb0, 17, 1],
    ]);
    c.receive([0xb0, 17, 99, 18, 3]);
    expect(c.rings.slice(0, 3)).toEqual([undefined, 99, 3]);
    c.receive([0x90, 36, 127, 0x80, 36, 0]);
    expect(c.padLeds[0]).toBe(false);
  });
});

describe('the sim wire reader', () => {
  it('reads running status and SysEx split anywhere, drops real-time and truncated SysEx', () => {
    const r = new WireReader();
    const out: WireMessage[] = [];
    r.feed([0xb0, 0x10], (m) => out.push(m));
    r.feed([0x01, 0xf8, 0x11, 0x02, 0xf0, 0x00], (m) => out.push(m));
    r.feed([0x66, 0xf7, 0xf0, 0x01, 0x90, 0x40, 0x7f], (m) => out.push(m));
    expect(out).toEqual([
      { kind: 'channel', status: 0xb0, data: [0x10, 0x01] },
      { kind: 'channel', status: 0xb0, data: [0x11, 0x02] },
      { kind: 'sysex', bytes: [0xf0, 0x00, 0x66, 0xf7] },
      { kind: 'channel', status: 0x90, data: [0x40, 0x7f] },
    ]);
  });
});
