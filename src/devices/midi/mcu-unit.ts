import type { MidiInputPort, MidiOutputPort } from './binding.ts';
import { EchoGuard } from './echo-guard.ts';
import { decodeMcu, type McuInput } from './mcu-decoder.ts';
import {
  MCU_FADER_MAX,
  MCU_LCD_LINE,
  MCU_MODEL,
  buttonLed,
  channelMeter,
  channelMeterMode,
  deviceQuery,
  faderPosition,
  faderTouchSensitivity,
  hostConnectionReply,
  lcdWrite,
  ledRing,
  ringByte,
  ringPosition,
  assignmentDisplay,
  versionRequest,
  xTouchColours,
  type LedState,
  type RingMode,
  type XTouchColour,
} from './mcu-protocol.ts';
import { MidiStreamParser } from './midi-parser.ts';

export interface McuUnitOptions {
  /** Header model id: 0x14 Mackie Control / X-Touch, 0x15 extender, 0x10/0x11 Logic Control. */
  readonly model: number;
  /** X-Touch colour scribble strips (`72`). */
  readonly colours: boolean;
  /** Characters per strip on the LCD: 7 on an X-Touch (separate displays), 6 + a space on an MCU. */
  readonly lcdCellChars: number;
  /**
   * Fader value treated as the top of travel. 3FFF by the spec; an X-Touch reportedly tops out
   * near `7C 7F` (reference §1.4, UNSURE): calibrate per unit.
   */
  readonly faderTop: number;
  /** `hdr 0E` touch sensitivity 0-5 sent at connect (default: leave the unit's setting). */
  readonly touchSensitivity?: number;
  /** Online after this long without a handshake reply: several units never answer (reference §1.2). */
  readonly onlineTimeoutMs: number;
  /** Optional periodic Device Query while online (XCtl-style keep-alive; UNSURE whether MC mode needs it). */
  readonly keepAliveMs?: number;
  /** Send the meter mode (`hdr 20`) for every strip at connect: signal LED + peak hold. */
  readonly meters: boolean;
  /** Drop button inputs that copy an LED message sent within 100 ms (a device or MIDI-thru that echoes). */
  readonly echoGuard?: boolean;
}

export type McuUnitStatus = 'connecting' | 'online' | 'refused';

export interface McuUnitEvents {
  input(event: McuInput): void;
  status(status: McuUnitStatus, reason?: string): void;
}

interface FaderState {
  target: number; // 14-bit value the host wants
  sent: number; // last value sent, -1 = unknown (device position may differ)
  touched: boolean;
  dirty: boolean;
}

/**
 * One Mackie Control unit (main or extender) on one input/output port pair. It keeps the full
 * desired feedback state (faders, rings, LEDs, LCD, colours, 7-segment, meter modes), sends only
 * what changed (coalesced per event-loop turn: latest wins, so a burst never queues), and
 * re-sends everything when the unit (re)connects.
 *
 * Motor faders are a closed-loop servo (reference §0.1, §1.4): the host must re-transmit an
 * accepted position or the motor pulls the fader back; while touched the host sends nothing
 * (the hand wins); on release the final value is sent.
 */
export class McuUnit {
  readonly #opts: McuUnitOptions;
  readonly #events: McuUnitEvents;
  readonly #parser = new MidiStreamParser();
  readonly #echo: EchoGuard | undefined;
  #model: number;
  #output: MidiOutputPort | undefined;
  #status: McuUnitStatus | 'detached' = 'detached';
  #onlineTimer: NodeJS.Timeout | undefined;
  #keepAlive: NodeJS.Timeout | undefined;
  #flushScheduled = false;
  #generation = 0;
  #version: string | undefined;
  #serial: string | undefined;

  readonly #faders: FaderState[] = Array.from({ length: 9 }, () => ({ target: 0, sent: -1, touched: false, dirty: true }));
  readonly #rings = new Int16Array(8); // desired ring byte
  readonly #ringsSent = new Int16Array(8).fill(-1);
  readonly #leds = new Map<number, LedState>();
  readonly #ledsSent = new Map<number, LedState>();
  readonly #lcd = new Uint8Array(2 * MCU_LCD_LINE).fill(0x20);
  readonly #lcdSent = new Int16Array(2 * MCU_LCD_LINE).fill(-1);
  readonly #colours: XTouchColour[] = Array.from({ length: 8 }, () => 'white');
  #coloursSent = '';
  #assignment = '  ';
  #assignmentSent = '';
  #configSent = false;

  constructor(options: McuUnitOptions, events: McuUnitEvents) {
    this.#opts = options;
    this.#events = events;
    this.#model = options.model;
    this.#echo = options.echoGuard ? new EchoGuard({ kinds: ['note'] }) : undefined;
  }

  get status(): McuUnitStatus | 'detached' {
    return this.#status;
  }
  get online(): boolean {
    return this.#status === 'online';
  }
  get version(): string | undefined {
    return this.#version;
  }
  get serial(): string | undefined {
    return this.#serial;
  }
  get model(): number {
    return this.#model;
  }

  /** Start talking to a unit: Device Query without waiting for the answer (reference §0.4). */
  attach(input: MidiInputPort, output: MidiOutputPort): void {
    this.detach();
    const generation = ++this.#generation;
    this.#output = output;
    this.#parser.reset();
    this.#model = this.#opts.model;
    for (const f of this.#faders) f.touched = false;
    input.onData((bytes) => {
      if (generation !== this.#generation) return;
      this.#parser.push(bytes, (m) => {
        if (this.#echo?.isEcho(m)) return;
        const ev = decodeMcu(m);
        if (ev) this.#onInput(ev);
      });
    });
    this.#setStatus('connecting');
    this.#send(deviceQuery(this.#model));
    this.#onlineTimer = setTimeout(() => {
      if (generation === this.#generation && this.#status === 'connecting') this.#goOnline('no handshake reply (normal for an X-Touch)');
    }, this.#opts.onlineTimeoutMs);
    this.#onlineTimer.unref?.();
  }

  /** Forget the ports (unplugged, or stopping). The desired state is kept for the next attach. */
  detach(): void {
    this.#generation++;
    clearTimeout(this.#onlineTimer);
    clearInterval(this.#keepAlive);
    this.#onlineTimer = undefined;
    this.#keepAlive = undefined;
    this.#output = undefined;
    this.#status = 'detached';
    this.#markAllUnsent();
  }

  // ---- feedback state -------------------------------------------------------------------

  /** Desired fader position (0..1). Never sent while the fader is touched (reference §0.1). */
  setFader(strip: number, normalised: number): void {
    const f = this.#faders[strip];
    if (!f) return;
    f.target = this.#toFader(normalised);
    if (!f.touched && f.target !== f.sent) this.#dirty(f);
  }

  /**
   * The host accepted a fader move at `normalised` (possibly snapped to a detent). An
   * untouched move must be re-transmitted or the servo returns the fader (MCU doc quoted in
   * Ardour `Strip::handle_fader`); a touched one is sent on release.
   */
  acceptFaderMove(strip: number, normalised: number): void {
    const f = this.#faders[strip];
    if (!f) return;
    f.target = this.#toFader(normalised);
    f.sent = -1; // the physical position is no longer what we last sent
    if (!f.touched) this.#dirty(f);
  }

  /** A move the host refuses (unassigned strip): put the fader back where it was. */
  rejectFaderMove(strip: number): void {
    const f = this.#faders[strip];
    if (!f) return;
    f.sent = -1;
    if (!f.touched) this.#dirty(f);
  }

  isTouched(strip: number): boolean {
    return this.#faders[strip]?.touched ?? false;
  }

  faderTarget(strip: number): number | undefined {
    return this.#faders[strip]?.target;
  }

  /** Ring for a normalised value, or all LEDs off when `normalised` is undefined (unassigned). */
  setRing(strip: number, mode: RingMode, normalised: number | undefined, centre = false): void {
    if (strip < 0 || strip > 7) return;
    const byte = normalised === undefined ? ringByte(mode, 0, false) : ringByte(mode, ringPosition(mode, normalised), centre);
    this.#rings[strip] = byte;
    if (this.#ringsSent[strip] !== byte) this.#schedule();
  }

  setLed(note: number, state: LedState): void {
    this.#leds.set(note, state);
    if (this.#ledsSent.get(note) !== state) this.#schedule();
  }

  /** Text of one strip cell (0-7) on line 0 (upper) or 1 (lower), padded/truncated to the cell. */
  setStripText(strip: number, line: 0 | 1, text: string): void {
    if (strip < 0 || strip > 7) return;
    const cell = this.#opts.lcdCellChars;
    const start = line * MCU_LCD_LINE + strip * 7;
    const padded = (text + ' '.repeat(7)).slice(0, cell).padEnd(7, ' ');
    let changed = false;
    for (let i = 0; i < 7; i++) {
      const c = padded.codePointAt(i) ?? 0x20;
      const code = c >= 0x20 && c <= 0x7e ? c : 0x5f;
      if (this.#lcd[start + i] !== code) {
        this.#lcd[start + i] = code;
        changed = true;
      }
    }
    if (changed) this.#schedule();
  }

  /** The LCD as the unit should show it (two 56-character lines). */
  lcdText(): [string, string] {
    const s = String.fromCharCode(...this.#lcd);
    return [s.slice(0, MCU_LCD_LINE), s.slice(MCU_LCD_LINE)];
  }

  setColour(strip: number, colour: XTouchColour): void {
    if (strip < 0 || strip > 7 || this.#colours[strip] === colour) return;
    this.#colours[strip] = colour;
    this.#schedule();
  }

  /** Two-character assignment display (main unit only). */
  setAssignment(text: string): void {
    const t = text.length >= 2 ? text : text.padStart(2, ' ');
    if (t === this.#assignment) return;
    this.#assignment = t;
    this.#schedule();
  }

  /** Meters are transient (the unit decays them itself): sent at once, never replayed. */
  meter(strip: number, level: number | 'overload' | 'clearOverload'): void {
    if (this.#status !== 'online') return;
    this.#send(channelMeter(strip, level));
  }

  /** Re-send the whole state (after a reconnect, or on request). */
  resync(): void {
    this.#markAllUnsent();
    this.#schedule();
  }

  // ---- internals ---------------------------------------------------------------------------

  #toFader(normalised: number): number {
    const n = normalised < 0 ? 0 : normalised > 1 ? 1 : normalised;
    return Math.min(MCU_FADER_MAX, Math.round(n * this.#opts.faderTop));
  }

  /** Normalised position of an incoming fader value (top-of-travel calibrated). */
  faderNormalised(value: number): number {
    return Math.min(1, value / this.#opts.faderTop);
  }

  #onInput(ev: McuInput): void {
    switch (ev.type) {
      case 'hostConnectionQuery':
        this.#serial = String.fromCharCode(...ev.serial.filter((c) => c >= 0x20 && c < 0x7f));
        this.#model = ev.model; // Ardour answers with whatever id the unit last used
        if (ev.model === MCU_MODEL.logicControl || ev.model === MCU_MODEL.logicControlXt) {
          // Logic Control asks for the challenge response within 300 ms (Logic doc p.240).
          this.#send(hostConnectionReply(ev.model, ev.serial, ev.challenge));
        } else if (this.#status === 'connecting') {
          // From a 14/15 unit the query itself means "ready" (Ardour `Surface::say_hello`).
          this.#goOnline();
        }
        return;
      case 'hostConnectionConfirmation':
        this.#serial = String.fromCharCode(...ev.serial.filter((c) => c >= 0x20 && c < 0x7f));
        if (this.#status !== 'online') this.#goOnline();
        return;
      case 'ready':
        if (this.#status === 'connecting') this.#goOnline();
        return;
      case 'hostConnectionError':
        // MCU Pro shows "SECURITY UNLOCK FAILED" and then ignores input (TouchMCU).
        clearTimeout(this.#onlineTimer);
        this.#setStatus('refused', 'the unit refused the host connection (challenge response rejected)');
        return;
      case 'version':
        this.#version = ev.version;
        return;
    }
    // Any control message proves the unit is there (NoHandShake units, silent X-Touch).
    if (this.#status === 'connecting') this.#goOnline();
    if (ev.type === 'touch') {
      const f = this.#faders[ev.strip];
      if (f) {
        f.touched = ev.touched;
        this.#events.input(ev);
        // On release the final value goes out even if we think the unit has it already.
        if (!ev.touched) {
          f.sent = -1;
          this.#dirty(f);
        }
      }
      return;
    }
    if (ev.type === 'fader') {
      const f = this.#faders[ev.strip];
      // An untouched fader reporting exactly what we last sent is the servo at rest (or an
      // echo): re-transmitting it would ping-pong for ever.
      if (f && !f.touched && ev.value === f.sent) return;
      if (f) f.sent = -1;
    }
    this.#events.input(ev);
  }

  #goOnline(reason?: string): void {
    clearTimeout(this.#onlineTimer);
    this.#onlineTimer = undefined;
    this.#setStatus('online', reason);
    this.#send(versionRequest(this.#model));
    if (this.#opts.keepAliveMs) {
      const generation = this.#generation;
      this.#keepAlive = setInterval(() => {
        if (generation === this.#generation) this.#send(deviceQuery(this.#model));
      }, this.#opts.keepAliveMs);
      this.#keepAlive.unref?.();
    }
    this.resync();
  }

  #setStatus(status: McuUnitStatus, reason?: string): void {
    this.#status = status;
    this.#events.status(status, reason);
  }

  #markAllUnsent(): void {
    for (const f of this.#faders) {
      f.sent = -1;
      f.dirty = true;
    }
    this.#ringsSent.fill(-1);
    this.#ledsSent.clear();
    this.#lcdSent.fill(-1);
    this.#coloursSent = '';
    this.#assignmentSent = '';
    this.#configSent = false;
  }

  #dirty(f: FaderState): void {
    f.dirty = true;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#flushScheduled || this.#status !== 'online') return;
    this.#flushScheduled = true;
    const generation = this.#generation;
    setImmediate(() => {
      this.#flushScheduled = false;
      if (generation === this.#generation) this.flush();
    });
  }

  /** Send everything that differs from what the unit was last sent. Normally runs once per turn. */
  flush(): void {
    if (this.#status !== 'online' || !this.#output) return;
    const out: Uint8Array[] = [];
    const model = this.#model;
    if (!this.#configSent) {
      this.#configSent = true;
      if (this.#opts.touchSensitivity !== undefined) {
        for (let i = 0; i < 9; i++) out.push(faderTouchSensitivity(model, i, this.#opts.touchSensitivity));
      }
      if (this.#opts.meters) for (let i = 0; i < 8; i++) out.push(channelMeterMode(model, i, { signalLed: true, peakHold: true }));
    }
    this.#faders.forEach((f, strip) => {
      if (!f.dirty) return;
      f.dirty = false;
      if (f.touched || f.target === f.sent) return;
      out.push(faderPosition(strip, f.target));
      f.sent = f.target;
    });
    for (let i = 0; i < 8; i++) {
      const byte = this.#rings[i] as number;
      if (this.#ringsSent[i] !== byte) {
        out.push(ledRing(i, byte));
        this.#ringsSent[i] = byte;
      }
    }
    for (const [note, state] of this.#leds) {
      if (this.#ledsSent.get(note) !== state) {
        out.push(buttonLed(note, state));
        this.#ledsSent.set(note, state);
      }
    }
    for (const line of [0, 1] as const) {
      const base = line * MCU_LCD_LINE;
      let first = -1;
      let last = -1;
      for (let i = 0; i < MCU_LCD_LINE; i++) {
        if (this.#lcdSent[base + i] !== this.#lcd[base + i]) {
          if (first < 0) first = i;
          last = i;
        }
      }
      if (first >= 0) {
        const text = String.fromCharCode(...this.#lcd.subarray(base + first, base + last + 1));
        out.push(lcdWrite(model, base + first, text));
        for (let i = first; i <= last; i++) this.#lcdSent[base + i] = this.#lcd[base + i] as number;
      }
    }
    if (this.#opts.colours) {
      const key = this.#colours.join(',');
      if (key !== this.#coloursSent) {
        out.push(xTouchColours(model, this.#colours));
        this.#coloursSent = key;
      }
    }
    if (this.#assignment !== this.#assignmentSent && model !== MCU_MODEL.mackieControlXt && model !== MCU_MODEL.logicControlXt) {
      // Send only the digits that changed (Ardour `display_timecode` habit, reference §1.9).
      const bytes = assignmentDisplay(this.#assignment);
      const prev = this.#assignmentSent === '' ? undefined : assignmentDisplay(this.#assignmentSent);
      for (const at of [0, 3]) {
        if (!prev || prev[at + 2] !== bytes[at + 2]) out.push(bytes.subarray(at, at + 3));
      }
      this.#assignmentSent = this.#assignment;
    }
    if (out.length > 0) this.#send(concat(out));
  }

  #send(bytes: Uint8Array): void {
    if (!this.#output) return;
    this.#echo?.sent(bytes);
    this.#output.send(bytes);
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
