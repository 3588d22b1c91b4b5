import { EventEmitter } from 'node:events';
import { encodeFrame, FrameReader, MAX_BODY_BYTES, type ReaderEvent } from './frame-reader.ts';
import { rawRange, rawToValue, valueToRaw, type ControlDef, type UnitModel } from './model-table.ts';
import type { NvStore } from './nv-store.ts';

export const PROTOCOL_VERSION = 1;

export interface FirmwareTiming {
  /** MCU time to parse and execute one command. */
  processingMs: number;
  /** Relay settle time before the ACK of a change that switches relays. */
  settleMs: number;
  /** Bytes of received frames waiting to be processed before the unit drops input (NAK 02). */
  rxBufferBytes: number;
  /** Power off duration of a power cycle. */
  offMs: number;
  /** From power-up to the boot banner; input is lost meanwhile. */
  bootMs: number;
  /** Settings reach non-volatile memory this long after the last change. */
  nvWriteDelayMs: number;
  /** Fastest meter push interval. */
  meterMinMs: number;
}

export const DEFAULT_FIRMWARE_TIMING: Readonly<FirmwareTiming> = Object.freeze({
  processingMs: 0.3,
  settleMs: 3,
  rxBufferBytes: 256,
  offMs: 100,
  bootMs: 300,
  nvWriteDelayMs: 100,
  meterMinMs: 20,
});

export type PowerState = 'running' | 'off' | 'booting';

export interface FirmwareIo {
  /** Queue bytes on the UART, not before line time `atMs`. */
  transmit(bytes: Uint8Array, atMs: number): void;
  /** Milliseconds, monotonic. */
  now(): number;
  random(): number;
}

export interface ControlChange {
  readonly address: number;
  readonly name: string;
  readonly raw: number;
  readonly value: number;
  readonly source: 'host' | 'panel' | 'boot';
}

export interface FirmwareStats {
  framesIn: number;
  /** SET commands executed (a host that echoes front-panel changes back would raise it). */
  setsIn: number;
  checksumErrors: number;
  syntaxErrors: number;
  overflows: number;
  naksSent: number;
  noiseBytes: number;
  nvErrors: number;
}

interface Job {
  readonly readyAt: number;
  readonly bytes: number;
  readonly body?: string;
  readonly nak?: string;
}

const NAK = {
  checksum: '01 CHECKSUM',
  overflow: '02 OVERFLOW',
  syntax: '03 SYNTAX',
  unknownVerb: '04 UNKNOWN_VERB',
  badAddress: '05 BAD_ADDRESS',
  badValue: '06 BAD_VALUE',
  readOnly: '07 READ_ONLY',
  tooLarge: '09 TOO_LARGE',
} as const;

const hex2 = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');

/**
 * The unit's firmware: protocol interpreter, settings, front panel, power states, non-volatile memory.
 * Transport-agnostic: bytes come in with the line time at which they finished arriving, frames go out
 * through `io.transmit`. Commands run strictly in arrival order (the protocol's in-order guarantee).
 */
export class UnitFirmware extends EventEmitter<{ change: [ControlChange]; power: [PowerState] }> {
  readonly model: UnitModel;
  readonly serial: string;
  readonly timing: FirmwareTiming;
  readonly stats: FirmwareStats = { framesIn: 0, setsIn: 0, checksumErrors: 0, syntaxErrors: 0, overflows: 0, naksSent: 0, noiseBytes: 0, nvErrors: 0 };
  readonly #io: FirmwareIo;
  readonly #nv: NvStore;
  readonly #byAddress = new Map<number, ControlDef>();
  readonly #byName = new Map<string, ControlDef>();
  readonly #raw = new Map<number, number>();
  readonly #meterRead: (address: number) => number;
  #reader = new FrameReader();
  #jobs: Job[] = [];
  #queuedBytes = 0;
  #busyUntil = 0;
  #stallUntil = 0;
  #power: PowerState = 'off';
  #boot = 0;
  #timer: NodeJS.Timeout | undefined;
  #powerTimer: NodeJS.Timeout | undefined;
  #nvTimer: NodeJS.Timeout | undefined;
  #meterTimer: NodeJS.Timeout | undefined;
  #meterMs = 0;

  constructor(options: {
    model: UnitModel;
    serial: string;
    nv: NvStore;
    io: FirmwareIo;
    timing?: Partial<FirmwareTiming>;
    meterRead?: (address: number) => number;
  }) {
    super();
    this.model = options.model;
    this.serial = options.serial;
    this.timing = { ...DEFAULT_FIRMWARE_TIMING, ...options.timing };
    this.#io = options.io;
    this.#nv = options.nv;
    this.#meterRead = options.meterRead ?? (() => 0);
    for (const c of this.model.controls) {
      this.#byAddress.set(c.address, c);
      this.#byName.set(c.name, c);
    }
  }

  get power(): PowerState {
    return this.#power;
  }

  get bootCount(): number {
    return this.#boot;
  }

  /** Power on immediately (no banner delay): the unit was already on when the host arrives. */
  powerOnNow(): void {
    this.#loadSettings(false);
    this.#power = 'running';
    this.emit('power', 'running');
  }

  /** Power off, wait, boot; `reset` loses the non-volatile settings (factory defaults). */
  powerCycle(reset = false): void {
    this.#powerDown();
    this.#powerTimer = setTimeout(() => {
      this.#power = 'booting';
      this.emit('power', 'booting');
      // The line floats while the MCU resets: a few bytes of noise precede the banner.
      this.#io.transmit(Uint8Array.of(0x00, 0xff, 0xf8), this.#io.now());
      this.#powerTimer = setTimeout(() => {
        this.#loadSettings(reset);
        this.#power = 'running';
        this.#send(`00 BOOT ${this.#identity()}`, this.#io.now());
        this.emit('power', 'running');
      }, this.timing.bootMs);
    }, this.timing.offMs);
  }

  /** Stop processing and transmitting for `ms` (input keeps arriving into the buffer). */
  stall(ms: number): void {
    this.#stallUntil = Math.max(this.#stallUntil, this.#io.now() + ms);
    this.#schedule();
  }

  get stalledUntil(): number {
    return this.#stallUntil;
  }

  /** Bytes that reached the MCU; byte i finished arriving at `startMs + (i + 1) * byteMs`. */
  receive(bytes: Uint8Array, startMs: number, byteMs: number): void {
    if (this.#power !== 'running') return;
    for (let i = 0; i < bytes.length; i++) {
      const at = startMs + (i + 1) * byteMs;
      this.#reader.push(bytes[i] as number, (e) => this.#onReaderEvent(e, at));
    }
    this.stats.noiseBytes = this.#reader.noiseBytes;
    this.#schedule();
  }

  /** Front panel: turn a control to the detent nearest `value` (engineering units). */
  panel(name: string, value: number): ControlChange {
    const c = this.#control(name);
    return this.#panelRaw(c, valueToRaw(c, value));
  }

  /** Front panel: move a control by `steps` detents (or raw units for a continuous control). */
  turn(name: string, steps: number): ControlChange {
    const c = this.#control(name);
    const r = rawRange(c);
    const raw = Math.min(r.max, Math.max(r.min, (this.#raw.get(c.address) ?? c.defaultRaw) + Math.trunc(steps)));
    return this.#panelRaw(c, raw);
  }

  values(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.model.controls) out[c.name] = rawToValue(c, this.#raw.get(c.address) ?? c.defaultRaw);
    return out;
  }

  rawValues(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.model.controls) out[hex2(c.address)] = this.#raw.get(c.address) ?? c.defaultRaw;
    return out;
  }

  /** Stop every timer and persist what is pending (process exit, not a power loss). */
  shutdown(): void {
    if (this.#nvTimer) this.#persist();
    this.#clearTimers();
    this.#power = 'off';
    this.#jobs = [];
  }

  #control(name: string): ControlDef {
    const c = this.#byName.get(name) ?? this.#byAddress.get(Number.parseInt(name, 16));
    if (!c) throw new Error(`no control named ${name} on ${this.model.model}`);
    return c;
  }

  #panelRaw(c: ControlDef, raw: number): ControlChange {
    const change = this.#apply(c, raw, 'panel');
    if (this.#power === 'running') this.#send(`00 NTF ${hex2(c.address)} ${raw}`, this.#io.now());
    return change;
  }

  #apply(c: ControlDef, raw: number, source: ControlChange['source']): ControlChange {
    this.#raw.set(c.address, raw);
    const change: ControlChange = { address: c.address, name: c.name, raw, value: rawToValue(c, raw), source };
    this.emit('change', change);
    this.#scheduleNvWrite();
    return change;
  }

  #powerDown(): void {
    this.#clearTimers();
    // Whatever had not reached non-volatile memory is lost with the power.
    this.#power = 'off';
    this.#jobs = [];
    this.#queuedBytes = 0;
    this.#reader = new FrameReader();
    this.#meterMs = 0;
    this.emit('power', 'off');
  }

  #clearTimers(): void {
    for (const t of [this.#timer, this.#powerTimer, this.#nvTimer, this.#meterTimer]) if (t) clearTimeout(t);
    this.#timer = this.#powerTimer = this.#nvTimer = this.#meterTimer = undefined;
  }

  #loadSettings(reset: boolean): void {
    const stored = this.#nv.load();
    this.#boot = (stored?.boot ?? 0) + 1;
    const raw = reset ? {} : (stored?.raw ?? {});
    for (const c of this.model.controls) {
      const r = rawRange(c);
      const v = raw[hex2(c.address)];
      const ok = typeof v === 'number' && Number.isInteger(v) && v >= r.min && v <= r.max;
      this.#raw.set(c.address, ok ? v : c.defaultRaw);
      this.emit('change', { address: c.address, name: c.name, raw: this.#raw.get(c.address) as number, value: rawToValue(c, this.#raw.get(c.address) as number), source: 'boot' });
    }
    this.#persist();
  }

  #scheduleNvWrite(): void {
    if (this.#nvTimer) clearTimeout(this.#nvTimer);
    this.#nvTimer = setTimeout(() => this.#persist(), this.timing.nvWriteDelayMs);
  }

  #persist(): void {
    this.#nvTimer = undefined;
    const raw: Record<string, number> = {};
    for (const [a, v] of this.#raw) raw[hex2(a)] = v;
    try {
      this.#nv.save({ boot: this.#boot, raw });
    } catch {
      // The state file's folder went away (a test cleaned up): the unit keeps running from RAM.
      this.stats.nvErrors++;
    }
  }

  #identity(): string {
    const m = this.model;
    return `model=${m.model} vendor=${m.vendor} fw=${m.firmware} serial=${this.serial} proto=${PROTOCOL_VERSION} params=${m.controls.length} boot=${this.#boot}`;
  }

  #onReaderEvent(e: ReaderEvent, at: number): void {
    if (e.kind === 'error') {
      if (e.reason === 'checksum') this.stats.checksumErrors++;
      else this.stats.syntaxErrors++;
      this.#jobs.push({ readyAt: at, bytes: 0, nak: e.reason === 'checksum' ? NAK.checksum : e.reason === 'overflow' ? NAK.overflow : NAK.syntax });
      return;
    }
    this.stats.framesIn++;
    if (this.#queuedBytes + e.bytes > this.timing.rxBufferBytes) {
      this.stats.overflows++;
      // One NAK per overflow burst, not one per lost frame.
      const last = this.#jobs[this.#jobs.length - 1];
      if (last?.nak !== NAK.overflow) this.#jobs.push({ readyAt: at, bytes: 0, nak: NAK.overflow });
      return;
    }
    this.#queuedBytes += e.bytes;
    this.#jobs.push({ readyAt: at, bytes: e.bytes, body: e.body });
  }

  #schedule(): void {
    if (this.#timer || this.#power !== 'running' || this.#jobs.length === 0) return;
    const head = this.#jobs[0] as Job;
    const start = Math.max(head.readyAt, this.#busyUntil, this.#stallUntil);
    const delay = Math.max(0, start + this.timing.processingMs - this.#io.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#run();
    }, delay);
  }

  /** Run every job whose (virtual) completion time has passed, then re-arm. */
  #run(): void {
    const now = this.#io.now();
    while (this.#jobs.length > 0 && this.#power === 'running') {
      const head = this.#jobs[0] as Job;
      const start = Math.max(head.readyAt, this.#busyUntil, this.#stallUntil);
      const done = start + this.timing.processingMs;
      if (done > now) break;
      this.#jobs.shift();
      this.#queuedBytes -= head.bytes;
      this.#busyUntil = done;
      if (head.nak) this.#nak('00', head.nak, done);
      else this.#execute(head.body as string, done);
    }
    this.#schedule();
  }

  #send(body: string, at: number): void {
    this.#io.transmit(encodeFrame(body), Math.max(at, this.#stallUntil));
  }

  #nak(tag: string, nak: string, at: number): void {
    this.stats.naksSent++;
    this.#send(`${tag} NAK ${nak}`, at);
  }

  #execute(body: string, at: number): void {
    const t = body.split(' ');
    const tag = t[0] ?? '';
    if (!/^[0-9A-F]{2}$/.test(tag) || tag === '00' || t.length < 2) {
      this.#nak('00', NAK.syntax, at);
      return;
    }
    const args = t.slice(2);
    switch (t[1]) {
      case 'IDN':
        this.#send(`${tag} ACK IDN ${this.#identity()}`, at);
        return;
      case 'PING':
        this.#send(`${tag} ACK PING`, at);
        return;
      case 'GET':
        this.#get(tag, args, at);
        return;
      case 'SET':
        this.#set(tag, args, at);
        return;
      case 'DUMP':
        this.#dump(tag, args, at);
        return;
      case 'SUB':
        this.#subscribe(tag, args, at);
        return;
      default:
        this.#nak(tag, NAK.unknownVerb, at);
    }
  }

  #address(token: string | undefined): number | undefined {
    return token !== undefined && /^[0-9A-F]{2}$/.test(token) ? Number.parseInt(token, 16) : undefined;
  }

  #get(tag: string, args: string[], at: number): void {
    const a = this.#address(args[0]);
    if (a === undefined || args.length !== 1) return this.#nak(tag, NAK.syntax, at);
    const c = this.#byAddress.get(a);
    if (c) return this.#send(`${tag} ACK GET ${hex2(a)} ${this.#raw.get(a) ?? c.defaultRaw}`, at);
    const m = this.model.meters.find((x) => x.address === a);
    if (m) return this.#send(`${tag} ACK GET ${hex2(a)} ${Math.round(this.#meterRead(a) * m.scale)}`, at);
    this.#nak(tag, NAK.badAddress, at);
  }

  #set(tag: string, args: string[], at: number): void {
    const a = this.#address(args[0]);
    const v = args[1];
    if (a === undefined || args.length !== 2 || v === undefined || !/^-?\d{1,6}$/.test(v)) return this.#nak(tag, NAK.syntax, at);
    const c = this.#byAddress.get(a);
    if (!c) return this.#nak(tag, this.model.meters.some((m) => m.address === a) ? NAK.readOnly : NAK.badAddress, at);
    if (this.model.manual) return this.#nak(tag, NAK.readOnly, at);
    const raw = Number.parseInt(v, 10);
    const r = rawRange(c);
    if (raw < r.min || raw > r.max) return this.#nak(tag, NAK.badValue, at);
    this.stats.setsIn++;
    const old = this.#raw.get(a) ?? c.defaultRaw;
    const linked = this.model.linked?.(this.#raw, a, raw, old) ?? [];
    this.#apply(c, raw, 'host');
    for (const [la, lraw] of linked) {
      const lc = this.#byAddress.get(la);
      if (lc) this.#apply(lc, lraw, 'host');
    }
    // Relays must settle before the unit says the change is done.
    const settle = c.relay && raw !== old ? this.timing.settleMs : 0;
    const doneAt = at + settle;
    this.#busyUntil = Math.max(this.#busyUntil, doneAt);
    this.#send(`${tag} ACK SET ${hex2(a)} ${raw}`, doneAt);
    for (const [la, lraw] of linked) this.#send(`00 NTF ${hex2(la)} ${lraw}`, doneAt);
  }

  #dump(tag: string, args: string[], at: number): void {
    let from = 0x01;
    let to = 0xef;
    if (args.length === 2) {
      const f = this.#address(args[0]);
      const e = this.#address(args[1]);
      if (f === undefined || e === undefined || f > e) return this.#nak(tag, NAK.syntax, at);
      from = f;
      to = e;
    } else if (args.length !== 0) return this.#nak(tag, NAK.syntax, at);
    const pairs: string[] = [];
    for (const c of this.model.controls) {
      if (c.address >= from && c.address <= to) pairs.push(`${hex2(c.address)}=${this.#raw.get(c.address) ?? c.defaultRaw}`);
    }
    const body = `${tag} ACK DUMP${pairs.length > 0 ? ' ' + pairs.join(' ') : ''}`;
    if (body.length > MAX_BODY_BYTES) return this.#nak(tag, NAK.tooLarge, at);
    this.#send(body, at);
  }

  #subscribe(tag: string, args: string[], at: number): void {
    const ms = args[1];
    if (args[0] !== 'MTR' || args.length !== 2 || ms === undefined || !/^\d{1,6}$/.test(ms)) return this.#nak(tag, NAK.syntax, at);
    const asked = Number.parseInt(ms, 10);
    this.#meterMs = this.model.meters.length === 0 || asked === 0 ? 0 : Math.max(asked, this.timing.meterMinMs);
    if (this.#meterTimer) clearTimeout(this.#meterTimer);
    this.#meterTimer = undefined;
    this.#send(`${tag} ACK SUB MTR ${this.#meterMs}`, at);
    if (this.#meterMs > 0) this.#armMeters();
  }

  #armMeters(): void {
    this.#meterTimer = setTimeout(() => {
      this.#meterTimer = undefined;
      if (this.#power !== 'running' || this.#meterMs === 0) return;
      const now = this.#io.now();
      if (now >= this.#stallUntil) {
        for (const m of this.model.meters) this.#send(`00 MTR ${hex2(m.address)} ${Math.round(this.#meterRead(m.address) * m.scale)}`, now);
      }
      this.#armMeters();
    }, this.#meterMs);
  }
}
