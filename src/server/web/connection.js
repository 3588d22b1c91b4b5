// The page's side of protocol v1: hello with the kept token, requests with refs, a ping
// watchdog (a browser does not notice a dead Wi-Fi link by itself), and reconnection with a
// capped backoff after a daemon restart or a network drop. Every (re)connect starts with
// welcome + state + params, so the page resynchronises from scratch each time.

const PING_EVERY_MS = 4000;
const PONG_DEADLINE_MS = 4000;
const BACKOFF_MS = [250, 500, 1000, 2000, 4000, 8000];

export class Connection {
  constructor({ url, token, clientName, onMessage, onFrame, onStatus }) {
    this.url = url;
    this.token = token;
    this.clientName = clientName;
    this.onMessage = onMessage;
    this.onFrame = onFrame;
    this.onStatus = onStatus;
    this.ws = undefined;
    this.attempt = 0;
    this.pending = new Map();
    this.nextRef = 1;
    this.stopped = false;
    this.retryTimer = undefined;
    this.pingTimer = undefined;
    this.pongDeadline = undefined;
    this.welcomed = false;
  }

  start() {
    this.stopped = false;
    this.#open();
    window.addEventListener('online', () => this.reconnectNow());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible' && !this.welcomed) this.reconnectNow();
    });
  }

  /** Skip the backoff wait (network came back, page became visible). */
  reconnectNow() {
    if (this.stopped || (this.ws && this.ws.readyState <= 1)) return;
    clearTimeout(this.retryTimer);
    this.#open();
  }

  send(msg) {
    if (this.ws && this.ws.readyState === 1 && this.welcomed) {
      this.ws.send(JSON.stringify(msg));
      return true;
    }
    return false;
  }

  /** A request answered by `result`, `param.ack` or `error` with the same ref. */
  request(msg, timeoutMs = 15000) {
    const ref = this.nextRef++;
    return new Promise((resolve, reject) => {
      if (!this.send({ ...msg, ref })) {
        reject({ code: 'E_OFFLINE', message: 'not connected to the daemon' });
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(ref);
        reject({ code: 'E_TIMEOUT', message: `${msg.type}: no answer` });
      }, timeoutMs);
      this.pending.set(ref, { resolve, reject, timer });
    });
  }

  #open() {
    this.welcomed = false;
    this.onStatus({ state: 'connecting', attempt: this.attempt });
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.#retry();
      return;
    }
    this.ws = ws;
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      const hello = { type: 'hello', protocol: 1, client: this.clientName };
      if (this.token) hello.token = this.token;
      ws.send(JSON.stringify(hello));
    };
    ws.onmessage = (ev) => {
      this.#alive();
      if (typeof ev.data !== 'string') {
        this.onFrame(ev.data);
        return;
      }
      let msg;
      try {
        msg = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (msg.type === 'welcome') {
        this.welcomed = true;
        this.attempt = 0;
        this.#startPinging();
        this.onStatus({ state: 'open', clientId: msg.clientId, tokenRequired: msg.tokenRequired });
      }
      if (msg.ref !== undefined && this.pending.has(msg.ref)) {
        const p = this.pending.get(msg.ref);
        this.pending.delete(msg.ref);
        clearTimeout(p.timer);
        if (msg.type === 'error') p.reject(msg);
        else p.resolve(msg);
        if (msg.type === 'pong') return;
      }
      this.onMessage(msg);
    };
    ws.onerror = () => {
      // onclose follows and decides.
    };
    ws.onclose = (ev) => this.#closed(ws, ev.code);
  }

  #closed(ws, code) {
    if (this.ws !== ws) return;
    this.ws = undefined;
    this.#stopPinging();
    this.welcomed = false;
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject({ code: 'E_OFFLINE', message: 'connection lost' });
    }
    this.pending.clear();
    if (code === 4401) {
      // The token is wrong: retrying cannot help until the tablet is paired again.
      this.onStatus({ state: 'unauthorized' });
      return;
    }
    if (code === 4400) {
      this.onStatus({ state: 'version' });
      return;
    }
    this.#retry();
  }

  #retry() {
    if (this.stopped) return;
    const base = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    const delay = base * (0.75 + Math.random() * 0.5);
    this.attempt++;
    this.onStatus({ state: 'waiting', retryInMs: delay, attempt: this.attempt });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.#open(), delay);
  }

  #alive() {
    clearTimeout(this.pongDeadline);
    this.pongDeadline = undefined;
  }

  #startPinging() {
    this.#stopPinging();
    this.pingTimer = window.setInterval(() => {
      if (!this.ws || this.ws.readyState !== 1) return;
      this.ws.send(JSON.stringify({ type: 'ping' }));
      if (this.pongDeadline === undefined) {
        const ws = this.ws;
        // Nothing at all (no pong, no frame) for this long: the link is dead; start over.
        this.pongDeadline = setTimeout(() => {
          this.pongDeadline = undefined;
          this.#closed(ws, 4000);
          ws.close();
        }, PONG_DEADLINE_MS);
      }
    }, PING_EVERY_MS);
  }

  #stopPinging() {
    window.clearInterval(this.pingTimer);
    clearTimeout(this.pongDeadline);
    this.pongDeadline = undefined;
  }
}
