import type { OutboardUnitConfig } from '../../config/sections/outboard.ts';
import { isBridgeError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import type { PortOpener, SerialBinding } from './binding.ts';
import type { Clock } from './clock.ts';
import { expandPortPattern, listByIdPorts, portKey } from './port-candidates.ts';
import { parseIdentity, type UnitIdentity } from './protocol.ts';
import { UnitLink, type LinkTiming } from './unit-link.ts';

/** Extra places to look for a unit (the simulated studio's pty paths, found at run time). */
export type PortResolver = (unit: OutboardUnitConfig) => readonly string[] | Promise<readonly string[]>;

export interface PortFinderOptions {
  readonly opener: PortOpener | SerialBinding;
  readonly log: Logger;
  readonly clock: Clock;
  readonly resolvePort?: PortResolver | undefined;
  readonly probeTimeoutMs: number;
  /** Also probe /dev/serial/by-id/* and the OS port list (not for units configured as tcp://). */
  readonly scanSystemPorts: boolean;
  readonly byIdDir: string;
}

export interface FoundUnit {
  readonly link: UnitLink;
  readonly identity: UnitIdentity;
  readonly path: string;
}

/**
 * Finds a unit by the serial number in its identity answer, never by trusting a path: every
 * candidate port is opened and asked `IDN`. Probes are serialised (one port open for probing at a
 * time, across all units) so two units never fight over one port.
 */
export class PortFinder {
  readonly #o: PortFinderOptions;
  #lock: Promise<unknown> = Promise.resolve();

  constructor(options: PortFinderOptions) {
    this.#o = options;
  }

  /** The candidate ports for `unit`, best first, without duplicates and without `exclude`d ones. */
  async candidates(unit: OutboardUnitConfig, preferred: string | undefined, exclude: ReadonlySet<string>): Promise<string[]> {
    const list: string[] = [];
    if (preferred) list.push(preferred);
    if (unit.port !== 'sim') list.push(...(await expandPortPattern(unit.port)));
    if (this.#o.resolvePort) {
      try {
        list.push(...(await this.#o.resolvePort(unit)));
      } catch (err) {
        this.#o.log.warn({ unit: unit.id, err }, 'outboard: resolvePort failed');
      }
    }
    if (this.#o.scanSystemPorts && !unit.port.startsWith('tcp://')) {
      list.push(...(await listByIdPorts(this.#o.byIdDir)));
      const binding = this.#o.opener as Partial<SerialBinding>;
      if (typeof binding.list === 'function') {
        try {
          list.push(...(await binding.list()).map((p) => p.path));
        } catch {
          // No udevadm or no addon: the other sources still work.
        }
      }
    }
    const seen = new Set<string>();
    const out: string[] = [];
    for (const p of list) {
      const key = await portKey(p);
      if (seen.has(key) || exclude.has(key) || exclude.has(p)) continue;
      seen.add(key);
      out.push(p);
    }
    return out;
  }

  /** Probe the candidates until one answers with `unit.serial`; its link stays open for the caller. */
  find(unit: OutboardUnitConfig, timing: LinkTiming, preferred: string | undefined, exclude: ReadonlySet<string>): Promise<FoundUnit | { reason: string }> {
    const run = this.#lock.then(() => this.#find(unit, timing, preferred, exclude));
    this.#lock = run.catch(() => undefined);
    return run;
  }

  async #find(unit: OutboardUnitConfig, timing: LinkTiming, preferred: string | undefined, exclude: ReadonlySet<string>): Promise<FoundUnit | { reason: string }> {
    const candidates = await this.candidates(unit, preferred, exclude);
    if (candidates.length === 0) return { reason: 'no candidate port (check outboard[].port)' };
    const seen: string[] = [];
    for (const p of candidates) {
      const r = await this.#probe(p, unit, timing);
      if ('link' in r) return r;
      seen.push(`${p}: ${r.reason}`);
    }
    return { reason: `serial ${unit.serial} not found (${seen.join('; ')})` };
  }

  async #probe(p: string, unit: OutboardUnitConfig, timing: LinkTiming): Promise<FoundUnit | { reason: string }> {
    let handle;
    try {
      handle = await this.#o.opener.open(p, { baudRate: unit.baudRate });
    } catch (err) {
      return { reason: isBridgeError(err) ? err.code : 'cannot open' };
    }
    const probeTiming: LinkTiming = { ...timing, responseTimeoutMs: this.#o.probeTimeoutMs, retries: 1, deadAfterTimeouts: 1000 };
    const link = new UnitLink(handle, probeTiming, { clock: this.#o.clock, log: this.#o.log });
    link.on('closed', () => {});
    link.start();
    try {
      const ack = await link.request('IDN', [], { expectBytes: 120 });
      const identity = parseIdentity(ack.args);
      if (!identity) {
        await link.close();
        return { reason: 'unreadable identity' };
      }
      if (identity.serial !== unit.serial) {
        await link.close();
        return { reason: `serial ${identity.serial}` };
      }
      link.retune(timing);
      return { link, identity, path: p };
    } catch (err) {
      await link.close();
      return { reason: isBridgeError(err) ? err.code : 'probe failed' };
    }
  }
}
