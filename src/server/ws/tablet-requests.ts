import { BridgeError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import type { ParamStore } from '../../params/param-store.ts';
import type { ClientMessage, RequestRef } from './protocol.ts';
import { unavailable, type ActionContext, type TabletActions } from './tablet-actions.ts';
import type { TabletClient } from './tablet-client.ts';

type ActionMessage = Exclude<ClientMessage, { type: 'hello' } | { type: 'subscribe' } | { type: 'ping' }>;

/**
 * The tablet's requests after `hello`: parameter changes go straight to the ParamStore; the
 * rest are promises handed to TabletActions, answered with `result` or `error` (never both,
 * exactly one per request).
 */
export class TabletRequests {
  readonly #store: ParamStore;
  readonly #actions: () => Partial<TabletActions>;
  readonly #log: Logger;
  readonly #afterAction: () => void;

  constructor(store: ParamStore, actions: () => Partial<TabletActions>, log: Logger, afterAction: () => void) {
    this.#store = store;
    this.#actions = actions;
    this.#log = log;
    this.#afterAction = afterAction;
  }

  handle(client: TabletClient, msg: ActionMessage): void {
    const a = this.#actions();
    const ctx: ActionContext = { source: client.source, signal: client.closed.signal };
    switch (msg.type) {
      case 'param.set':
        this.#paramSet(client, msg);
        return;
      case 'param.learn': {
        if (!this.#store.has(msg.id)) return sendError(client, new BridgeError('E_PARAM_UNKNOWN', `unknown parameter ${msg.id}`), msg, this.#log);
        const learn = a.learn;
        if (!learn) return this.#run(client, msg, undefined, 'MIDI learn');
        const controller = new AbortController();
        const onClose = (): void => controller.abort();
        client.closed.signal.addEventListener('abort', onClose, { once: true });
        client.learns.add(controller);
        this.#run(client, msg, () =>
          learn(msg.id, { source: client.source, signal: controller.signal }).finally(() => {
            client.learns.delete(controller);
            client.closed.signal.removeEventListener('abort', onClose);
          }),
        );
        return;
      }
      case 'param.learn.cancel': {
        const n = client.learns.size;
        client.abortLearns();
        client.send({ type: 'result', request: msg.type, ...refOf(msg.ref), data: { cancelled: n } });
        return;
      }
      case 'transport.play':
      case 'transport.stop':
      case 'transport.print': {
        const t = a.transport;
        const command = msg.type === 'transport.play' ? 'play' : msg.type === 'transport.stop' ? 'stop' : 'print';
        this.#run(client, msg, t && (() => t({ command }, ctx)), 'transport');
        return;
      }
      case 'transport.locate': {
        const t = a.transport;
        this.#run(client, msg, t && (() => t({ command: 'locate', positionS: msg.positionS }, ctx)), 'transport');
        return;
      }
      case 'snapshot.list': {
        const f = a.snapshotList;
        this.#run(client, msg, f && (() => f(ctx)), 'snapshot list');
        return;
      }
      case 'snapshot.save': {
        const f = a.snapshotSave;
        const req = {
          name: msg.name,
          ...(msg.note !== undefined ? { note: msg.note } : {}),
          ...(msg.project !== undefined ? { project: msg.project } : {}),
          ...(msg.track !== undefined ? { track: msg.track } : {}),
        };
        this.#run(client, msg, f && (() => f(req, ctx)), 'snapshot save');
        return;
      }
      case 'snapshot.recall': {
        const f = a.snapshotRecall;
        this.#run(client, msg, f && (() => f({ id: msg.id }, ctx)), 'snapshot recall');
        return;
      }
      case 'snapshot.ab': {
        const f = a.snapshotAb;
        const req = { side: msg.side, ...(msg.a !== undefined ? { a: msg.a } : {}), ...(msg.b !== undefined ? { b: msg.b } : {}) };
        this.#run(client, msg, f && (() => f(req, ctx)), 'A/B');
        return;
      }
      case 'recall.sheet.confirm': {
        const f = a.recallSheetConfirm;
        this.#run(client, msg, f && (() => f({ unitId: msg.unitId, id: msg.id, confirmed: msg.confirmed }, ctx)), 'recall sheets');
        return;
      }
      case 'recall.sheet.dismiss': {
        const f = a.recallSheetDismiss;
        this.#run(client, msg, f && (() => f(ctx)), 'recall sheets');
        return;
      }
      case 'calibrate': {
        const f = a.calibrate;
        this.#run(client, msg, f && (() => f(msg.route !== undefined ? { route: msg.route } : {}, ctx)), 'calibration');
        return;
      }
    }
  }

  /**
   * Straight into the store with this tablet as the source (so the tablet's own change is not
   * echoed back to it). The sender hears back only when the stored value differs from what
   * it sent (snapped to a detent) or when it asked with a `ref`.
   */
  #paramSet(client: TabletClient, msg: Extract<ClientMessage, { type: 'param.set' }>): void {
    let value: number;
    let stored: number;
    try {
      if (typeof msg.value === 'boolean') {
        // true/false only for on/off controls: `true` for a gain is a client bug, not 1 dB.
        if (this.#store.spec(msg.id).kind !== 'toggle') throw new BridgeError('E_PARAM_TYPE', `${msg.id}: a number is needed, got ${String(msg.value)}`, { details: { id: msg.id } });
        value = msg.value ? 1 : 0;
      } else value = msg.value;
      stored = this.#store.set(msg.id, value, client.source);
    } catch (err) {
      sendError(client, err, msg, this.#log);
      return;
    }
    if (stored !== value || msg.ref !== undefined) client.send({ type: 'param.ack', id: msg.id, value: stored, ...refOf(msg.ref) });
  }

  #run(client: TabletClient, msg: ActionMessage, fn: (() => Promise<unknown>) | undefined, what: string = msg.type): void {
    if (!fn) {
      sendError(client, unavailable(what), msg, this.#log);
      return;
    }
    // An implementation that throws synchronously is answered like one that rejects.
    new Promise<unknown>((resolve) => resolve(fn())).then(
      (data) => {
        let text: string;
        try {
          text = JSON.stringify({ type: 'result', request: msg.type, ...refOf(msg.ref), data: data ?? null });
        } catch (err) {
          this.#log.error({ err, request: msg.type }, 'tablet action result is not JSON');
          sendError(client, new BridgeError('E_WS_ACTION_FAILED', `${msg.type} returned something that cannot be sent`), msg, this.#log);
          return;
        }
        client.sendText(text);
      },
      (err: unknown) => sendError(client, err, msg, this.#log),
    )
      .finally(() => this.#afterAction())
      .catch((err: unknown) => this.#log.error({ err }, 'tablet action bookkeeping failed'));
  }
}

export function refOf(ref: RequestRef): { ref?: string | number } {
  return ref === undefined ? {} : { ref };
}

/** An `error` for one request: BridgeErrors keep their code; anything else is logged and hidden. */
export function sendError(client: TabletClient, err: unknown, msg: { type: string; ref?: RequestRef }, log: Logger): void {
  if (err instanceof BridgeError) {
    client.send({ type: 'error', code: err.code, message: err.message, request: msg.type, ...refOf(msg.ref) });
    return;
  }
  log.error({ err, request: msg.type, client: client.id }, 'tablet request failed');
  client.send({ type: 'error', code: 'E_WS_ACTION_FAILED', message: `${msg.type} failed (the daemon log has the details)`, request: msg.type, ...refOf(msg.ref) });
}
