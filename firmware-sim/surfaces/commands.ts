import type { CcControllerSim } from './cc-controller.ts';
import type { XTouchSim } from './xtouch.ts';

/**
 * The scriptable command language of a simulated surface (stdin and the --control socket):
 * one line in, one JSON line out. Lets a test (or the tablet engineer) move things by hand:
 *
 *   mcu:  turn <strip 1-8> <ticks> | push <strip> | press|release|click <note|name> | jog <ticks>
 *         touch|untouch <strip 1-9> | move <strip> <0-16383> | fader <strip> <0-16383>  (touch, move, release)
 *         settle | pedal <0-127> | lcd | state
 *   cc:   turn <knob 1-8> <ticks> | value <knob> <0-127> | press|release|click <button 1-8> | state
 */
const MCU_NAMES: Readonly<Record<string, number>> = {
  bankLeft: 0x2e,
  bankRight: 0x2f,
  channelLeft: 0x30,
  channelRight: 0x31,
  flip: 0x32,
  shift: 0x46,
  save: 0x50,
  undo: 0x51,
  cancel: 0x52,
  enter: 0x53,
  stop: 0x5d,
  play: 0x5e,
  record: 0x5f,
  f1: 0x36,
  f2: 0x37,
  f3: 0x38,
  f4: 0x39,
  f5: 0x3a,
  f6: 0x3b,
  f7: 0x3c,
  f8: 0x3d,
  assignEq: 0x2c,
  assignPlugin: 0x2b,
};

function num(s: string | undefined, what: string): number {
  const n = s === undefined ? NaN : s.startsWith('0x') ? parseInt(s, 16) : Number(s);
  if (!Number.isFinite(n)) throw new Error(`${what}: expected a number, got ${s ?? '(nothing)'}`);
  return n;
}

function note(s: string | undefined): number {
  if (s !== undefined && s in MCU_NAMES) return MCU_NAMES[s] as number;
  const n = num(s, 'button');
  if (n < 0 || n > 127) throw new Error('button: 0-127 or a name');
  return n;
}

export function runMcuCommand(sim: XTouchSim, line: string): Record<string, unknown> {
  const [cmd, a, b] = line.trim().split(/\s+/);
  switch (cmd) {
    case 'turn':
      sim.turnVpot(num(a, 'strip'), num(b, 'ticks'));
      return { ok: true };
    case 'push':
      sim.press(0x20 + num(a, 'strip') - 1);
      sim.release(0x20 + num(a, 'strip') - 1);
      return { ok: true };
    case 'press':
      sim.press(note(a));
      return { ok: true };
    case 'release':
      sim.release(note(a));
      return { ok: true };
    case 'click':
      sim.press(note(a));
      sim.release(note(a));
      return { ok: true };
    case 'jog':
      sim.jog(num(a, 'ticks'));
      return { ok: true };
    case 'touch':
      sim.touch(num(a, 'strip'));
      return { ok: true };
    case 'untouch':
      sim.untouch(num(a, 'strip'));
      return { ok: true };
    case 'move':
      sim.moveFader(num(a, 'strip'), num(b, 'value'));
      return { ok: true };
    case 'fader':
      sim.throwFader(num(a, 'strip'), [num(b, 'value')]);
      return { ok: true };
    case 'settle':
      sim.settle();
      return { ok: true };
    case 'pedal':
      sim.pedal(num(a, 'value'));
      return { ok: true };
    case 'lcd':
      return { ok: true, lcd: sim.lcdLines() };
    case 'state':
      return { ok: true, state: sim.snapshot() };
    default:
      throw new Error(`unknown command "${cmd ?? ''}" (turn, push, press, release, click, jog, touch, untouch, move, fader, settle, pedal, lcd, state)`);
  }
}

export function runCcCommand(sim: CcControllerSim, line: string): Record<string, unknown> {
  const [cmd, a, b] = line.trim().split(/\s+/);
  switch (cmd) {
    case 'turn':
      sim.turn(num(a, 'knob'), num(b, 'ticks'));
      return { ok: true };
    case 'value':
      sim.knobValue(num(a, 'knob'), num(b, 'value'));
      return { ok: true };
    case 'press':
      sim.press(num(a, 'button'));
      return { ok: true };
    case 'release':
      sim.release(num(a, 'button'));
      return { ok: true };
    case 'click':
      sim.press(num(a, 'button'));
      sim.release(num(a, 'button'));
      return { ok: true };
    case 'state':
      return { ok: true, state: sim.snapshot() };
    default:
      throw new Error(`unknown command "${cmd ?? ''}" (turn, value, press, release, click, state)`);
  }
}
