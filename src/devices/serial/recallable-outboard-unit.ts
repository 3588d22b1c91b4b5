import { BridgeError, isBridgeError } from '../../errors.ts';
import type { RecallableUnit, UnitCallOptions, UnitIdentity, UnitParamResult } from '../../state/recall/recallable-unit.ts';
import type { RecallMode } from '../../state/store/snapshot-state.ts';
import type { UnitDriver } from './unit-driver.ts';

/**
 * A serial outboard unit behind the recall seam of src/state/recall (RecallableUnit): full parameter
 * ids, a live identity request, writes through the unit's latest-wins queue, and a read that goes to
 * the hardware (DUMP), never a cache of what was sent.
 */
export class RecallableOutboardUnit implements RecallableUnit {
  readonly id: string;
  readonly recallMode: RecallMode;
  readonly #driver: UnitDriver;

  constructor(driver: UnitDriver) {
    this.#driver = driver;
    this.id = driver.id;
    this.recallMode = driver.manual ? 'manual' : 'electronic';
  }

  async identity(options: UnitCallOptions = {}): Promise<UnitIdentity> {
    const id = await abortable(this.#driver.queryIdentity(), options.signal);
    return { model: id.model, firmware: id.firmware, serial: id.serial };
  }

  async recall(values: Readonly<Record<string, number>>, options: UnitCallOptions = {}): Promise<readonly UnitParamResult[]> {
    if (this.#driver.manual) {
      throw new BridgeError('E_DEVICE_UNAVAILABLE', `${this.id} is hand-set; it cannot be recalled electronically`, { details: { unitId: this.id } });
    }
    if (this.#driver.status !== 'online') {
      throw new BridgeError('E_RECALL_UNIT_ABSENT', `${this.id}: unit is ${this.#driver.status}`, { details: { unitId: this.id } });
    }
    const prefix = `outboard.${this.id}.`;
    const jobs = Object.entries(values).map(async ([id, value]): Promise<UnitParamResult> => {
      const name = id.startsWith(prefix) ? id.slice(prefix.length) : id;
      let target: number;
      try {
        target = this.#driver.targets({ [name]: value }).get(name) as number;
      } catch (err) {
        return { id, ok: false, code: isBridgeError(err) ? err.code : 'E_PARAM_RANGE', reason: err instanceof Error ? err.message : String(err) };
      }
      try {
        const outcome = await this.#driver.write(name, target);
        if (outcome.status === 'done') return { id, ok: true, value: outcome.result };
        // Superseded before it was sent: by a newer write, or by the unit itself (a switcher
        // that swaps loop positions announces the swap, which cancels the queued write). Not a
        // failure by itself: what the unit reports now is the answer, and the read-back that
        // follows judges it against the snapshot.
        const now = this.#driver.reportedValues()[name];
        if (now !== undefined) return { id, ok: true, value: now };
        return { id, ok: false, code: 'E_OUTBOARD_MISMATCH', reason: 'a newer write replaced the recall value before it was sent' };
      } catch (err) {
        return { id, ok: false, code: isBridgeError(err) ? err.code : 'E_SERIAL_TIMEOUT', reason: err instanceof Error ? err.message : String(err) };
      }
    });
    return abortable(Promise.all(jobs), options.signal);
  }

  async read(options: UnitCallOptions = {}): Promise<Readonly<Record<string, number>>> {
    const back = await abortable(this.#driver.read(), options.signal);
    const prefix = `outboard.${this.id}.`;
    return Object.fromEntries([...back].map(([name, v]) => [prefix + name, v]));
  }
}

/** Stop waiting when `signal` aborts (the serial request itself finishes or times out on its own). */
function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  // Nobody may be left waiting on `p` once we stop waiting: its late failure is not news.
  p.catch(() => {});
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException('aborted', 'AbortError');
}
