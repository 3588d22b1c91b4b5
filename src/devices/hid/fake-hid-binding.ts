import { BridgeError } from '../../errors.ts';
import type {
  EvdevDeviceInfo,
  EvdevEvent,
  EvdevHandle,
  HidBinding,
  HidDeviceHandle,
  HidDeviceInfo,
  StreamDeckControlKind,
  StreamDeckHandle,
  StreamDeckInfo,
} from './binding.ts';

/**
 * An in-process HID world for tests. Each test builds its own. Like node-hid: nothing arrives
 * synchronously, an unplugged device emits `error` on its open handle and vanishes from the
 * list; a part of the bus can be unavailable with a reason (e.g. no /dev/input for evdev).
 */
export interface FakeHidWorldOptions {
  hidUnavailable?: string;
  evdevUnavailable?: string;
  streamDeckUnavailable?: string;
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

export class FakeHidWorld {
  readonly hid = new Set<FakeHidDevice>();
  readonly evdev = new Set<FakeEvdevDevice>();
  readonly decks = new Set<FakeStreamDeck>();
  options: FakeHidWorldOptions;
  #next = 0;

  constructor(options: FakeHidWorldOptions = {}) {
    this.options = { ...options };
  }

  plugHid(info: Omit<HidDeviceInfo, 'path'> & { path?: string }): FakeHidDevice {
    const d = new FakeHidDevice({ ...info, path: info.path ?? `/dev/hidraw${this.#next++}` });
    this.hid.add(d);
    return d;
  }

  plugEvdev(info: Omit<EvdevDeviceInfo, 'path'> & { path?: string }): FakeEvdevDevice {
    const d = new FakeEvdevDevice({ ...info, path: info.path ?? `/dev/input/event${this.#next++}` });
    this.evdev.add(d);
    return d;
  }

  plugStreamDeck(options: { model?: string; keyCount?: number; encoderCount?: number; lcd?: { width: number; height: number }; serialNumber?: string } = {}): FakeStreamDeck {
    const d = new FakeStreamDeck({
      path: `/dev/hidraw${this.#next++}`,
      model: options.model ?? 'original-mk2',
      keyCount: options.keyCount ?? 15,
      encoderCount: options.encoderCount ?? 0,
      ...(options.lcd ? { lcd: options.lcd } : {}),
      ...(options.serialNumber ? { serialNumber: options.serialNumber } : {}),
    });
    this.decks.add(d);
    return d;
  }

  binding(): HidBinding {
    const gate = async (reason: string | undefined, bus: string): Promise<void> => {
      await tick();
      if (reason !== undefined) throw new BridgeError('E_BUS_UNAVAILABLE', reason, { details: { bus } });
    };
    return {
      kind: 'fake',
      listHid: async () => {
        await gate(this.options.hidUnavailable, 'hid');
        return [...this.hid].filter((d) => d.plugged).map((d) => d.info);
      },
      openHid: async (path) => {
        await gate(this.options.hidUnavailable, 'hid');
        const d = [...this.hid].find((x) => x.plugged && x.info.path === path);
        if (!d) throw new BridgeError('E_DEVICE_NOT_FOUND', `HID device ${path} is not present`, { details: { path } });
        return d.open();
      },
      listEvdev: async () => {
        await gate(this.options.evdevUnavailable, 'evdev');
        return [...this.evdev].filter((d) => d.plugged).map((d) => d.info);
      },
      openEvdev: async (path) => {
        await gate(this.options.evdevUnavailable, 'evdev');
        const d = [...this.evdev].find((x) => x.plugged && x.info.path === path);
        if (!d) throw new BridgeError('E_DEVICE_NOT_FOUND', `evdev device ${path} is not present`, { details: { path } });
        return d.open();
      },
      listStreamDecks: async () => {
        await gate(this.options.streamDeckUnavailable, 'streamdeck');
        return [...this.decks].filter((d) => d.plugged).map((d) => d.info);
      },
      openStreamDeck: async (path) => {
        await gate(this.options.streamDeckUnavailable, 'streamdeck');
        const d = [...this.decks].find((x) => x.plugged && x.info.path === path);
        if (!d) throw new BridgeError('E_DEVICE_NOT_FOUND', `Stream Deck ${path} is not present`, { details: { path } });
        return d.open();
      },
      close: async () => {
        await tick();
      },
    };
  }
}

interface Listeners<T> {
  data: Set<(v: T) => void>;
  error: Set<(reason: string) => void>;
}

abstract class FakeDeviceBase<T> {
  plugged = true;
  protected handles = new Set<Listeners<T>>();

  protected emitAll(v: T): void {
    if (!this.plugged) return;
    const targets = [...this.handles];
    setImmediate(() => {
      for (const h of targets) if (this.handles.has(h)) for (const l of h.data) l(v);
    });
  }

  /** Unplug: open handles get `error` (node-hid behaviour), the device leaves the list. */
  unplug(): void {
    this.plugged = false;
    const targets = [...this.handles];
    this.handles.clear();
    setImmediate(() => {
      for (const h of targets) for (const l of h.error) l('device disconnected');
    });
  }

  replug(): void {
    this.plugged = true;
  }

  get openHandles(): number {
    return this.handles.size;
  }
}

export class FakeHidDevice extends FakeDeviceBase<Uint8Array> {
  info: HidDeviceInfo;
  readonly writes: Uint8Array[] = [];
  readonly featureReports: Uint8Array[] = [];
  /** Make feature report writes fail (PowerMate LED writes on a Raspberry Pi, node-powermate #11). */
  failFeatureReports = false;

  constructor(info: HidDeviceInfo) {
    super();
    this.info = info;
  }

  /** The device sends an input report. */
  report(bytes: Uint8Array | readonly number[]): void {
    this.emitAll(Uint8Array.from(bytes));
  }

  open(): HidDeviceHandle {
    const h: Listeners<Uint8Array> = { data: new Set(), error: new Set() };
    this.handles.add(h);
    return {
      onReport: (l) => void h.data.add(l),
      onError: (l) => void h.error.add(l),
      write: async (r) => {
        await tick();
        if (!this.handles.has(h)) throw new BridgeError('E_DEVICE_DISCONNECTED', 'HID device is gone');
        this.writes.push(Uint8Array.from(r));
      },
      sendFeatureReport: async (r) => {
        await tick();
        if (!this.handles.has(h)) throw new BridgeError('E_DEVICE_DISCONNECTED', 'HID device is gone');
        if (this.failFeatureReports) throw new BridgeError('E_DEVICE_UNAVAILABLE', 'could not send feature report to device');
        this.featureReports.push(Uint8Array.from(r));
      },
      close: async () => {
        await tick();
        this.handles.delete(h);
      },
    };
  }
}

export class FakeEvdevDevice extends FakeDeviceBase<EvdevEvent> {
  info: EvdevDeviceInfo;
  readonly written: EvdevEvent[] = [];

  constructor(info: EvdevDeviceInfo) {
    super();
    this.info = info;
  }

  event(e: EvdevEvent): void {
    this.emitAll(e);
  }

  open(): EvdevHandle {
    const h: Listeners<EvdevEvent> = { data: new Set(), error: new Set() };
    this.handles.add(h);
    return {
      onEvent: (l) => void h.data.add(l),
      onError: (l) => void h.error.add(l),
      write: async (e) => {
        await tick();
        if (!this.handles.has(h)) throw new BridgeError('E_DEVICE_DISCONNECTED', 'evdev device is gone');
        this.written.push(e);
      },
      close: async () => {
        await tick();
        this.handles.delete(h);
      },
    };
  }
}

type DeckEvent = { kind: 'down' | 'up'; control: StreamDeckControlKind; index: number } | { kind: 'rotate'; index: number; amount: number };

export class FakeStreamDeck extends FakeDeviceBase<DeckEvent> {
  readonly info: StreamDeckInfo;
  readonly keyCount: number;
  readonly encoderCount: number;
  readonly lcd: { width: number; height: number } | undefined;
  /** Current key colours, [r, g, b] per key. */
  readonly keyColours = new Map<number, [number, number, number]>();
  readonly lcdWrites: { x: number; y: number; width: number; height: number; rgb: Uint8Array }[] = [];
  brightness: number | undefined;

  constructor(o: { path: string; model: string; keyCount: number; encoderCount: number; lcd?: { width: number; height: number }; serialNumber?: string }) {
    super();
    this.info = { path: o.path, model: o.model, ...(o.serialNumber ? { serialNumber: o.serialNumber } : {}) };
    this.keyCount = o.keyCount;
    this.encoderCount = o.encoderCount;
    this.lcd = o.lcd;
  }

  press(index: number, control: StreamDeckControlKind = 'button'): void {
    this.emitAll({ kind: 'down', control, index });
  }
  release(index: number, control: StreamDeckControlKind = 'button'): void {
    this.emitAll({ kind: 'up', control, index });
  }
  rotate(index: number, amount: number): void {
    this.emitAll({ kind: 'rotate', index, amount });
  }

  open(): StreamDeckHandle {
    const h: Listeners<DeckEvent> = { data: new Set(), error: new Set() };
    this.handles.add(h);
    const downs = new Set<(k: StreamDeckControlKind, i: number) => void>();
    const ups = new Set<(k: StreamDeckControlKind, i: number) => void>();
    const rotates = new Set<(i: number, a: number) => void>();
    h.data.add((e) => {
      if (e.kind === 'rotate') for (const l of rotates) l(e.index, e.amount);
      else for (const l of e.kind === 'down' ? downs : ups) l(e.control, e.index);
    });
    const alive = async (): Promise<void> => {
      await tick();
      if (!this.handles.has(h)) throw new BridgeError('E_DEVICE_DISCONNECTED', 'Stream Deck is gone');
    };
    return {
      model: this.info.model,
      productName: `Stream Deck ${this.info.model}`,
      keyCount: this.keyCount,
      encoderCount: this.encoderCount,
      ...(this.lcd ? { lcd: this.lcd } : {}),
      onDown: (l) => void downs.add(l),
      onUp: (l) => void ups.add(l),
      onRotate: (l) => void rotates.add(l),
      onError: (l) => void h.error.add(l),
      fillKeyColor: async (i, r, g, b) => {
        await alive();
        this.keyColours.set(i, [r, g, b]);
      },
      fillLcdRegion: async (x, y, width, height, rgb) => {
        await alive();
        this.lcdWrites.push({ x, y, width, height, rgb: Uint8Array.from(rgb) });
      },
      setBrightness: async (p) => {
        await alive();
        this.brightness = p;
      },
      clearPanel: async () => {
        await alive();
        this.keyColours.clear();
      },
      close: async () => {
        await tick();
        this.handles.delete(h);
      },
    };
  }
}
