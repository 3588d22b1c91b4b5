import path from 'node:path';
import type { SurfaceConfig } from '../config/sections/surfaces.ts';
import type { DeviceStatusReporter } from '../devices/device-status.ts';
import type { HidBinding } from '../devices/hid/binding.ts';
import type { MidiBinding } from '../devices/midi/binding.ts';
import type { RelativeEncoding } from '../devices/midi/relative-encoding.ts';
import type { MeterFeed } from '../engine/meter-snapshot.ts';
import { BridgeError, isBridgeError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { ParamStore } from '../params/param-store.ts';
import type { ActionSink } from './action-sink.ts';
import { GenericMidiSurface } from './generic-midi-surface.ts';
import type { HidSurfaceBase } from './hid-surface-base.ts';
import { HidReportSurface, PowerMateSurface, ShuttleSurface, StreamDeckSurface } from './hid-surfaces.ts';
import { HidWatcher } from './hid-watcher.ts';
import { Learn, type LearnArmOptions, type LearnedBinding } from './learn.ts';
import { McuSurface, type MidiSurface } from './mcu-surface.ts';
import { MidiPortWatcher } from './midi-port-watcher.ts';
import type { BindingMode } from './param-binding.ts';
import type { SurfaceBase, SurfaceContext, SurfaceStatusInfo } from './surface-base.ts';
import { checkBindingControl, loadSurfaceMap, loadUserLayer, mergeUserLayer, resolveMapFile, saveUserLayer } from './surface-map-loader.ts';
import type { SurfaceMap, UserLayer } from './surface-map-schema.ts';

export interface SurfaceManagerOptions {
  readonly store: ParamStore;
  readonly surfaces: readonly SurfaceConfig[];
  /** Folder of the shipped maps (`config/surfaces`). */
  readonly mapsDir: string;
  /** The daemon's data dir: learned bindings go to `<dataDir>/surfaces/<surfaceId>.user.yaml`. */
  readonly dataDir: string;
  readonly log: Logger;
  readonly report: DeviceStatusReporter;
  readonly midi: MidiBinding;
  readonly hid: HidBinding;
  readonly actions: ActionSink;
  readonly meters?: MeterFeed;
  /** Port poll period (default 1000 ms; 0 = only on `rescan()`, for tests). */
  readonly pollIntervalMs?: number;
  /** Clock for reconnect backoff (tests). */
  readonly now?: () => number;
}

/** The learn API the lead exposes (HTTP now, the tablet button later). */
export interface LearnApi {
  /** Arm learn on a parameter: resolves with the created binding, or rejects E_LEARN_TIMEOUT / E_LEARN_CANCELLED. */
  arm(paramId: string, options?: LearnArmOptions): Promise<LearnedBinding>;
  cancel(): void;
  /** Correct the encoding / mode of a learned binding (the guess is not always right). */
  confirm(surfaceId: string, control: string, change: { encoding?: RelativeEncoding; mode?: BindingMode }): Promise<LearnedBinding>;
  readonly armed: string | undefined;
}

/**
 * Composition root of the control surfaces: loads every surface map (shipped + learned user
 * layer), builds the surfaces, keeps them connected (MIDI and HID watchers), routes parameter
 * changes to their feedback, and offers MIDI learn. A bus or a device that cannot work is
 * reported through `report` with a one-line reason; nothing here throws after `start()`.
 */
export class SurfaceManager {
  readonly #opts: SurfaceManagerOptions;
  readonly #surfaces: SurfaceBase[] = [];
  readonly #shipped = new Map<string, SurfaceMap>();
  readonly #layers = new Map<string, UserLayer>();
  #midiWatcher: MidiPortWatcher | undefined;
  #hidWatcher: HidWatcher | undefined;
  #unwatch: (() => void) | undefined;
  #onRegistry: (() => void) | undefined;
  readonly #learn: Learn;
  readonly learn: LearnApi;
  #started = false;

  constructor(options: SurfaceManagerOptions) {
    this.#opts = options;
    this.#learn = new Learn(options.store, {
      surfaces: () => this.#surfaces,
      persist: (surface, learned) => this.#persist(surface, learned),
      amend: (surfaceId, control, change) => this.#amend(surfaceId, control, change),
    });
    const learn = this.#learn;
    this.learn = {
      arm: (paramId, o) => learn.arm(paramId, o),
      cancel: () => learn.cancel(),
      confirm: (s, c, ch) => learn.confirm(s, c, ch),
      get armed() {
        return learn.armed;
      },
    };
  }

  /**
   * Load the maps and start. Map errors (file:line) reject with E_SURFACE_MAP, like config
   * errors; devices and buses that are missing do not reject (they show in `surfaces()`).
   */
  async start(): Promise<void> {
    if (this.#started) return;
    const problems: string[] = [];
    const ctx: SurfaceContext = {
      store: this.#opts.store,
      log: this.#opts.log,
      actions: this.#opts.actions,
      report: this.#opts.report,
      ...(this.#opts.meters ? { meters: this.#opts.meters } : {}),
    };
    for (const cfg of this.#opts.surfaces) {
      try {
        const loaded = await loadSurfaceMap(resolveMapFile(this.#opts.mapsDir, cfg.map), cfg.type);
        const layer = await loadUserLayer(this.#userFile(cfg.id));
        this.#shipped.set(cfg.id, loaded.map);
        if (layer) this.#layers.set(cfg.id, layer);
        this.#surfaces.push(createSurface(cfg, mergeUserLayer(loaded.map, layer), ctx));
      } catch (err) {
        if (isBridgeError(err)) problems.push(err.message);
        else throw err;
      }
    }
    if (problems.length > 0) {
      throw new BridgeError('E_SURFACE_MAP', problems.join('\n'), { details: { problems } });
    }
    this.#started = true;
    for (const s of this.#surfaces) {
      const unknown = s.unknownParams();
      if (unknown.length > 0) this.#opts.log.warn({ surface: s.id, params: unknown }, 'surface map binds parameters that are not registered (inactive until they are)');
    }
    this.#unwatch = this.#opts.store.watch((changes, source) => {
      for (const s of this.#surfaces) {
        try {
          s.onParamChanges(changes, source);
        } catch (err) {
          this.#opts.log.error({ surface: s.id, err }, 'surface feedback failed');
        }
      }
    });
    this.#onRegistry = () => {
      for (const s of this.#surfaces) s.render();
    };
    this.#opts.store.on('registry', this.#onRegistry);
    const poll = this.#opts.pollIntervalMs ?? 1000;
    const midiSurfaces = this.#surfaces.filter((s): s is SurfaceBase & MidiSurface => s instanceof McuSurface || s instanceof GenericMidiSurface);
    const hidSurfaces = this.#surfaces.filter((s): s is HidSurfaceBase => !(s instanceof McuSurface || s instanceof GenericMidiSurface));
    const clock = this.#opts.now ? { now: this.#opts.now } : {};
    this.#midiWatcher = new MidiPortWatcher({ binding: this.#opts.midi, surfaces: midiSurfaces, log: this.#opts.log, pollIntervalMs: poll, ...clock });
    this.#hidWatcher = new HidWatcher({ binding: this.#opts.hid, surfaces: hidSurfaces, log: this.#opts.log, pollIntervalMs: poll, ...clock });
    for (const s of this.#surfaces) if (s instanceof McuSurface) s.startMeters();
    await Promise.all([this.#midiWatcher.start(), this.#hidWatcher.start()]);
  }

  /** Stop watching and close every port. The bindings themselves stay open (their owner closes them). */
  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    this.#learn.cancel();
    this.#unwatch?.();
    if (this.#onRegistry) this.#opts.store.off('registry', this.#onRegistry);
    await Promise.allSettled([this.#midiWatcher?.stop(), this.#hidWatcher?.stop()]);
    await Promise.allSettled(this.#surfaces.map((s) => s.stop()));
  }

  /** Scan the buses now (also runs every poll period). */
  async rescan(): Promise<void> {
    await Promise.all([this.#midiWatcher?.rescan(), this.#hidWatcher?.rescan()]);
  }

  surfaces(): SurfaceStatusInfo[] {
    return this.#surfaces.map((s) => s.info());
  }

  /** Current page of every surface with pages, for snapshots (`SessionSnapshots.surfacePages`). */
  pages(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const s of this.#surfaces) {
      const p = s.page;
      if (p) out[s.id] = p.id;
    }
    return out;
  }

  /** Put surfaces back on the pages a snapshot saved; unknown surfaces or pages are ignored. */
  setPages(pages: Readonly<Record<string, string>>): void {
    for (const s of this.#surfaces) {
      const id = pages[s.id];
      if (id !== undefined) s.selectPageById(id);
    }
  }

  /** The live surface object (the tablet's surface page; tests). */
  surface(id: string): SurfaceBase | undefined {
    return this.#surfaces.find((s) => s.id === id);
  }

  #userFile(surfaceId: string): string {
    return path.join(this.#opts.dataDir, 'surfaces', `${surfaceId}.user.yaml`);
  }

  async #save(surface: SurfaceBase, layer: UserLayer): Promise<string> {
    const file = this.#userFile(surface.id);
    await saveUserLayer(file, layer);
    this.#layers.set(surface.id, layer);
    const shipped = this.#shipped.get(surface.id);
    if (shipped) surface.setMap(mergeUserLayer(shipped, layer));
    return file;
  }

  async #persist(surface: SurfaceBase, learned: Omit<LearnedBinding, 'file'>): Promise<{ file: string; page?: string; slot?: number }> {
    const layer: UserLayer = structuredClone(this.#layers.get(surface.id) ?? { version: 1, bindings: [], strips: [] });
    const strip = /^(vpot|fader)(\d+)$/.exec(learned.control);
    const page = surface.page;
    if (surface instanceof McuSurface && strip && page) {
      const control = strip[1] as 'vpot' | 'fader';
      const slot = surface.offset + Number(strip[2]);
      layer.strips = layer.strips.filter((s) => !(s.page === page.id && s.slot === slot && s.control === control));
      layer.strips.push({ page: page.id, slot, param: learned.param, control });
      // A learned strip replaces any learned binding of that control.
      layer.bindings = layer.bindings.filter((b) => b.control !== learned.control);
      return { file: await this.#save(surface, layer), page: page.id, slot };
    }
    layer.bindings = layer.bindings.filter((b) => !(b.control === learned.control && b.page === undefined));
    layer.bindings.push({
      control: learned.control,
      param: learned.param,
      mode: learned.mode,
      ...(learned.encoding !== undefined ? { encoding: learned.encoding } : {}),
    });
    return { file: await this.#save(surface, layer) };
  }

  async #amend(surfaceId: string, control: string, change: { encoding?: RelativeEncoding; mode?: BindingMode }): Promise<LearnedBinding> {
    const surface = this.surface(surfaceId);
    const layer = this.#layers.get(surfaceId);
    const index = layer?.bindings.findIndex((b) => b.control === control && b.page === undefined) ?? -1;
    if (!surface || !layer || index < 0) {
      throw new BridgeError('E_SURFACE_MAP', `no learned binding for control "${control}" on surface "${surfaceId}"`, { details: { surfaceId, control } });
    }
    const next: UserLayer = structuredClone(layer);
    const b = next.bindings[index] as UserLayer['bindings'][number];
    if (change.mode !== undefined) b.mode = change.mode;
    if (change.encoding !== undefined) {
      b.encoding = change.encoding;
      b.mode = change.mode ?? 'relative';
    }
    let problem: string | undefined;
    checkBindingControl(surface.type, b, undefined, (m) => (problem = m));
    if (problem !== undefined) throw new BridgeError('E_SURFACE_MAP', problem, { details: { surfaceId, control } });
    const file = await this.#save(surface, next);
    return {
      surfaceId,
      control,
      param: b.param as string,
      mode: b.mode ?? 'absolute',
      ...(b.encoding !== undefined ? { encoding: b.encoding } : {}),
      guess: { mode: b.mode === 'relative' ? 'relative' : 'absolute', ...(b.encoding !== undefined ? { encoding: b.encoding } : {}), candidates: [], confidence: 1 },
      values: [],
      file,
    };
  }
}

function createSurface(cfg: SurfaceConfig, map: SurfaceMap, ctx: SurfaceContext): SurfaceBase {
  switch (cfg.type) {
    case 'mcu':
      return new McuSurface(cfg, map, ctx);
    case 'midi':
      return new GenericMidiSurface(cfg, map, ctx);
    case 'powermate':
      return new PowerMateSurface(cfg, map, ctx);
    case 'shuttle':
      return new ShuttleSurface(cfg, map, ctx);
    case 'streamdeck':
      return new StreamDeckSurface(cfg, map, ctx);
    case 'hid':
      return new HidReportSurface(cfg, map, ctx);
  }
}
