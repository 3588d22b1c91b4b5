import { WebSocket, type ClientOptions } from 'ws';

export type Json = Record<string, unknown> & { type: string };

export interface Received {
  readonly json: Json[];
  readonly frames: Buffer[];
}

/**
 * A real `ws` client that records everything it receives, in order, and lets a test wait
 * for a message by predicate. No sleeps: every wait is for an event, with a generous
 * deadline that only turns a hang into a readable failure.
 */
export class TestClient {
  readonly ws: WebSocket;
  readonly json: Json[] = [];
  readonly frames: Buffer[] = [];
  /** Everything in arrival order: JSON objects and binary frames. */
  readonly all: (Json | Buffer)[] = [];
  closeCode: number | undefined;
  closeReason = '';
  readonly closed: Promise<number>;
  readonly #waiters = new Set<() => void>();

  constructor(url: string, options: ClientOptions = {}) {
    this.ws = new WebSocket(url, options);
    this.ws.on('error', () => undefined);
    this.ws.on('message', (data, isBinary) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
      if (isBinary) {
        this.frames.push(buf);
        this.all.push(buf);
      } else {
        const j = JSON.parse(buf.toString('utf8')) as Json;
        this.json.push(j);
        this.all.push(j);
      }
      for (const w of [...this.#waiters]) w();
    });
    this.closed = new Promise((resolve) => {
      this.ws.on('close', (code, reason) => {
        this.closeCode = code;
        this.closeReason = reason.toString();
        for (const w of [...this.#waiters]) w();
        resolve(code);
      });
    });
  }

  static async open(url: string, options: ClientOptions = {}): Promise<TestClient> {
    const c = new TestClient(url, options);
    await new Promise<void>((resolve, reject) => {
      c.ws.once('open', () => resolve());
      c.ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      c.ws.once('error', reject);
    });
    return c;
  }

  /** Open and say hello; resolves after `welcome`, `state` and `params` arrived. */
  static async hello(url: string, extra: Record<string, unknown> = {}, options: ClientOptions = {}): Promise<TestClient> {
    const c = await TestClient.open(url, options);
    c.send({ type: 'hello', protocol: 1, ...extra });
    await c.waitFor((m) => m.type === 'params');
    return c;
  }

  get clientId(): string {
    const w = this.json.find((m) => m.type === 'welcome');
    if (!w) throw new Error('no welcome yet');
    return w.clientId as string;
  }

  send(obj: unknown): void {
    this.ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj));
  }

  /** Wait for a JSON message matching `pred` that arrived at index >= `from` in `json`. */
  waitFor(pred: (m: Json) => boolean, from = 0, deadlineMs = 10_000): Promise<Json> {
    return this.#until(() => this.json.slice(from).find(pred), deadlineMs, 'message');
  }

  waitForFrames(n: number, deadlineMs = 10_000): Promise<Buffer[]> {
    return this.#until(() => (this.frames.length >= n ? this.frames.slice(0, n) : undefined), deadlineMs, `${n} frames`);
  }

  waitClosed(deadlineMs = 10_000): Promise<number> {
    return this.#until(() => this.closeCode, deadlineMs, 'close');
  }

  /** Send a request with a ref and wait for the `result` or `error` that answers it. */
  async request(obj: Record<string, unknown>, ref: string | number = `r${Math.random().toString(36).slice(2)}`): Promise<Json> {
    const from = this.json.length;
    this.send({ ...obj, ref });
    return this.waitFor((m) => m.ref === ref && (m.type === 'result' || m.type === 'error' || m.type === 'param.ack'), from);
  }

  close(): void {
    this.ws.terminate();
  }

  #until<T>(check: () => T | undefined, deadlineMs: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const now = check();
      if (now !== undefined) return resolve(now);
      const timer = setTimeout(() => {
        this.#waiters.delete(w);
        reject(new Error(`timed out waiting for ${what}; last messages: ${JSON.stringify(this.json.slice(-5))}`));
      }, deadlineMs);
      const w = (): void => {
        const v = check();
        if (v === undefined) return;
        clearTimeout(timer);
        this.#waiters.delete(w);
        resolve(v);
      };
      this.#waiters.add(w);
    });
  }
}
