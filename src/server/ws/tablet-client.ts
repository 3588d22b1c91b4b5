import type { WebSocket } from 'ws';
import type { ServerMessage } from './protocol.ts';

export interface ClientLimits {
  /** Above this many bytes queued for a client, its meter frames are skipped (latest wins). */
  readonly frameDropBytes: number;
  /** Above this many bytes queued (control messages pile up too), the client is cut off. */
  readonly maxBufferedBytes: number;
}

/**
 * One connected tablet: its socket, whether it said a valid `hello`, what meters it wants at
 * which rate, and its pending learns. Sending never queues without bound: frames are
 * skipped past `frameDropBytes`, and a client past `maxBufferedBytes` is terminated.
 */
export class TabletClient {
  readonly id: string;
  readonly ws: WebSocket;
  readonly remote: string;
  name = '';
  authenticated = false;
  /** Answered the last ping (or sent anything) since the previous heartbeat tick. */
  alive = true;
  /** Section mask of the meters wanted; 0 = none. */
  meterMask = 0;
  frameIntervalMs = 1000 / 30;
  nextFrameDueMs = 0;
  /** The layoutId the client last received in a `meters.layout`. */
  layoutId = 0;
  framesSent = 0;
  framesDropped = 0;
  readonly learns = new Set<AbortController>();
  /** Aborted when the socket closes: every action it started sees it. */
  readonly closed = new AbortController();
  readonly #limits: ClientLimits;

  constructor(id: string, ws: WebSocket, remote: string, limits: ClientLimits) {
    this.id = id;
    this.ws = ws;
    this.remote = remote;
    this.#limits = limits;
  }

  get source(): string {
    return `tablet:${this.id}`;
  }

  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  send(message: ServerMessage): void {
    this.sendText(JSON.stringify(message));
  }

  /** Control messages are never skipped: they are small and each one matters. */
  sendText(text: string): void {
    if (!this.open) return;
    if (this.ws.bufferedAmount > this.#limits.maxBufferedBytes) {
      this.ws.terminate();
      return;
    }
    this.ws.send(text);
  }

  /**
   * Whether a frame is due at `nowMs` for this client's rate. A quarter interval of slack
   * absorbs publish jitter.
   */
  frameDue(nowMs: number): boolean {
    return this.meterMask !== 0 && nowMs + this.frameIntervalMs * 0.25 >= this.nextFrameDueMs;
  }

  /** Send a frame or skip it when the socket is backed up; returns whether it was sent. */
  sendFrame(frame: Buffer, nowMs: number): boolean {
    if (!this.open) return false;
    if (this.ws.bufferedAmount > this.#limits.frameDropBytes) {
      // Latest wins: nothing is queued; the next due snapshot is sent once the socket drains.
      this.framesDropped++;
      return false;
    }
    this.ws.send(frame, { binary: true });
    this.framesSent++;
    // Keep to the ideal schedule; after a gap (first frame, a stall) start again from now.
    this.nextFrameDueMs = this.nextFrameDueMs < nowMs - this.frameIntervalMs ? nowMs + this.frameIntervalMs : this.nextFrameDueMs + this.frameIntervalMs;
    return true;
  }

  abortLearns(): void {
    for (const c of this.learns) c.abort();
    this.learns.clear();
  }
}
