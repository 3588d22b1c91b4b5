import type { OutboardUnitConfig } from '../../config/sections/outboard.ts';
import { BridgeError, isBridgeError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import type { ParamStore } from '../../params/param-store.ts';
import type { DeviceStatus } from '../device-status.ts';
import { Backoff } from './backoff.ts';
import { cancellableSleep, type Clock } from './clock.ts';
import type { GearProfile } from './gear-profile.ts';
import { LatestWinsQueue, type WriteOutcome } from './latest-wins-queue.ts';
import type { PortFinder } from './port-finder.ts';
import { fromWire, recallTargets, toWire, unitMeters, type UnitMeter, type UnitParam } from './profile-params.ts';
import { checkIdentity, hex2, parseIdentity, parseInteger, type UnitIdentity } from './protocol.ts';
import { recallUnit, type UnitRecallResult } from './unit-recall.ts';
import type { LinkTiming, UnitLink } from './unit-link.ts';
import type { OutboardTiming } from './outboard-timing.ts';
import type { UnitInfo } from './unit-info.ts';
import { readUnit } from './unit-readback.ts';

export interface UnitDriverOptions {
  readonly config: OutboardUnitConfig;
  readonly profileName: string;
  readonly profile: GearProfile;
  readonly params: readonly UnitParam[];
  readonly store: ParamStore;
  readonly log: Logger;
  readonly finder: PortFinder;
  readonly clock: Clock;
  readonly timing: OutboardTiming;
  /** Ports bound by other units (not probed). */
  readonly boundPorts: () => ReadonlySet<string>;
  readonly onStatus: (info: UnitInfo) => void;
  readonly onMeter: (meter: UnitMeter, value: number) => void;
}

/**
 * One configured unit: finds it by serial number, keeps the ParamStore and the unit in step, writes
 * through a latest-wins queue, verifies by the unit's answers, survives unplug / power cycle / noise
 * with capped backoff. The store only ever holds what the unit reported (source `outboard:<id>`),
 * except for values waiting to be written.
 */
export class UnitDriver {
  readonly id: string;
  readonly #o: UnitDriverOptions;
  readonly #source: string;
  readonly #byName = new Map<string, UnitParam>();
  readonly #byId = new Map<string, UnitParam>();
  readonly #byAddress = new Map<number, UnitParam>();
  readonly #meters: UnitMeter[];
  readonly #reported = new Map<string, number>();
  readonly #failures = new Map<string, number>();
  readonly #queue: LatestWinsQueue<string, number, number>;
  readonly #backoff: Backoff;
  readonly #manual: boolean;
  #status: DeviceStatus = 'absent';
  #reason: string | undefined;
  #link: UnitLink | undefined;
  #path: string | undefined;
  #identity: UnitIdentity | undefined;
  #lastBoot: number | undefined;
  #stopped = false;
  #reconnectNow = false;
  #sleep: { cancel(): void } | undefined;
  #loop: Promise<void> = Promise.resolve();
  #unwatch: (() => void) | undefined;
  #resyncTimer: unknown;
  #keepaliveTimer: unknown;
  #background = new Set<Promise<unknown>>();
  /** Rejects when the current connection ends (undefined while offline). */
  #lost: { promise: Promise<never>; reject: (e: Error) => void } | undefined;

  constructor(options: UnitDriverOptions) {
    this.#o = options;
    this.id = options.config.id;
    this.#source = `outboard:${this.id}`;
    this.#manual = options.profile.recall === 'manual';
    for (const p of options.params) {
      this.#byName.set(p.name, p);
      this.#byId.set(p.id, p);
      this.#byAddress.set(p.address, p);
    }
    this.#meters = unitMeters(options.profile);
    this.#queue = new LatestWinsQueue((name, value) => this.#send(name, value), options.profile.timing.maxInFlight);
    this.#queue.pause();
    this.#backoff = new Backoff(options.timing.backoffMinMs, options.timing.backoffMaxMs);
  }

  get status(): DeviceStatus {
    return this.#status;
  }

  get identity(): UnitIdentity | undefined {
    return this.#identity;
  }

  info(): UnitInfo {
    const c = this.#o.config;
    return {
      id: this.id,
      profile: this.#o.profileName,
      model: this.#o.profile.model,
      serial: c.serial,
      recall: this.#o.profile.recall,
      required: c.required,
      status: this.#status,
      ...(this.#reason !== undefined ? { reason: this.#reason } : {}),
      ...(this.#path !== undefined ? { path: this.#path } : {}),
      ...(this.#identity ? { identity: this.#identity } : {}),
      parameters: this.#o.params.length,
    };
  }

  /** The port it holds open right now (other units do not probe it). */
  get boundPort(): string | undefined {
    return this.#link && !this.#link.closed ? this.#path : undefined;
  }

  /** Link statistics, for diagnostics. */
  get linkStats(): Readonly<Record<string, number>> | undefined {
    return this.#link ? { ...this.#link.stats } : undefined;
  }

  start(): void {
    this.#unwatch = this.#o.store.watch((changes, source) => {
      if (source === this.#source) return; // never echo the unit's own reports back to it
      for (const c of changes) {
        const p = this.#byId.get(c.id);
        if (p) this.#onStoreChange(p, c.value);
      }
    });
    this.#setStatus('connecting', 'looking for the unit');
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unwatch?.();
    this.#sleep?.cancel();
    this.#clearTimers();
    this.#queue.clear(new BridgeError('E_SERIAL_CLOSED', `${this.id}: driver stopped`, { details: { unitId: this.id, canceled: true } }));
    await this.#link?.close();
    await this.#loop;
    await Promise.allSettled([...this.#background]);
  }

  /** Write every value in `values` (param names or full ids), read back, report per parameter. */
  async recall(values: Readonly<Record<string, number>>): Promise<UnitRecallResult> {
    const targets = this.#targets(values);
    if (this.#status !== 'online' || !this.#link) {
      throw new BridgeError('E_RECALL_UNIT_ABSENT', `${this.id}: unit is ${this.#status}, cannot recall`, { details: { unitId: this.id, status: this.#status } });
    }
    const result = await recallUnit(this.#recallContext(), this.#o.params, targets);
    const bad = result.results.filter((r) => r.status !== 'verified');
    this.#o.log.info({ unit: this.id, ms: Math.round(result.durationMs), params: result.results.length, notVerified: bad.length }, 'outboard: recall');
    return result;
  }

  /** Re-read the unit and adopt what it reports (parameters with no write waiting). */
  async refresh(): Promise<void> {
    await this.read();
  }

  /** Read every parameter from the unit now (not a cache), adopt it, return it by parameter name. */
  async read(): Promise<ReadonlyMap<string, number>> {
    const back = await this.#readBack();
    this.#adopt(back);
    return back;
  }

  /** Ask the unit who it is now (IDN); rejects when it is not online or does not answer. */
  async queryIdentity(): Promise<UnitIdentity> {
    const link = this.#link;
    if (this.#status !== 'online' || !link || link.closed) {
      throw new BridgeError('E_RECALL_UNIT_ABSENT', `${this.id}: unit is ${this.#status}`, { details: { unitId: this.id, status: this.#status } });
    }
    const ack = await link.request('IDN', [], { expectBytes: 120 });
    const id = parseIdentity(ack.args);
    if (!id) throw new BridgeError('E_SERIAL_IDENTITY', `${this.id}: unreadable identity answer`, { details: { unitId: this.id } });
    return id;
  }

  /** One write through the latest-wins queue (value already validated); resolves with the unit's answer. */
  write(name: string, value: number): Promise<WriteOutcome<number>> {
    if (!this.#byName.has(name)) return Promise.reject(new BridgeError('E_PARAM_UNKNOWN', `${this.id}: unknown parameter ${name}`, { details: { unitId: this.id, id: name } }));
    return this.#sessionWrite(name, value);
  }

  /**
   * A write that belongs to this connection (a recall): it fails with E_SERIAL_CLOSED when the link
   * goes away instead of waiting for the reconnect. The value itself stays queued (latest wins) and
   * reaches the unit once it is back, like any knob move.
   */
  #sessionWrite(name: string, value: number): Promise<WriteOutcome<number>> {
    const lost = this.#lost;
    if (!lost) return Promise.reject(new BridgeError('E_SERIAL_CLOSED', `${this.id}: not connected`, { details: { unitId: this.id } }));
    const write = this.#queue.enqueue(name, value);
    write.catch((err: unknown) => {
      // Lost with the link while in flight: it goes out again after the reconnect (unless replaced).
      if (isBridgeError(err, 'E_SERIAL_CLOSED') && !this.#stopped && !this.#queue.isBusy(name)) this.#enqueueWrite(this.#byName.get(name) as UnitParam, value);
    });
    return Promise.race([write, lost.promise]);
  }

  /** Validate and quantise recall input (names or full ids); throws E_PARAM_UNKNOWN / E_PARAM_RANGE. */
  targets(values: Readonly<Record<string, number>>): Map<string, number> {
    return this.#targets(values);
  }

  get manual(): boolean {
    return this.#manual;
  }

  param(name: string): UnitParam | undefined {
    return this.#byName.get(name);
  }

  /** Parameter name -> the value the unit reported last. */
  reportedValues(): Record<string, number> {
    return Object.fromEntries(this.#reported);
  }

  /** Resolves when no write is waiting or in flight. */
  idle(): Promise<void> {
    return this.#queue.paused ? Promise.resolve() : this.#queue.idle();
  }

  #targets(values: Readonly<Record<string, number>>): Map<string, number> {
    return recallTargets(this.id, this.#byName, values);
  }

  #recallContext(): Parameters<typeof recallUnit>[0] {
    return {
      unitId: this.id,
      manual: this.#manual,
      now: () => this.#o.clock.now(),
      // Recall values go through the queue like knob moves, so both obey latest-wins.
      write: (name, value) => this.#sessionWrite(name, value),
      readBack: async () => {
        const back = await this.#readBack();
        this.#adopt(back);
        return back;
      },
      reported: (name) => this.#reported.get(name),
    };
  }

  // ---- connection lifecycle -------------------------------------------------------------

  async #run(): Promise<void> {
    let everOnline = false;
    while (!this.#stopped) {
      try {
        const found = await this.#o.finder.find(this.#o.config, this.#linkTiming(), this.#path, this.#o.boundPorts());
        if (this.#stopped) {
          if ('link' in found) await found.link.close();
          break;
        }
        if ('link' in found) {
          const wentOnline = await this.#session(found.link, found.identity, found.path);
          everOnline ||= wentOnline;
          if (wentOnline) this.#backoff.reset();
        } else {
          this.#setStatus(everOnline ? 'reconnecting' : 'absent', found.reason);
        }
      } catch (err) {
        // A driver bug must not take the daemon down: report it and keep trying with backoff.
        this.#o.log.error({ unit: this.id, err }, 'outboard: unexpected error in the connection loop');
        this.#setStatus(everOnline ? 'reconnecting' : 'absent', `internal error: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (this.#stopped) break;
      if (this.#reconnectNow) {
        this.#reconnectNow = false;
        continue;
      }
      const s = cancellableSleep(this.#o.clock, this.#backoff.next());
      this.#sleep = s;
      await s.done;
      this.#sleep = undefined;
    }
  }

  #linkTiming(): LinkTiming {
    const t = this.#o.profile.timing;
    return {
      baudRate: this.#o.config.baudRate,
      maxInFlight: t.maxInFlight,
      maxCommandsPerSecond: t.maxCommandsPerSecond,
      responseTimeoutMs: this.#o.timing.responseTimeoutMs ?? t.responseTimeoutMs,
      retries: this.#o.timing.retries ?? t.retries,
      deadAfterTimeouts: this.#o.timing.deadAfterTimeouts,
      busyRetryDelayMs: this.#o.timing.busyRetryDelayMs,
    };
  }

  /** Runs while the link is open; returns whether the unit came online. */
  async #session(link: UnitLink, identity: UnitIdentity, path: string): Promise<boolean> {
    this.#link = link;
    this.#path = path;
    let rejectLost!: (e: Error) => void;
    const lostPromise = new Promise<never>((_, reject) => (rejectLost = reject));
    lostPromise.catch(() => {});
    this.#lost = { promise: lostPromise, reject: rejectLost };
    const closed = new Promise<BridgeError>((resolve) => link.once('closed', resolve));
    void closed.then((why) => {
      this.#lost = undefined;
      rejectLost(new BridgeError('E_SERIAL_CLOSED', `${this.id}: link lost (${why.code})`, { details: { unitId: this.id, reason: why.code }, cause: why }));
    });
    link.on('notify', (n) => this.#onNotify(n.address, n.raw));
    link.on('meter', (m) => this.#onMeter(m.address, m.raw));
    link.on('boot', (b) => this.#onBoot(b));
    link.on('trouble', () => this.#scheduleResync());
    let powerCycled: boolean;
    try {
      powerCycled = await this.#handshake(link, identity);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      this.#o.log.warn({ unit: this.id, path, err: why }, 'outboard: handshake failed');
      this.#setStatus(this.#status === 'online' ? 'reconnecting' : this.#status, `handshake failed: ${why}`);
      await link.close();
      this.#link = undefined;
      return false;
    }
    this.#setStatus('online', `${identity.model} ${identity.serial} fw ${identity.firmware} on ${path}`);
    this.#queue.resume();
    this.#armKeepalive();
    if (powerCycled) this.#afterPowerCycle();
    const why = await closed;
    this.#queue.pause();
    this.#clearTimers();
    this.#link = undefined;
    if (!this.#stopped) {
      this.#o.log.warn({ unit: this.id, path, code: why.code }, `outboard: link lost: ${why.message}`);
      this.#setStatus('reconnecting', why.message);
    }
    return true;
  }

  /** Identity checks, meters, read the unit; returns whether it was power-cycled since last seen. */
  async #handshake(link: UnitLink, id: UnitIdentity): Promise<boolean> {
    checkIdentity(this.id, id, this.#o.profile, this.#o.profileName);
    const powerCycled = this.#lastBoot !== undefined && id.boot !== this.#lastBoot;
    this.#lastBoot = id.boot;
    this.#identity = id;
    if (this.#meters.length > 0) await link.request('SUB', ['MTR', this.#o.timing.meterIntervalMs]);
    const back = await this.#readBack(link);
    if (!(powerCycled && this.#o.config.onPowerCycle === 'resend' && !this.#manual)) this.#adopt(back);
    else for (const [name, v] of back) this.#reported.set(name, v);
    return powerCycled;
  }

  /** After a power cycle with `resend`: the session's values go back to the unit, verified. */
  #afterPowerCycle(): void {
    if (this.#o.config.onPowerCycle !== 'resend' || this.#manual) {
      this.#o.log.info({ unit: this.id }, 'outboard: unit was power-cycled, adopted its settings');
      return;
    }
    const values: Record<string, number> = {};
    for (const p of this.#o.params) values[p.name] = this.#o.store.get(p.id);
    this.#track(
      recallUnit(this.#recallContext(), this.#o.params, this.#targets(values)).then(
        (r) => this.#o.log.info({ unit: this.id, ms: Math.round(r.durationMs), ok: r.ok }, 'outboard: unit was power-cycled, session values re-sent'),
        (err: unknown) => this.#o.log.warn({ unit: this.id, err }, 'outboard: re-sending after power cycle failed'),
      ),
    );
  }

  async #readBack(link = this.#link): Promise<Map<string, number>> {
    if (!link || link.closed) throw new BridgeError('E_SERIAL_CLOSED', `${this.id}: not connected`, { details: { unitId: this.id } });
    return readUnit(link, this.#o.params, this.id, this.#o.log);
  }

  /** Take the unit's values into the store, except where a write is waiting or in flight. */
  #adopt(values: ReadonlyMap<string, number>): void {
    const batch: Record<string, number> = {};
    for (const [name, v] of values) {
      this.#reported.set(name, v);
      const p = this.#byName.get(name) as UnitParam;
      if (this.#queue.isBusy(name)) continue;
      if (this.#o.store.get(p.id) !== v) batch[p.id] = v;
    }
    if (Object.keys(batch).length > 0) this.#o.store.setMany(batch, this.#source);
  }

  // ---- writes -----------------------------------------------------------------------------

  #onStoreChange(p: UnitParam, value: number): void {
    if (this.#manual) {
      // A hand-set unit cannot be turned from here: the store goes back to what the unit reports.
      queueMicrotask(() => this.#storeSet(p, this.#reported.get(p.name)));
      return;
    }
    this.#enqueueWrite(p, value);
  }

  #enqueueWrite(p: UnitParam, value: number): void {
    this.#queue.enqueue(p.name, value).then(
      () => this.#failures.delete(p.name),
      (err: unknown) => this.#onWriteError(p, value, err),
    );
  }

  #onWriteError(p: UnitParam, value: number, err: unknown): void {
    if (this.#stopped) return;
    const code = isBridgeError(err) ? err.code : undefined;
    const failures = (this.#failures.get(p.name) ?? 0) + 1;
    this.#failures.set(p.name, failures);
    const lineTrouble = code === 'E_SERIAL_CLOSED' || code === 'E_SERIAL_TIMEOUT' || code === 'E_SERIAL_CHECKSUM' || code === 'E_DEVICE_DISCONNECTED';
    if (lineTrouble && failures < this.#o.timing.maxWriteFailures) {
      // Keep the value: it goes out once the link is back (unless something newer replaced it).
      if (!this.#queue.isBusy(p.name)) this.#enqueueWrite(p, value);
      return;
    }
    this.#failures.delete(p.name);
    this.#o.log.warn({ unit: this.id, param: p.name, value, code }, 'outboard: write failed, keeping the unit value');
    if (!this.#queue.isBusy(p.name)) this.#storeSet(p, this.#reported.get(p.name));
  }

  async #send(name: string, value: number): Promise<number> {
    const link = this.#link;
    if (!link || link.closed) throw new BridgeError('E_SERIAL_CLOSED', `${this.id}: not connected`, { details: { unitId: this.id } });
    const p = this.#byName.get(name) as UnitParam;
    const ack = await link.request('SET', [hex2(p.address), toWire(p, value)]);
    const echoed = parseInteger(ack.args[1]);
    const reported = echoed === undefined ? undefined : fromWire(p, echoed);
    if (reported === undefined) {
      throw new BridgeError('E_SERIAL_FRAME', `${this.id}: ${name}: unit acknowledged an invalid value ${String(ack.args[1])}`, { details: { unitId: this.id, param: name } });
    }
    this.#reported.set(name, reported);
    // The store holds what the unit reports, unless a newer value is already waiting to go out.
    if (!this.#queue.isWaiting(name)) this.#storeSet(p, reported);
    return reported;
  }

  #storeSet(p: UnitParam, value: number | undefined): void {
    if (value === undefined || this.#stopped) return;
    if (this.#o.store.get(p.id) !== value) this.#o.store.set(p.id, value, this.#source);
  }

  // ---- what the unit says by itself -------------------------------------------------------

  #onNotify(address: number, raw: number): void {
    const p = this.#byAddress.get(address);
    const v = p ? fromWire(p, raw) : undefined;
    if (!p || v === undefined) {
      this.#o.log.debug({ unit: this.id, address, raw }, 'outboard: notification for an unknown address or value');
      return;
    }
    this.#reported.set(p.name, v);
    // The front panel moved after anything still waiting was queued: the hand on the knob wins.
    this.#queue.cancel(p.name);
    if (!this.#queue.isBusy(p.name)) this.#storeSet(p, v);
  }

  #onMeter(address: number, raw: number): void {
    const m = this.#meters.find((x) => x.address === address);
    if (m) this.#o.onMeter(m, raw / m.wireScale);
  }

  #onBoot(id: UnitIdentity): void {
    this.#o.log.info({ unit: this.id, serial: id.serial, boot: id.boot }, 'outboard: boot banner');
    // Start over on this port: the handshake sees the new boot count and applies onPowerCycle.
    this.#reconnectNow = true;
    this.#setStatus('reconnecting', 'unit rebooted (boot banner)');
    void this.#link?.close();
  }

  #scheduleResync(): void {
    if (this.#resyncTimer !== undefined || this.#stopped) return;
    this.#resyncTimer = this.#o.clock.setTimeout(() => {
      this.#resyncTimer = undefined;
      if (this.#status !== 'online') return;
      this.#track(this.refresh().catch(() => undefined));
    }, this.#o.timing.resyncDelayMs);
  }

  #armKeepalive(): void {
    const every = this.#o.timing.keepaliveMs;
    this.#keepaliveTimer = this.#o.clock.setTimeout(() => {
      this.#keepaliveTimer = undefined;
      const link = this.#link;
      if (!link || link.closed || this.#stopped) return;
      if (link.outstanding === 0 && this.#o.clock.now() - link.lastActivity >= every) {
        this.#track(link.request('PING').catch(() => undefined));
      }
      this.#armKeepalive();
    }, every);
  }

  #clearTimers(): void {
    if (this.#resyncTimer !== undefined) this.#o.clock.clearTimeout(this.#resyncTimer);
    if (this.#keepaliveTimer !== undefined) this.#o.clock.clearTimeout(this.#keepaliveTimer);
    this.#resyncTimer = this.#keepaliveTimer = undefined;
  }

  #track(p: Promise<unknown>): void {
    this.#background.add(p);
    void p.finally(() => this.#background.delete(p));
  }

  #setStatus(status: DeviceStatus, reason?: string): void {
    if (status === this.#status && reason === this.#reason) return;
    this.#status = status;
    this.#reason = reason;
    this.#o.onStatus(this.info());
  }
}

