import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { AnalogModel } from '../analog/analog-model.ts';
import { CompModel } from '../analog/comp-model.ts';
import { createAnalogModel } from '../analog/create-analog-model.ts';
import { UNIT_MODELS } from './model-registry.ts';
import type { UnitModelKey } from './model-table.ts';
import { NvStore } from './nv-store.ts';
import { PtyPort } from './pty-port.ts';
import { SimUart } from './sim-uart.ts';
import { TcpPort } from './tcp-port.ts';
import { UnitFirmware, type ControlChange, type FirmwareTiming, type PowerState } from './unit-firmware.ts';
import type { UnitPort } from './unit-port.ts';

export interface SimUnitOptions {
  model: UnitModelKey;
  serial: string;
  /** Exactly one of pty (a path for the symlink) and tcp (`HOST:PORT`, port 0 = any free port). */
  pty?: string;
  tcp?: string;
  baud?: number;
  stateFile?: string;
  timing?: Partial<FirmwareTiming>;
  /** Seed of the fault and noise random generator (reproducible soak runs). */
  seed?: number;
}

export interface PlugEvent {
  readonly event: 'plugged' | 'unplugged';
  readonly port: string | undefined;
  readonly reason?: string;
}

export type LineDirection = 'rx' | 'tx' | 'both';

const METER_SAMPLE_RATE = 48000;
const METER_BLOCK = 480;

/**
 * One simulated unit: firmware + UART + port, the audio model its meters come from, and the
 * operations a bench technician has: front panel, faults, power, cable.
 */
export class SimUnit extends EventEmitter<{ plug: [PlugEvent]; change: [ControlChange]; power: [PowerState] }> {
  readonly modelKey: UnitModelKey;
  readonly serial: string;
  readonly baud: number;
  readonly firmware: UnitFirmware;
  readonly uart: SimUart;
  readonly port: UnitPort;
  /** The unit's audio, following its controls (the compressor's meter reads from it). */
  readonly analog: AnalogModel;
  readonly #random: () => number;
  readonly #meterBuf = [new Float32Array(METER_BLOCK), new Float32Array(METER_BLOCK)];
  #meterAt = 0;
  #meterPhase = 0;
  #inputLevelDbfs = -18;
  #stopped = false;

  constructor(options: SimUnitOptions) {
    super();
    if (Boolean(options.pty) === Boolean(options.tcp)) throw new TypeError('SimUnit: give exactly one of pty and tcp');
    const model = UNIT_MODELS[options.model];
    this.modelKey = options.model;
    this.serial = options.serial;
    this.baud = options.baud ?? 115200;
    this.#random = xorshift(options.seed ?? hashString(options.serial));
    const now = (): number => performance.now();
    this.uart = new SimUart(this.baud, now, this.#random);
    this.port = options.pty ? new PtyPort(options.pty) : new TcpPort(options.tcp as string);
    this.analog = createAnalogModel(options.model);
    this.analog.prepare(METER_SAMPLE_RATE, METER_BLOCK);
    this.firmware = new UnitFirmware({
      model,
      serial: options.serial,
      nv: new NvStore(options.stateFile, model.model, options.serial),
      io: { transmit: (b, at) => this.uart.transmit(b, at), now, random: this.#random },
      ...(options.timing ? { timing: options.timing } : {}),
      meterRead: () => this.#readGainReduction(),
    });
    this.firmware.on('change', (c) => {
      this.analog.setParams(this.firmware.values());
      this.emit('change', c);
    });
    this.firmware.on('power', (p) => {
      if (p === 'off') this.uart.clear();
      this.emit('power', p);
    });
    this.port.onData = (chunk) => {
      const { bytes, startMs } = this.uart.receive(chunk);
      this.firmware.receive(bytes, startMs, this.uart.byteMs);
    };
    this.port.onLost = (reason) => {
      this.uart.attach(undefined);
      this.emit('plug', { event: 'unplugged', port: undefined, reason });
    };
  }

  /** Power on and plug in; resolves with the address the host opens. */
  async start(): Promise<string> {
    this.firmware.powerOnNow();
    return this.replug();
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.firmware.shutdown();
    this.uart.clear();
    this.uart.attach(undefined);
    await this.port.unplug();
  }

  get address(): string | undefined {
    return this.port.address;
  }

  async unplug(): Promise<void> {
    this.uart.attach(undefined);
    await this.port.unplug();
    this.emit('plug', { event: 'unplugged', port: undefined, reason: 'unplug' });
  }

  async replug(target?: string): Promise<string> {
    const address = await this.port.plug(target);
    this.uart.attach({ write: (b) => this.port.write(b) });
    this.emit('plug', { event: 'plugged', port: address });
    return address;
  }

  panel(name: string, value: number): ControlChange {
    return this.firmware.panel(name, value);
  }

  turn(name: string, steps: number): ControlChange {
    return this.firmware.turn(name, steps);
  }

  powerCycle(reset = false): void {
    this.firmware.powerCycle(reset);
  }

  stall(ms: number): void {
    this.firmware.stall(ms);
    this.uart.pauseUntil(this.firmware.stalledUntil);
  }

  setLineFault(kind: 'drop' | 'corrupt', direction: LineDirection, probability: number): void {
    const p = Math.min(1, Math.max(0, probability));
    const f = this.uart.faults;
    if (direction !== 'tx') f[kind === 'drop' ? 'dropRx' : 'corruptRx'] = p;
    if (direction !== 'rx') f[kind === 'drop' ? 'dropTx' : 'corruptTx'] = p;
  }

  clearFaults(): void {
    Object.assign(this.uart.faults, { dropRx: 0, dropTx: 0, corruptRx: 0, corruptTx: 0 });
  }

  /** Random bytes onto the line (a noisy cable, a unit babbling at the wrong baud rate). */
  garbage(count: number): void {
    const b = new Uint8Array(count);
    for (let i = 0; i < count; i++) b[i] = Math.floor(this.#random() * 256);
    this.uart.transmit(b, performance.now());
  }

  /** Level of the compressor's internal test signal (a 1 kHz sine, peak dBFS). */
  setInputLevel(dbfs: number): void {
    this.#advanceMeter();
    this.#inputLevelDbfs = dbfs;
  }

  state(): Record<string, unknown> {
    return {
      model: this.firmware.model.model,
      serial: this.serial,
      power: this.firmware.power,
      boot: this.firmware.bootCount,
      port: this.port.address ?? null,
      values: this.firmware.values(),
      raw: this.firmware.rawValues(),
      faults: { ...this.uart.faults },
      stats: { ...this.firmware.stats, bytesIn: this.uart.bytesIn, bytesOut: this.uart.bytesOut },
    };
  }

  #readGainReduction(): number {
    if (!(this.analog instanceof CompModel)) return 0;
    this.#advanceMeter();
    return this.analog.readGainReductionDb();
  }

  /** Run the audio model on the test signal up to now (at most the last second). */
  #advanceMeter(): void {
    const now = performance.now();
    let frames = Math.min(METER_SAMPLE_RATE, Math.round(((now - this.#meterAt) / 1000) * METER_SAMPLE_RATE));
    this.#meterAt = now;
    const amp = Math.pow(10, this.#inputLevelDbfs / 20);
    const step = (2 * Math.PI * 1000) / METER_SAMPLE_RATE;
    const [l, r] = this.#meterBuf as [Float32Array, Float32Array];
    while (frames > 0) {
      const n = Math.min(frames, METER_BLOCK);
      for (let i = 0; i < n; i++) {
        l[i] = r[i] = amp * Math.sin(this.#meterPhase);
        this.#meterPhase = (this.#meterPhase + step) % (2 * Math.PI);
      }
      this.analog.process(this.#meterBuf, n);
      frames -= n;
    }
  }
}

function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 0x2545f491;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

function hashString(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}
