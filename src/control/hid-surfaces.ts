import type { SurfaceConfig } from '../config/sections/surfaces.ts';
import { CONTOUR_VID, GRIFFIN_VID, POWERMATE_PIDS } from '../devices/hid/hid-ids.ts';
import { PowerMateDecoder, powermateLedEvent, powermateLedReports, type PowerMateLed } from '../devices/hid/powermate.ts';
import { ReportMapDecoder } from '../devices/hid/report-map.ts';
import { ShuttleDecoder, shuttleModel } from '../devices/hid/shuttle.ts';
import type { ParamChange } from '../params/param-store.ts';
import { HidSurfaceBase, type AttachedHid, type HidCandidate, type HidKind } from './hid-surface-base.ts';
import type { SurfaceContext } from './surface-base.ts';
import type { SurfaceMap } from './surface-map-schema.ts';

/**
 * Latest-wins writer: at most one write in flight, the newest pending value replaces older ones
 * (Companion `ImageWriteQueue` habit), so a fast knob never queues LED writes.
 */
class LatestWins<T> {
  #pending: T | undefined;
  #busy = false;
  readonly #write: (v: T) => Promise<void>;
  readonly #onError: (err: unknown) => void;

  constructor(write: (v: T) => Promise<void>, onError: (err: unknown) => void) {
    this.#write = write;
    this.#onError = onError;
  }

  push(v: T): void {
    this.#pending = v;
    if (!this.#busy) void this.#drain();
  }

  async #drain(): Promise<void> {
    this.#busy = true;
    while (this.#pending !== undefined) {
      const v = this.#pending;
      this.#pending = undefined;
      try {
        await this.#write(v);
      } catch (err) {
        this.#onError(err);
      }
    }
    this.#busy = false;
  }
}

/**
 * Griffin PowerMate: `rotate` (relative) and `button`. The LED shows the rotate-bound value
 * (brightness), or the button-bound toggle, or nothing. On Linux it is read through evdev (no
 * hidraw node: reference §3.1); elsewhere through raw HID, where the LED goes out as node-powermate's
 * feature report (UNSURE on some hosts, reference §3.1). On macOS the PowerMate is also a mouse:
 * rotation moves the pointer unless the OS driver is told to ignore it (Griffin-PowerMate-Driver #10).
 */
export class PowerMateSurface extends HidSurfaceBase {
  readonly #decoder = new PowerMateDecoder();
  #led: LatestWins<PowerMateLed> | undefined;
  #lastLed: string | undefined;

  hidKinds(): readonly HidKind[] {
    return ['evdev', 'hid'];
  }

  protected isKnownDevice(c: HidCandidate): boolean {
    if (c.kind === 'streamdeck') return false;
    return c.info.vendorId === GRIFFIN_VID && (c.info.productId === POWERMATE_PIDS.powermate || c.info.productId === POWERMATE_PIDS.soundKnob);
  }

  protected onAttach(device: AttachedHid, generation: number): void {
    this.#decoder.reset();
    this.#lastLed = undefined;
    const emit = (e: { type: 'button'; pressed: boolean } | { type: 'rotate'; ticks: number }): void => {
      if (generation !== this.generation) return;
      if (e.type === 'rotate') this.input('rotate', { kind: 'relative', ticks: e.ticks }, 'relative');
      else this.input('button', { kind: 'button', pressed: e.pressed }, 'button');
    };
    const fail = (reason: string): void => {
      if (generation === this.generation) this.detachHid(`PowerMate: ${reason}`);
    };
    if (device.kind === 'evdev') {
      device.handle.onEvent((ev) => this.#decoder.decodeEvdev(ev, emit));
      device.handle.onError(fail);
      const h = device.handle;
      this.#led = new LatestWins((led) => h.write(powermateLedEvent(led)), (err) => this.ctx.log.warn({ surface: this.id, err }, 'PowerMate LED write failed'));
    } else if (device.kind === 'hid') {
      device.handle.onReport((r) => this.#decoder.decodeReport(r, emit));
      device.handle.onError(fail);
      const h = device.handle;
      this.#led = new LatestWins(
        async (led) => {
          for (const report of powermateLedReports(led)) await h.sendFeatureReport(report);
        },
        (err) => this.ctx.log.warn({ surface: this.id, err }, 'PowerMate LED write failed (feature reports are unreliable on some hosts)'),
      );
    }
  }

  protected override onDetach(): void {
    this.#led = undefined;
  }

  render(): void {
    const mode = this.map.powermate?.led ?? 'value';
    if (mode === 'off' || !this.#led) return;
    let brightness = 0;
    const rotate = this.bound.get('rotate');
    const button = this.bound.get('button');
    if (mode === 'value' && rotate?.kind === 'param') brightness = Math.round((rotate.binding.controlPosition() ?? 0) * 255);
    if (mode === 'toggle' && button?.kind === 'param') brightness = button.binding.isOn() ? 255 : 0;
    const led: PowerMateLed = { brightness };
    const key = JSON.stringify(led);
    if (key === this.#lastLed) return;
    this.#lastLed = key;
    this.#led.push(led);
  }

  onParamChanges(changes: readonly ParamChange[]): void {
    const ids = new Set(changes.map((c) => c.id));
    for (const b of this.bound.values()) if (b.kind === 'param' && ids.has(b.binding.spec.param)) return this.render();
  }
}

/**
 * Contour ShuttlePro v1/v2 and ShuttleXpress: `ring` (absolute -7..+7 mapped to 0..1, or, bound
 * relative, repeating ticks at a rate set by the deflection, the way Companion offers it),
 * `jog` (relative, wrap-aware), `button1`-`button15`. No outputs.
 */
export class ShuttleSurface extends HidSurfaceBase {
  #decoder: ShuttleDecoder | undefined;
  #ringTimer: NodeJS.Timeout | undefined;
  #ring = 0;

  hidKinds(): readonly HidKind[] {
    return ['hid'];
  }

  protected isKnownDevice(c: HidCandidate): boolean {
    return c.kind === 'hid' && c.info.vendorId === CONTOUR_VID && shuttleModel(c.info.productId) !== undefined;
  }

  protected onAttach(device: AttachedHid, generation: number): void {
    if (device.kind !== 'hid') return;
    this.#decoder = new ShuttleDecoder(shuttleModel(device.info.productId) ?? 'shuttleProV2');
    device.handle.onReport((r) =>
      this.#decoder?.decode(r, (e) => {
        if (generation !== this.generation) return;
        if (e.type === 'jog') this.input('jog', { kind: 'relative', ticks: e.ticks }, 'relative');
        else if (e.type === 'button') this.input(`button${e.button}`, { kind: 'button', pressed: e.pressed }, 'button');
        else this.#onRing(e.position);
      }),
    );
    device.handle.onError((reason) => {
      if (generation === this.generation) this.detachHid(`Shuttle: ${reason}`);
    });
  }

  #onRing(position: number): void {
    this.#ring = position;
    const bound = this.bound.get('ring');
    if (bound?.kind === 'param' && bound.binding.spec.mode === 'relative') {
      clearInterval(this.#ringTimer);
      this.#ringTimer = undefined;
      if (position === 0) return;
      this.input('ring', { kind: 'relative', ticks: position }, 'relative');
      const every = this.map.shuttle?.ringIntervalMs ?? 100;
      this.#ringTimer = setInterval(() => {
        if (this.#ring !== 0) this.apply('ring', { kind: 'relative', ticks: this.#ring });
      }, every);
      this.#ringTimer.unref();
      return;
    }
    this.input('ring', { kind: 'absolute', value: (position + 7) / 14, raw: position }, 'absolute');
  }

  protected override onDetach(): void {
    clearInterval(this.#ringTimer);
    this.#ringTimer = undefined;
    this.#ring = 0;
  }

  render(): void {}
  onParamChanges(): void {}
}

/**
 * Elgato Stream Deck through `@elgato-stream-deck/node`: keys (`key1`…), and on a Plus the
 * encoders (`encoder1`…, relative) and their pushes (`encoderPush1`…). Keys show their state as
 * a colour (lit = bound toggle on / current page); a Plus draws a value bar per encoder on its
 * LCD strip. Writes are latest-wins per key.
 */
export class StreamDeckSurface extends HidSurfaceBase {
  readonly #keyWriters = new Map<number, LatestWins<[number, number, number]>>();
  readonly #keySent = new Map<number, string>();
  readonly #barSent = new Map<number, number>();
  #lcdWriter: LatestWins<{ index: number; pos: number }> | undefined;

  hidKinds(): readonly HidKind[] {
    return ['streamdeck'];
  }

  protected isKnownDevice(c: HidCandidate): boolean {
    return c.kind === 'streamdeck';
  }

  protected onAttach(device: AttachedHid, generation: number): void {
    if (device.kind !== 'streamdeck') return;
    const h = device.handle;
    this.#keyWriters.clear();
    this.#keySent.clear();
    this.#barSent.clear();
    const live = (): boolean => generation === this.generation;
    h.onDown((kind, i) => live() && this.input(kind === 'encoder' ? `encoderPush${i + 1}` : `key${i + 1}`, { kind: 'button', pressed: true }, 'button'));
    h.onUp((kind, i) => live() && this.input(kind === 'encoder' ? `encoderPush${i + 1}` : `key${i + 1}`, { kind: 'button', pressed: false }, 'button'));
    h.onRotate((i, amount) => live() && this.input(`encoder${i + 1}`, { kind: 'relative', ticks: amount }, 'relative'));
    h.onError((reason) => live() && this.detachHid(`Stream Deck: ${reason}`));
    void h.setBrightness(this.map.streamdeck?.brightness ?? 70).catch(() => undefined);
    const lcd = h.lcd;
    if (lcd && h.encoderCount > 0) {
      const segment = Math.floor(lcd.width / h.encoderCount);
      this.#lcdWriter = new LatestWins(
        ({ index, pos }) => h.fillLcdRegion(index * segment, 0, segment, lcd.height, valueBar(segment, lcd.height, pos)),
        (err) => this.ctx.log.warn({ surface: this.id, err }, 'Stream Deck LCD write failed'),
      );
    }
  }

  protected override onDetach(): void {
    this.#lcdWriter = undefined;
  }

  #keyColour(control: string): [number, number, number] {
    const b = this.bound.get(control);
    if (!b) return [0, 0, 0];
    if (b.kind === 'param') return b.binding.isOn() ? [0, 170, 70] : [25, 25, 25];
    if (b.binding.action === 'page') return this.page?.id === b.binding.target ? [0, 90, 220] : [0, 20, 60];
    return [120, 80, 0];
  }

  render(): void {
    const a = this.attached;
    if (a?.kind !== 'streamdeck') return;
    for (let i = 0; i < a.handle.keyCount; i++) this.#writeKey(i);
    for (let i = 0; i < a.handle.encoderCount; i++) this.#writeBar(i);
  }

  #writeKey(i: number): void {
    const a = this.attached;
    if (a?.kind !== 'streamdeck') return;
    const rgb = this.#keyColour(`key${i + 1}`);
    const key = rgb.join(',');
    if (this.#keySent.get(i) === key) return;
    this.#keySent.set(i, key);
    let w = this.#keyWriters.get(i);
    if (!w) {
      const h = a.handle;
      w = new LatestWins(([r, g, b]) => h.fillKeyColor(i, r, g, b), (err) => this.ctx.log.warn({ surface: this.id, err }, 'Stream Deck key write failed'));
      this.#keyWriters.set(i, w);
    }
    w.push(rgb);
  }

  #writeBar(i: number): void {
    const b = this.bound.get(`encoder${i + 1}`);
    if (!this.#lcdWriter || b?.kind !== 'param') return;
    const pos = b.binding.controlPosition() ?? 0;
    if (this.#barSent.get(i) === pos) return;
    this.#barSent.set(i, pos);
    this.#lcdWriter.push({ index: i, pos });
  }

  onParamChanges(changes: readonly ParamChange[]): void {
    const ids = new Set(changes.map((c) => c.id));
    for (const b of this.bound.values()) if (b.kind === 'param' && ids.has(b.binding.spec.param)) return this.render();
  }

  protected override onPageChanged(): void {
    this.#keySent.clear();
  }
}

/** An RGB value bar (white on dark grey), `pos` 0..1 of the width. */
export function valueBar(width: number, height: number, pos: number): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  const fill = Math.round(Math.max(0, Math.min(1, pos)) * width);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      const v = x < fill && y > height * 0.3 && y < height * 0.7 ? 230 : 30;
      rgb[o] = v;
      rgb[o + 1] = v;
      rgb[o + 2] = v;
    }
  }
  return rgb;
}

/** Any HID controller described by the map's report map (`hid.fields`). */
export class HidReportSurface extends HidSurfaceBase {
  readonly #decoder: ReportMapDecoder;

  constructor(config: SurfaceConfig, map: SurfaceMap, ctx: SurfaceContext) {
    super(config, map, ctx);
    this.#decoder = new ReportMapDecoder({ ...(map.hid?.reportId !== undefined ? { reportId: map.hid.reportId } : {}), fields: map.hid?.fields ?? [] });
  }

  hidKinds(): readonly HidKind[] {
    return ['hid'];
  }

  protected isKnownDevice(): boolean {
    // A generic map has no default ids: the configured pattern decides.
    return this.pattern !== undefined;
  }

  protected onAttach(device: AttachedHid, generation: number): void {
    if (device.kind !== 'hid') return;
    this.#decoder.reset();
    device.handle.onReport((r) =>
      this.#decoder.decode(r, (e) => {
        if (generation !== this.generation) return;
        if (e.type === 'absolute') this.input(e.field, { kind: 'absolute', value: e.normalised, raw: e.value }, 'absolute');
        else if (e.type === 'relative') this.input(e.field, { kind: 'relative', ticks: e.ticks }, 'relative');
        else this.input(e.field, { kind: 'button', pressed: e.pressed }, 'button');
      }),
    );
    device.handle.onError((reason) => {
      if (generation === this.generation) this.detachHid(`HID: ${reason}`);
    });
  }

  render(): void {}
  onParamChanges(): void {}
}
