import type { SurfaceConfig } from '../config/sections/surfaces.ts';
import type { MidiInputPort, MidiOutputPort } from '../devices/midi/binding.ts';
import { MCU_BUTTONS, MCU_STRIP_BUTTON_BASE, type McuStripButton } from '../devices/midi/mcu-buttons.ts';
import type { McuInput } from '../devices/midi/mcu-decoder.ts';
import { MCU_MODEL, type RingMode, type XTouchColour } from '../devices/midi/mcu-protocol.ts';
import { McuUnit, type McuUnitOptions, type McuUnitStatus } from '../devices/midi/mcu-unit.ts';
import { PortPattern } from '../devices/midi/port-pattern.ts';
import type { ParamChange } from '../params/param-store.ts';
import { formatValue } from '../params/taper.ts';
import { fitLabel, fitValue } from './display-text.ts';
import { ParamBinding } from './param-binding.ts';
import { SurfaceBase, type BoundControl, type SurfaceContext } from './surface-base.ts';
import type { StripInput, SurfaceMap } from './surface-map-schema.ts';
import { DEFAULT_METERS, StripMeters } from './strip-meters.ts';

export interface MidiEndpoint {
  /** `main`, `ext`. */
  readonly key: string;
  readonly input: PortPattern;
  readonly output: PortPattern;
  /** Whether the surface works without this endpoint's output port. */
  readonly outputOptional?: boolean;
}

/** Everything a surface on the MIDI bus offers the port watcher. */
export interface MidiSurface {
  readonly id: string;
  midiEndpoints(): readonly MidiEndpoint[];
  attachMidi(key: string, input: MidiInputPort, output: MidiOutputPort | undefined): void;
  detachMidi(key: string, reason: string): void;
  /** A port for the endpoint is not (or no longer) present. */
  portMissing(key: string, reason: string): void;
}

interface StripRuntime {
  readonly slot: StripInput | undefined;
  readonly vpot: ParamBinding | undefined;
  readonly fader: ParamBinding | undefined;
  readonly buttons: ReadonlyMap<McuStripButton, BoundControl>;
  readonly ring: RingMode | undefined;
  readonly colour: XTouchColour;
  readonly label: string | undefined;
}

export interface McuSurfaceOptions {
  /** Clock for meter refresh (tests). */
  readonly now?: () => number;
}

/**
 * A Mackie Control surface (X-Touch, MCU Pro, Logic Control) with an optional extender: 8 or 16
 * strips showing the parameters of the current page. V-Pots are relative (sign-magnitude),
 * faders absolute and motorised, scribble strips show name and value, rings the value, meters
 * the stage meters. Bank buttons page, channel buttons scroll one strip.
 *
 * Feedback rules (reference §0.1, complaint #6/#7): a change from a control is never sent back
 * to that control (its fader already stands there); displays (rings, scribble strips, LEDs)
 * always show the value, whoever changed it; a touched fader is never moved, and gets the final
 * value on release.
 */
export class McuSurface extends SurfaceBase implements MidiSurface {
  readonly units: McuUnit[];
  readonly #unitPorts: (string[] | undefined)[];
  readonly #missing: (string | undefined)[];
  readonly #model: 'xtouch' | 'mcu' | 'logic';
  #offset = 0;
  #strips: StripRuntime[] = [];
  #everOnline = false;
  readonly #meters: StripMeters;
  #meterUnsub: (() => void) | undefined;
  readonly #now: () => number;

  constructor(config: SurfaceConfig, map: SurfaceMap, ctx: SurfaceContext, options: McuSurfaceOptions = {}) {
    super(config, map, ctx);
    this.#now = options.now ?? Date.now;
    const mcu = map.mcu ?? { model: 'xtouch' as const };
    this.#model = mcu.model;
    const unitCount = config.extender ? 2 : 1;
    const mainModel = mcu.model === 'logic' ? MCU_MODEL.logicControl : MCU_MODEL.mackieControl;
    const extModel = mcu.model === 'logic' ? MCU_MODEL.logicControlXt : MCU_MODEL.mackieControlXt;
    this.units = [];
    for (let u = 0; u < unitCount; u++) {
      const options: McuUnitOptions = {
        model: u === 0 ? mainModel : extModel,
        colours: mcu.model === 'xtouch',
        lcdCellChars: mcu.model === 'xtouch' ? 7 : 6,
        faderTop: mcu.faderTop ?? 0x3fff,
        ...(mcu.touchSensitivity !== undefined ? { touchSensitivity: mcu.touchSensitivity } : {}),
        onlineTimeoutMs: mcu.onlineTimeoutMs ?? 300,
        ...(mcu.keepAliveMs !== undefined ? { keepAliveMs: mcu.keepAliveMs } : {}),
        meters: ctx.meters !== undefined,
        echoGuard: map.echoGuard,
      };
      this.units.push(
        new McuUnit(options, {
          input: (ev) => this.#onUnitInput(u, ev),
          status: (s, reason) => this.#onUnitStatus(u, s, reason),
        }),
      );
    }
    this.#unitPorts = this.units.map(() => undefined);
    this.#missing = this.units.map(() => undefined);
    const meterSources = mcu.meters ?? DEFAULT_METERS;
    this.#meters = new StripMeters(
      meterSources.filter((m) => m.strip <= this.stripCount),
      (strip, level) => this.units[strip >> 3]?.meter(strip & 7, level),
    );
    this.compile();
    this.render();
  }

  get stripCount(): number {
    return this.units.length * 8;
  }

  /** Start meter updates (called by the manager once the surface exists). */
  startMeters(): void {
    if (!this.ctx.meters || this.#meterUnsub) return;
    this.#meterUnsub = this.ctx.meters.subscribe((snap) => {
      if (this.units.some((u) => u.online)) this.#meters.update(snap, this.#now());
    });
  }

  midiEndpoints(): MidiEndpoint[] {
    const sim = this.config.match === 'sim';
    const main = sim ? new PortPattern(`/^sim:${this.id}$/`) : new PortPattern(this.config.match);
    const out: MidiEndpoint[] = [{ key: 'main', input: main, output: this.config.outputMatch && !sim ? new PortPattern(this.config.outputMatch) : main }];
    if (this.units.length > 1) {
      const ext = sim ? new PortPattern(`/^sim:${this.id}-ext$/`) : new PortPattern(this.config.extender as string);
      out.push({ key: 'ext', input: ext, output: ext });
    }
    return out;
  }

  attachMidi(key: string, input: MidiInputPort, output: MidiOutputPort | undefined): void {
    const u = key === 'ext' ? 1 : 0;
    const unit = this.units[u];
    if (!unit || !output) return;
    this.#unitPorts[u] = [input.name, output.name];
    this.#missing[u] = undefined;
    this.#meters.reset();
    unit.attach(input, output);
  }

  detachMidi(key: string, reason: string): void {
    const u = key === 'ext' ? 1 : 0;
    this.units[u]?.detach();
    this.#unitPorts[u] = undefined;
    this.#missing[u] = reason;
    this.#updateStatus();
  }

  portMissing(key: string, reason: string): void {
    const u = key === 'ext' ? 1 : 0;
    if (this.#missing[u] === reason && this.units[u]?.status === 'detached') return;
    this.#missing[u] = reason;
    this.#updateStatus();
  }

  ports(): string[] {
    return this.#unitPorts.flatMap((p) => p ?? []);
  }

  protected override firmware(): string | undefined {
    return this.units[0]?.version;
  }

  async stop(): Promise<void> {
    this.#meterUnsub?.();
    this.#meterUnsub = undefined;
    for (const u of this.units) u.detach();
    await Promise.resolve();
  }

  // ---- pages and strips ------------------------------------------------------------------

  protected override onPageChanged(): void {
    this.#offset = 0;
  }

  protected override scroll(delta: number): void {
    const strips = this.page ? (this.map.pages[this.pageIndex]?.strips ?? []) : [];
    const max = Math.max(0, strips.length - this.stripCount);
    const next = Math.max(0, Math.min(max, this.#offset + delta));
    if (next === this.#offset) return;
    this.#offset = next;
    this.compile();
    this.render();
  }

  get offset(): number {
    return this.#offset;
  }

  protected override compileExtra(bound: Map<string, BoundControl>): void {
    const page = this.map.pages[this.pageIndex];
    const pageControls = new Set((page?.bindings ?? []).map((b) => b.control));
    const slots = page?.strips ?? [];
    this.#strips = [];
    for (let s = 0; s < this.stripCount; s++) {
      const n = s + 1;
      const slot = slots[this.#offset + s];
      const tuning = slot
        ? {
            ...(slot.step !== undefined ? { step: slot.step } : {}),
            ...(slot.stepNormalised !== undefined ? { stepNormalised: slot.stepNormalised } : {}),
            ...(slot.acceleration !== undefined ? { acceleration: slot.acceleration } : {}),
            ...(slot.fineDivisor !== undefined ? { fineDivisor: slot.fineDivisor } : {}),
            ...(slot.invert !== undefined ? { invert: slot.invert } : {}),
            ...(slot.range !== undefined ? { range: slot.range } : {}),
          }
        : {};
      const vpot = slot?.param
        ? new ParamBinding(this.bindingSpec({ control: `vpot${n}`, param: slot.param, mode: 'relative', ...tuning }), this.ctx.store, this.sourceOf(`vpot${n}`))
        : undefined;
      const faderParam = slot?.fader === false ? undefined : (slot?.fader ?? slot?.param);
      const fader = faderParam
        ? new ParamBinding(
            this.bindingSpec({
              control: `fader${n}`,
              param: faderParam,
              mode: 'absolute',
              // Motorised: the fader always shows the value, so no takeover is needed.
              takeover: 'immediate',
              ...(slot?.range !== undefined ? { range: slot.range } : {}),
              ...(slot?.invert !== undefined ? { invert: slot.invert } : {}),
              ...(slot?.curve !== undefined ? { curve: slot.curve } : {}),
            }),
            this.ctx.store,
            this.sourceOf(`fader${n}`),
          )
        : undefined;
      const buttons = new Map<McuStripButton, BoundControl>();
      for (const name of ['rec', 'solo', 'mute', 'select'] as const) {
        const btn = slot?.buttons?.[name];
        if (!btn) continue;
        const control = `${name}${n}`;
        if (btn.action !== undefined) {
          buttons.set(name, {
            kind: 'action',
            binding: { control, action: btn.action, ...(btn.slot !== undefined ? { slot: btn.slot } : {}), ...(btn.target !== undefined ? { target: btn.target } : {}) },
          });
        } else if (btn.param !== undefined) {
          const spec = this.bindingSpec({ control, param: btn.param, mode: btn.mode ?? 'toggle', ...(btn.value !== undefined ? { value: btn.value } : {}) });
          buttons.set(name, { kind: 'param', binding: new ParamBinding(spec, this.ctx.store, this.sourceOf(control)) });
        }
      }
      const set = (control: string, b: BoundControl): void => {
        if (!pageControls.has(control)) bound.set(control, b);
      };
      if (vpot) set(`vpot${n}`, { kind: 'param', binding: vpot });
      if (fader) set(`fader${n}`, { kind: 'param', binding: fader });
      if (vpot && slot?.push !== 'none') {
        const control = `vpotPush${n}`;
        set(control, { kind: 'param', binding: new ParamBinding(this.bindingSpec({ control, param: vpot.spec.param, mode: 'reset' }), this.ctx.store, this.sourceOf(control)) });
      }
      for (const [name, b] of buttons) set(`${name}${n}`, b);
      this.#strips.push({
        slot,
        vpot,
        fader,
        buttons,
        ring: slot?.ring,
        colour: slot?.colour ?? (slot?.param ? 'white' : 'off'),
        label: slot?.label,
      });
    }
  }

  /** What a strip shows (tests and the status API). */
  stripView(strip: number): { param?: string; upper: string; lower: string } {
    const unit = this.units[strip >> 3];
    const rt = this.#strips[strip];
    if (!unit || !rt) return { upper: '', lower: '' };
    const [upper, lower] = unit.lcdText();
    const l = strip & 7;
    return {
      ...(rt.vpot ? { param: rt.vpot.spec.param } : {}),
      upper: upper.slice(l * 7, l * 7 + 7).trimEnd(),
      lower: lower.slice(l * 7, l * 7 + 7).trimEnd(),
    };
  }

  render(): void {
    for (let s = 0; s < this.stripCount; s++) this.#renderStrip(s, undefined);
    this.#renderGlobal();
  }

  #cellChars(): number {
    return this.#model === 'xtouch' ? 7 : 6;
  }

  #renderStrip(s: number, source: string | undefined): void {
    const unit = this.units[s >> 3];
    const rt = this.#strips[s];
    if (!unit || !rt) return;
    const l = s & 7;
    const vSpec = rt.vpot?.paramSpec();
    const fSpec = rt.fader?.paramSpec();
    const width = this.#cellChars();
    if (!rt.slot || (!vSpec && !fSpec)) {
      const missing = rt.slot?.param ?? (typeof rt.slot?.fader === 'string' ? rt.slot.fader : undefined);
      unit.setStripText(l, 0, missing ? fitLabel(rt.label ?? missing.split('.').pop() ?? '', width) : '');
      unit.setStripText(l, 1, missing ? '--' : '');
      unit.setRing(l, 'dot', undefined);
      unit.setFader(l, 0);
      unit.setColour(l, missing ? 'red' : 'off');
      for (const name of ['rec', 'solo', 'mute', 'select'] as const) unit.setLed(MCU_STRIP_BUTTON_BASE[name] + l, 'off');
      return;
    }
    const shown = vSpec ?? fSpec;
    const binding = rt.vpot ?? rt.fader;
    if (shown && binding) {
      const value = this.ctx.store.get(shown.id);
      unit.setStripText(l, 0, fitLabel(rt.label ?? shown.label, width));
      unit.setStripText(l, 1, fitValue(formatValue(shown, value), width));
      const mode: RingMode = rt.ring ?? (shown.min < 0 && shown.max > 0 ? 'boostCut' : 'wrap');
      // The centre LED marks "at default" (0 dB on a gain), handy when mastering blind.
      unit.setRing(l, mode, binding.controlPosition(), Math.abs(value - shown.default) < 1e-9);
    }
    if (rt.fader && fSpec && !(source !== undefined && rt.fader.isEcho(source))) {
      unit.setFader(l, rt.fader.controlPosition() ?? 0);
    }
    unit.setColour(l, rt.colour);
    for (const name of ['rec', 'solo', 'mute', 'select'] as const) {
      const b = rt.buttons.get(name);
      unit.setLed(MCU_STRIP_BUTTON_BASE[name] + l, b?.kind === 'param' && b.binding.isOn() ? 'on' : 'off');
    }
  }

  #renderGlobal(): void {
    const main = this.units[0];
    if (!main) return;
    const page = this.map.pages[this.pageIndex];
    main.setAssignment(page ? (page.short ?? page.label.slice(0, 2)).toUpperCase() : '  ');
    for (const [control, b] of this.bound) {
      const note = MCU_BUTTONS.get(control);
      if (note === undefined) continue;
      main.setLed(note, this.#globalLed(b) ? 'on' : 'off');
    }
    const master = this.bound.get('master');
    if (master?.kind === 'param' && master.binding.active) main.setFader(8, master.binding.controlPosition() ?? 0);
  }

  #globalLed(b: BoundControl): boolean {
    if (b.kind === 'param') return b.binding.isOn();
    switch (b.binding.action) {
      case 'page':
        return this.page?.id === b.binding.target;
      case 'nextPage':
        return this.pageIndex < this.map.pages.length - 1;
      case 'prevPage':
        return this.pageIndex > 0;
      case 'scrollLeft':
        return this.#offset > 0;
      case 'scrollRight':
        return (this.map.pages[this.pageIndex]?.strips?.length ?? 0) > this.#offset + this.stripCount;
      case 'fine':
        return this.fineHeld;
      default:
        return false;
    }
  }

  protected override onFine(): void {
    this.#renderGlobal();
  }

  onParamChanges(changes: readonly ParamChange[], source: string): void {
    const ids = new Set(changes.map((c) => c.id));
    for (let s = 0; s < this.#strips.length; s++) {
      const rt = this.#strips[s] as StripRuntime;
      let hit = (rt.vpot && ids.has(rt.vpot.spec.param)) || (rt.fader && ids.has(rt.fader.spec.param));
      if (!hit) for (const b of rt.buttons.values()) if (b.kind === 'param' && ids.has(b.binding.spec.param)) hit = true;
      if (hit) this.#renderStrip(s, source);
    }
    let global = false;
    for (const [control, b] of this.bound) {
      if (b.kind === 'param' && ids.has(b.binding.spec.param) && (MCU_BUTTONS.has(control) || control === 'master')) global = true;
    }
    if (global) {
      const master = this.bound.get('master');
      if (master?.kind === 'param' && master.binding.isEcho(source)) {
        // The master fader's own move: update LEDs only.
        const main = this.units[0];
        for (const [control, b] of this.bound) {
          const note = MCU_BUTTONS.get(control);
          if (note !== undefined) main?.setLed(note, this.#globalLed(b) ? 'on' : 'off');
        }
      } else this.#renderGlobal();
    }
  }

  // ---- device input ------------------------------------------------------------------------

  #onUnitInput(u: number, ev: McuInput): void {
    const unit = this.units[u] as McuUnit;
    const base = u * 8;
    switch (ev.type) {
      case 'fader': {
        const control = ev.strip === 8 ? 'master' : `fader${base + ev.strip + 1}`;
        const n = unit.faderNormalised(ev.value);
        if (this.learnConsumes(control, { kind: 'absolute', value: n, raw: ev.value }, 'absolute')) {
          unit.acceptFaderMove(ev.strip, n);
          return;
        }
        const bound = this.bound.get(control);
        const stored = this.apply(control, { kind: 'absolute', value: n, raw: ev.value });
        if (bound?.kind === 'param' && stored !== undefined) unit.acceptFaderMove(ev.strip, bound.binding.controlPosition() ?? n);
        else unit.rejectFaderMove(ev.strip);
        return;
      }
      case 'touch':
        return;
      case 'vpot':
        this.input(`vpot${base + ev.strip + 1}`, { kind: 'relative', ticks: ev.ticks }, 'relative');
        return;
      case 'button': {
        const control = ev.strip !== undefined ? `${ev.name}${base + ev.strip + 1}` : ev.name;
        this.input(control, { kind: 'button', pressed: ev.pressed }, 'button');
        return;
      }
      case 'jog':
        this.input('jog', { kind: 'relative', ticks: ev.ticks }, 'relative');
        return;
      case 'external':
        this.input('external', { kind: 'absolute', value: ev.value / 127, raw: ev.value }, 'absolute');
        return;
      default:
        return;
    }
  }

  #onUnitStatus(u: number, status: McuUnitStatus, reason: string | undefined): void {
    if (status === 'online') {
      this.#everOnline ||= u === 0;
      this.ctx.log.info({ surface: this.id, unit: u === 0 ? 'main' : 'extender', reason }, 'MCU unit online');
    }
    if (status === 'refused') this.#missing[u] = reason;
    this.#updateStatus();
  }

  #updateStatus(): void {
    const main = this.units[0] as McuUnit;
    const ext = this.units[1];
    const extNote = ext && ext.status !== 'online' ? `extender: ${this.#missing[1] ?? ext.status}` : undefined;
    switch (main.status) {
      case 'online':
        this.setStatus('online', extNote);
        return;
      case 'connecting':
        this.setStatus('connecting', 'waiting for the handshake (Device Query sent)');
        return;
      case 'refused':
        this.setStatus('reconnecting', this.#missing[0]);
        return;
      case 'detached':
        this.setStatus(this.#everOnline ? 'reconnecting' : 'absent', this.#missing[0] ?? 'no matching MIDI port');
        return;
    }
  }
}
