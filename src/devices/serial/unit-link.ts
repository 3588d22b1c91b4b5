import { EventEmitter } from 'node:events';
import { BridgeError, isBridgeError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import type { PortHandle } from './binding.ts';
import { systemClock, type Clock } from './clock.ts';
import { encodeFrame } from './frame-codec.ts';
import { FrameDecoder, type FrameEvent } from './frame-decoder.ts';
import { formatRequest, isRetryableNak, NAK, parseUnitMessage, type UnitIdentity } from './protocol.ts';

export interface LinkTiming {
  readonly baudRate: number;
  /** Requests outstanding at once (the unit answers in order; its input buffer is small). */
  readonly maxInFlight: number;
  readonly maxCommandsPerSecond: number;
  /** Time the unit may take to answer, on top of the wire time of request and answer. */
  readonly responseTimeoutMs: number;
  /** Re-sends after a timeout, a retryable NAK or a corrupted answer. */
  readonly retries: number;
  /** Timeouts in a row, with no valid frame in between, after which the unit is considered gone. */
  readonly deadAfterTimeouts: number;
  /** Wait before re-sending after NAK 08 BUSY. */
  readonly busyRetryDelayMs: number;
}

export interface AckReply {
  readonly verb: string;
  readonly args: readonly string[];
}

export interface RequestOptions {
  /** Expected answer size in bytes (a DUMP is long): lengthens the timeout by its wire time. */
  readonly expectBytes?: number;
  readonly retries?: number;
}

export interface LinkStats {
  requests: number;
  framesIn: number;
  retries: number;
  timeouts: number;
  naks: number;
  checksumErrors: number;
  frameErrors: number;
  noiseBytes: number;
  staleReplies: number;
  badMessages: number;
}

interface LinkEvents {
  /** `NTF`: a front-panel change (or a change another SET caused). */
  notify: [{ address: number; raw: number }];
  meter: [{ address: number; raw: number }];
  boot: [UnitIdentity];
  /** Line trouble: a frame may have been lost (the owner may re-read the unit's state). */
  trouble: [{ reason: 'checksum' | 'syntax' | 'overflow' | 'noise' | 'nak' }];
  /** Emitted once: the port closed, the device went away, or the unit stopped answering. */
  closed: [BridgeError];
}

type Failure = 'timeout' | 'nak' | 'checksum';

interface Pending {
  readonly verb: string;
  readonly args: readonly (string | number)[];
  readonly expectBytes: number;
  readonly retries: number;
  readonly tags: number[];
  attempts: number;
  frameBytes: number;
  notBefore: number;
  lastFailure: Failure | undefined;
  lastNak: { code: number; reason: string } | undefined;
  timer: unknown;
  readonly resolve: (r: AckReply) => void;
  readonly reject: (e: unknown) => void;
}

/** A tag is not reused for this long after its request finished (a late answer must not match a new request). */
const TAG_QUARANTINE_MS = 2000;

/**
 * One open connection to one unit: request/response matching by tag, per-request timeouts, bounded
 * retries with fresh tags (old tags stay valid, so a late answer still counts), a bound on requests
 * in flight and on the command rate. Units answer in order, so an unattributable error (untagged NAK,
 * corrupted answer) concerns the oldest outstanding request, which is the one re-sent.
 */
export class UnitLink extends EventEmitter<LinkEvents> {
  readonly port: PortHandle;
  readonly stats: LinkStats = {
    requests: 0,
    framesIn: 0,
    retries: 0,
    timeouts: 0,
    naks: 0,
    checksumErrors: 0,
    frameErrors: 0,
    noiseBytes: 0,
    staleReplies: 0,
    badMessages: 0,
  };
  #timing: LinkTiming;
  readonly #clock: Clock;
  readonly #log: Logger | undefined;
  readonly #decoder = new FrameDecoder();
  readonly #queue: Pending[] = [];
  readonly #inFlight: Pending[] = [];
  readonly #byTag = new Map<number, Pending>();
  readonly #retiredAt = new Map<number, number>();
  /** A new link starts at a random tag: an answer meant for a previous link on this port rarely matches. */
  #nextTag = 1 + Math.floor(Math.random() * 255);
  #nextSendAt = 0;
  #pumpTimer: unknown;
  #writeChain: Promise<void> = Promise.resolve();
  #closed: BridgeError | undefined;
  #silentTimeouts = 0;
  #readLoop: Promise<void> = Promise.resolve();
  #lastActivity = 0;

  constructor(port: PortHandle, timing: LinkTiming, options: { clock?: Clock; log?: Logger } = {}) {
    super();
    this.port = port;
    this.#timing = timing;
    this.#clock = options.clock ?? systemClock;
    this.#log = options.log;
    this.#lastActivity = this.#clock.now();
  }

  /** New timing for the requests sent from now on (a probe link becomes the unit's link). */
  retune(timing: LinkTiming): void {
    this.#timing = timing;
  }

  /** Start reading. Separate from the constructor so listeners can be attached first. */
  start(): void {
    this.#readLoop = this.#read();
  }

  get closed(): boolean {
    return this.#closed !== undefined;
  }

  get inFlight(): number {
    return this.#inFlight.length;
  }

  /** Requests waiting or in flight. */
  get outstanding(): number {
    return this.#inFlight.length + this.#queue.length;
  }

  /** Time of the last frame sent or received (for keepalive). */
  get lastActivity(): number {
    return this.#lastActivity;
  }

  request(verb: string, args: readonly (string | number)[] = [], options: RequestOptions = {}): Promise<AckReply> {
    if (this.#closed) return Promise.reject(this.#closedError());
    this.stats.requests++;
    return new Promise<AckReply>((resolve, reject) => {
      this.#queue.push({
        verb,
        args,
        expectBytes: options.expectBytes ?? 48,
        retries: options.retries ?? this.#timing.retries,
        tags: [],
        attempts: 0,
        frameBytes: 0,
        notBefore: 0,
        lastFailure: undefined,
        lastNak: undefined,
        timer: undefined,
        resolve,
        reject,
      });
      this.#pump();
    });
  }

  /** Close the port; every outstanding request rejects with E_SERIAL_CLOSED. */
  async close(): Promise<void> {
    this.#closeWith(new BridgeError('E_SERIAL_CLOSED', `${this.port.path}: closed by the driver`, { details: { path: this.port.path, canceled: true } }));
    await this.port.close();
    await this.#readLoop;
    await this.#writeChain;
  }

  async #read(): Promise<void> {
    try {
      for (;;) {
        const chunk = await this.port.read();
        for (const e of this.#decoder.push(chunk)) this.#onFrameEvent(e);
      }
    } catch (err) {
      this.#closeWith(
        isBridgeError(err) ? err : new BridgeError('E_DEVICE_DISCONNECTED', `${this.port.path}: read failed`, { details: { path: this.port.path }, cause: err }),
      );
    }
  }

  #onFrameEvent(e: FrameEvent): void {
    if (this.#closed) return;
    switch (e.kind) {
      case 'noise':
        this.stats.noiseBytes += e.bytes;
        this.emit('trouble', { reason: 'noise' });
        return;
      case 'error':
        if (e.reason === 'checksum') this.stats.checksumErrors++;
        else this.stats.frameErrors++;
        this.emit('trouble', { reason: e.reason });
        // Units answer in order: a garbled answer is most likely the oldest request's.
        this.#retryHead(e.reason === 'checksum' ? 'checksum' : 'nak');
        return;
      case 'frame':
        this.stats.framesIn++;
        this.#lastActivity = this.#clock.now();
        this.#onBody(e.body);
    }
  }

  #onBody(body: string): void {
    const msg = parseUnitMessage(body);
    if (!msg) {
      this.stats.badMessages++;
      this.#log?.debug({ port: this.port.path, body }, 'outboard: unparseable frame');
      this.emit('trouble', { reason: 'syntax' });
      return;
    }
    this.#silentTimeouts = 0;
    switch (msg.type) {
      case 'ack': {
        const req = this.#byTag.get(msg.tag);
        // The verb (and for GET/SET the address) must match: a late answer to a reused tag never counts.
        if (!req || req.verb !== msg.verb || ((req.verb === 'GET' || req.verb === 'SET') && String(req.args[0]) !== msg.args[0])) {
          this.stats.staleReplies++;
          return;
        }
        this.#finish(req, { verb: msg.verb, args: msg.args });
        return;
      }
      case 'nak': {
        this.stats.naks++;
        if (msg.tag === 0) {
          this.emit('trouble', { reason: 'nak' });
          if (isRetryableNak(msg.code, true)) this.#retryHead(msg.code === NAK.checksum ? 'checksum' : 'nak', msg);
          return;
        }
        const req = this.#byTag.get(msg.tag);
        if (!req) {
          this.stats.staleReplies++;
          return;
        }
        if (isRetryableNak(msg.code, false)) this.#retryOrFail(req, msg.code === NAK.checksum ? 'checksum' : 'nak', msg);
        else {
          req.lastNak = { code: msg.code, reason: msg.reason };
          this.#finish(req, this.#nakError(req));
        }
        return;
      }
      case 'ntf':
        this.emit('notify', { address: msg.address, raw: msg.raw });
        return;
      case 'mtr':
        this.emit('meter', { address: msg.address, raw: msg.raw });
        return;
      case 'boot':
        this.emit('boot', msg.identity);
        return;
    }
  }

  #pump(): void {
    if (this.#closed || this.#pumpTimer !== undefined) return;
    while (this.#inFlight.length < this.#timing.maxInFlight && this.#queue.length > 0) {
      const now = this.#clock.now();
      const next = this.#queue[0] as Pending;
      const at = Math.max(this.#nextSendAt, next.notBefore);
      if (now < at) {
        this.#pumpTimer = this.#clock.setTimeout(() => {
          this.#pumpTimer = undefined;
          this.#pump();
        }, at - now);
        return;
      }
      this.#queue.shift();
      this.#send(next, now);
    }
  }

  #send(req: Pending, now: number): void {
    const tag = this.#allocTag(now);
    req.tags.push(tag);
    req.attempts++;
    this.#byTag.set(tag, req);
    const frame = encodeFrame(formatRequest(tag, req.verb, req.args));
    req.frameBytes = frame.length;
    this.#inFlight.push(req);
    // Spacing from the previous slot, not from this (possibly late) timer: a late wake-up may use the
    // slot it missed, so timer lateness never lowers the rate, and the long-run rate never exceeds it.
    const interval = 1000 / this.#timing.maxCommandsPerSecond;
    this.#nextSendAt = Math.max(this.#nextSendAt, now - interval) + interval;
    this.#lastActivity = now;
    this.#writeChain = this.#writeChain
      .then(() => (this.#closed ? undefined : this.port.write(frame)))
      .catch((err: unknown) => {
        this.#closeWith(isBridgeError(err) ? err : new BridgeError('E_DEVICE_DISCONNECTED', `${this.port.path}: write failed`, { cause: err }));
      });
    this.#armHead();
  }

  #allocTag(now: number): number {
    for (let i = 0; i < 255; i++) {
      const t = this.#nextTag;
      this.#nextTag = t >= 255 ? 1 : t + 1;
      const retired = this.#retiredAt.get(t);
      if (this.#byTag.has(t) || (retired !== undefined && now - retired < TAG_QUARANTINE_MS)) continue;
      this.#retiredAt.delete(t);
      return t;
    }
    // Every tag busy or quarantined: impossible with maxInFlight <= 16 and sane rates; take the oldest retired.
    let oldest = 1;
    let oldestAt = Infinity;
    for (const [t, at] of this.#retiredAt) if (at < oldestAt && !this.#byTag.has(t)) [oldest, oldestAt] = [t, at];
    this.#retiredAt.delete(oldest);
    return oldest;
  }

  /** Only the oldest request runs a timer: the unit answers in order, so the others cannot be late yet. */
  #armHead(): void {
    const head = this.#inFlight[0];
    if (!head || head.timer !== undefined || this.#closed) return;
    const wireMs = ((head.frameBytes + head.expectBytes) * 10_000) / this.#timing.baudRate;
    head.timer = this.#clock.setTimeout(() => this.#onTimeout(head), this.#timing.responseTimeoutMs + wireMs);
  }

  #onTimeout(req: Pending): void {
    req.timer = undefined;
    if (this.#closed) return;
    this.stats.timeouts++;
    this.#silentTimeouts++;
    if (this.#silentTimeouts >= this.#timing.deadAfterTimeouts) {
      this.#closeWith(
        new BridgeError('E_SERIAL_TIMEOUT', `${this.port.path}: unit stopped answering (${this.#silentTimeouts} timeouts)`, { details: { path: this.port.path } }),
      );
      return;
    }
    this.#retryOrFail(req, 'timeout');
  }

  #retryHead(kind: Failure, nak?: { code: number; reason: string }): void {
    const head = this.#inFlight[0];
    if (head) this.#retryOrFail(head, kind, nak);
  }

  #retryOrFail(req: Pending, kind: Failure, nak?: { code: number; reason: string }): void {
    // A late NAK for an older tag of a request already waiting to be re-sent changes nothing.
    if (!this.#inFlight.includes(req)) return;
    this.#unflight(req);
    req.lastFailure = kind;
    if (nak) req.lastNak = { code: nak.code, reason: nak.reason };
    if (req.attempts <= req.retries) {
      this.stats.retries++;
      req.notBefore = nak?.code === NAK.busy ? this.#clock.now() + this.#timing.busyRetryDelayMs : 0;
      this.#queue.unshift(req);
    } else {
      this.#settle(req);
      req.reject(this.#failureError(req));
    }
    this.#armHead();
    this.#pump();
  }

  #finish(req: Pending, outcome: AckReply | BridgeError): void {
    this.#unflight(req);
    this.#settle(req);
    if (outcome instanceof BridgeError) req.reject(outcome);
    else req.resolve(outcome);
    this.#armHead();
    this.#pump();
  }

  #unflight(req: Pending): void {
    if (req.timer !== undefined) this.#clock.clearTimeout(req.timer);
    req.timer = undefined;
    const i = this.#inFlight.indexOf(req);
    if (i >= 0) this.#inFlight.splice(i, 1);
    // A late answer to an older tag can finish a request that is waiting to be re-sent.
    const q = this.#queue.indexOf(req);
    if (q >= 0) this.#queue.splice(q, 1);
  }

  /** The request is over: its tags go into quarantine. */
  #settle(req: Pending): void {
    const now = this.#clock.now();
    for (const t of req.tags) {
      if (this.#byTag.get(t) === req) this.#byTag.delete(t);
      this.#retiredAt.set(t, now);
    }
  }

  #failureError(req: Pending): BridgeError {
    const what = `${req.verb}${req.args.length > 0 ? ' ' + req.args.join(' ') : ''}`;
    const details = { path: this.port.path, request: what, attempts: req.attempts };
    switch (req.lastFailure) {
      case 'nak':
        return this.#nakError(req);
      case 'checksum':
        return new BridgeError('E_SERIAL_CHECKSUM', `${this.port.path}: ${what}: corrupted on the line ${req.attempts} times`, { details });
      default:
        return new BridgeError('E_SERIAL_TIMEOUT', `${this.port.path}: ${what}: no answer after ${req.attempts} attempts`, { details });
    }
  }

  #nakError(req: Pending): BridgeError {
    const what = `${req.verb}${req.args.length > 0 ? ' ' + req.args.join(' ') : ''}`;
    const nak = req.lastNak ?? { code: 0, reason: '' };
    return new BridgeError('E_SERIAL_NAK', `${this.port.path}: ${what}: unit answered NAK ${String(nak.code).padStart(2, '0')} ${nak.reason}`, {
      details: { path: this.port.path, request: what, nak: nak.code, reason: nak.reason, attempts: req.attempts },
    });
  }

  #closedError(): BridgeError {
    const why = this.#closed as BridgeError;
    return new BridgeError('E_SERIAL_CLOSED', `${this.port.path}: link closed (${why.code})`, { details: { path: this.port.path, reason: why.code }, cause: why });
  }

  #closeWith(err: BridgeError): void {
    if (this.#closed) return;
    this.#closed = err;
    // Release the file descriptor / socket whatever the reason (idempotent).
    void this.port.close().catch(() => {});
    if (this.#pumpTimer !== undefined) this.#clock.clearTimeout(this.#pumpTimer);
    this.#pumpTimer = undefined;
    const all = [...this.#inFlight, ...this.#queue];
    this.#inFlight.length = 0;
    this.#queue.length = 0;
    const closedErr = this.#closedError();
    for (const req of all) {
      if (req.timer !== undefined) this.#clock.clearTimeout(req.timer);
      req.timer = undefined;
      this.#settle(req);
      req.reject(closedErr);
    }
    this.emit('closed', err);
  }
}
