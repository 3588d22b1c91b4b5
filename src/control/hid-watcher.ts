import type { EvdevDeviceInfo, HidBinding, HidDeviceInfo, StreamDeckInfo } from '../devices/hid/binding.ts';
import type { Logger } from '../logger.ts';
import type { AttachedHid, HidCandidate, HidKind, HidSurface } from './hid-surface-base.ts';
import { CoalescedRun } from './coalesced-run.ts';

export interface HidWatcherOptions {
  readonly binding: HidBinding;
  readonly surfaces: readonly HidSurface[];
  readonly log: Logger;
  /** Poll period; 0 = no timer. node-hid has no hot-plug events either. */
  readonly pollIntervalMs: number;
  readonly now?: () => number;
}

interface Lists {
  hid: HidDeviceInfo[] | undefined;
  evdev: EvdevDeviceInfo[] | undefined;
  streamdeck: StreamDeckInfo[] | undefined;
  problems: Partial<Record<HidKind, string>>;
}

/**
 * Keeps HID surfaces attached: polls node-hid, evdev and the Stream Deck list, matches by ids or
 * pattern, opens, and re-attaches after an unplug (the handle's `error`, or the device leaving
 * the list). A part of the bus that cannot work (no /dev/input) only affects surfaces that need it.
 */
export class HidWatcher {
  readonly #opts: HidWatcherOptions;
  readonly #now: () => number;
  readonly #retryAt = new Map<HidSurface, { at: number; failures: number }>();
  #timer: NodeJS.Timeout | undefined;
  readonly #scans = new CoalescedRun(() => this.#scanOnce(), () => this.#stopped);
  #stopped = false;
  #problems: Partial<Record<HidKind, string>> = {};

  constructor(options: HidWatcherOptions) {
    this.#opts = options;
    this.#now = options.now ?? Date.now;
  }

  get problems(): Partial<Record<HidKind, string>> {
    return this.#problems;
  }

  start(): Promise<void> {
    if (this.#opts.pollIntervalMs > 0 && this.#opts.surfaces.length > 0) {
      this.#timer = setInterval(() => void this.rescan(), this.#opts.pollIntervalMs);
      this.#timer.unref();
    }
    return this.rescan();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#scans.settled();
  }

  rescan(): Promise<void> {
    if (this.#stopped || this.#opts.surfaces.length === 0) return Promise.resolve();
    return this.#scans.request();
  }

  async #lists(): Promise<Lists> {
    const needed = new Set(this.#opts.surfaces.flatMap((s) => s.hidKinds()));
    const b = this.#opts.binding;
    const [hid, evdev, decks] = await Promise.allSettled([
      needed.has('hid') ? b.listHid() : Promise.resolve(undefined),
      needed.has('evdev') ? b.listEvdev() : Promise.resolve(undefined),
      needed.has('streamdeck') ? b.listStreamDecks() : Promise.resolve(undefined),
    ]);
    const problems: Partial<Record<HidKind, string>> = {};
    const msg = (r: PromiseRejectedResult): string => (r.reason instanceof Error ? (r.reason.message.split('\n')[0] ?? r.reason.message) : String(r.reason));
    if (hid.status === 'rejected') problems.hid = msg(hid);
    if (evdev.status === 'rejected') problems.evdev = msg(evdev);
    if (decks.status === 'rejected') problems.streamdeck = msg(decks);
    return {
      hid: hid.status === 'fulfilled' ? hid.value : undefined,
      evdev: evdev.status === 'fulfilled' ? evdev.value : undefined,
      streamdeck: decks.status === 'fulfilled' ? decks.value : undefined,
      problems,
    };
  }

  async #scanOnce(): Promise<void> {
    const lists = await this.#lists();
    for (const [kind, reason] of Object.entries(lists.problems)) {
      if (this.#problems[kind as HidKind] !== reason) this.#opts.log.warn({ bus: kind, reason }, 'part of the HID bus is unavailable; the daemon carries on');
    }
    this.#problems = lists.problems;
    const candidates: HidCandidate[] = [
      ...(lists.evdev ?? []).map((info) => ({ kind: 'evdev' as const, info })),
      ...(lists.hid ?? []).map((info) => ({ kind: 'hid' as const, info })),
      ...(lists.streamdeck ?? []).map((info) => ({ kind: 'streamdeck' as const, info })),
    ];
    const present = new Set(candidates.map((c) => `${c.kind}:${c.info.path}`));
    // Vanished devices (a silent unplug).
    for (const s of this.#opts.surfaces) {
      const path = s.attachedPath;
      if (path === undefined) continue;
      const kinds = s.hidKinds();
      const listed = kinds.some((k) => lists[k] === undefined) || kinds.some((k) => present.has(`${k}:${path}`));
      if (!listed) s.detachHid(`device ${path} disappeared; waiting for it to come back`);
    }
    const claimed = new Set(this.#opts.surfaces.flatMap((s) => (s.attachedPath ? [s.attachedPath] : [])));
    for (const s of this.#opts.surfaces) {
      if (s.attachedPath !== undefined || this.#stopped) continue;
      const found = s
        .hidKinds()
        .flatMap((k) => candidates.filter((c) => c.kind === k))
        .filter((c) => !claimed.has(c.info.path) && s.matches(c))
        .sort((a, b) => s.hidKinds().indexOf(a.kind) - s.hidKinds().indexOf(b.kind) || (a.info.path < b.info.path ? -1 : 1))[0];
      if (!found) {
        const why = s
          .hidKinds()
          .map((k) => lists.problems[k])
          .filter((x): x is string => x !== undefined);
        s.portMissing(`no matching device${why.length > 0 ? ` (${why.join('; ')})` : ''}`);
        continue;
      }
      const retry = this.#retryAt.get(s);
      if (retry && this.#now() < retry.at) continue;
      claimed.add(found.info.path);
      await this.#open(s, found);
    }
  }

  async #open(s: HidSurface, c: HidCandidate): Promise<void> {
    const b = this.#opts.binding;
    let attached: AttachedHid;
    try {
      if (c.kind === 'hid') attached = { kind: 'hid', info: c.info, handle: await b.openHid(c.info.path) };
      else if (c.kind === 'evdev') attached = { kind: 'evdev', info: c.info, handle: await b.openEvdev(c.info.path) };
      else attached = { kind: 'streamdeck', info: c.info, handle: await b.openStreamDeck(c.info.path) };
    } catch (err) {
      const failures = (this.#retryAt.get(s)?.failures ?? 0) + 1;
      const delayMs = Math.min(60_000, 1000 * 2 ** (failures - 1));
      this.#retryAt.set(s, { at: this.#now() + delayMs, failures });
      const reason = `cannot open ${c.info.path}: ${err instanceof Error ? err.message : String(err)}; retrying in ${Math.round(delayMs / 1000)} s`;
      this.#opts.log.warn({ surface: s.id, reason }, 'HID open failed');
      s.portMissing(reason);
      return;
    }
    this.#retryAt.delete(s);
    attached.handle.onError(() => void Promise.resolve().then(() => this.rescan()));
    this.#opts.log.info({ surface: s.id, path: c.info.path, via: c.kind }, 'HID surface opened');
    s.attachHid(attached);
  }
}
