import type { SurfaceConfig } from '../config/sections/surfaces.ts';
import type { DeviceStatus, DeviceStatusReporter } from '../devices/device-status.ts';
import type { MeterFeed } from '../engine/meter-snapshot.ts';
import type { Logger } from '../logger.ts';
import type { ParamChange, ParamStore } from '../params/param-store.ts';
import type { ActionSink, SurfaceAction } from './action-sink.ts';
import { controlKind, type ControlKind } from './control-ids.ts';
import { ParamBinding, type ParamBindingSpec } from './param-binding.ts';
import type { ActionName, BindingInput, PageInput, SurfaceMap } from './surface-map-schema.ts';

export interface SurfaceContext {
  readonly store: ParamStore;
  readonly log: Logger;
  readonly actions: ActionSink;
  readonly report: DeviceStatusReporter;
  readonly meters?: MeterFeed;
}

/** One input from a control, after the device decoder. */
export type ControlInput =
  | { readonly kind: 'absolute'; readonly value: number; readonly raw?: number }
  | { readonly kind: 'relative'; readonly ticks: number; readonly raw?: number }
  | { readonly kind: 'button'; readonly pressed: boolean; readonly raw?: number };

/** What learn sees: a control moving, with the raw 7-bit value when there is one (for encoding guesses). */
export interface LearnObservation {
  readonly surfaceId: string;
  readonly control: string;
  readonly input: ControlInput;
  /** The control's own kind when the device knows it (MCU V-Pot = relative sign-magnitude). */
  readonly known?: 'relative' | 'absolute' | 'button';
}

export interface ActionBinding {
  readonly control: string;
  readonly action: ActionName;
  readonly slot?: number;
  readonly target?: string;
}

export type BoundControl = { readonly kind: 'param'; readonly binding: ParamBinding } | { readonly kind: 'action'; readonly binding: ActionBinding };

export interface SurfaceStatusInfo {
  readonly id: string;
  readonly type: string;
  readonly status: DeviceStatus;
  readonly reason?: string;
  /** The port / device names in use. */
  readonly ports: readonly string[];
  readonly page?: { readonly id: string; readonly label: string; readonly index: number; readonly count: number };
  readonly firmware?: string;
  /** Parameters the map binds that are not registered (yet): those bindings are inactive. */
  readonly unknownParams: readonly string[];
}

/**
 * What every surface shares: the compiled map (shipped + learned), pages, bindings of the
 * current page, input dispatch (learn tap, fine modifier, local and sink actions), the status
 * it reports, and the hook for parameter changes. Subclasses add the device (bytes in and out)
 * and the feedback.
 */
export abstract class SurfaceBase {
  readonly id: string;
  readonly type: string;
  readonly config: SurfaceConfig;
  protected readonly ctx: SurfaceContext;
  protected map: SurfaceMap;
  protected pageIndex = 0;
  protected bound = new Map<string, BoundControl>();
  protected fineHeld = false;
  #status: DeviceStatus = 'absent';
  #reason: string | undefined;
  /** Set by the learn session while armed: returns true when it consumed the input. */
  learnTap: ((obs: LearnObservation) => boolean) | undefined;

  constructor(config: SurfaceConfig, map: SurfaceMap, ctx: SurfaceContext) {
    this.id = config.id;
    this.type = config.type;
    this.config = config;
    this.map = map;
    this.ctx = ctx;
  }

  /** The source id of a control's changes: `surface:<id>/<control>`. */
  sourceOf(control: string): string {
    return `surface:${this.id}/${control}`;
  }

  /** True for a change made by any control of this surface. */
  isOwnSource(source: string): boolean {
    return source.startsWith(`surface:${this.id}/`);
  }

  get currentMap(): SurfaceMap {
    return this.map;
  }

  get page(): PageInput | undefined {
    return this.map.pages[this.pageIndex];
  }

  /** Replace the map (learned binding saved): recompile and redraw. */
  setMap(map: SurfaceMap): void {
    this.map = map;
    if (this.pageIndex >= map.pages.length) this.pageIndex = 0;
    this.compile();
    this.render();
  }

  selectPage(index: number): void {
    const n = this.map.pages.length;
    if (n === 0) return;
    const next = ((index % n) + n) % n;
    if (next === this.pageIndex) return;
    this.pageIndex = next;
    this.onPageChanged();
    this.compile();
    this.render();
  }

  selectPageById(id: string): void {
    const i = this.map.pages.findIndex((p) => p.id === id);
    if (i >= 0) this.selectPage(i);
  }

  protected onPageChanged(): void {}

  /** Build the bindings of the current page (global first, the page's own replace them). */
  compile(): void {
    const next = new Map<string, BoundControl>();
    const add = (b: BindingInput): void => {
      if (b.action !== undefined) {
        next.set(b.control, {
          kind: 'action',
          binding: { control: b.control, action: b.action, ...(b.slot !== undefined ? { slot: b.slot } : {}), ...(b.target !== undefined ? { target: b.target } : {}) },
        });
      } else if (b.param !== undefined) {
        next.set(b.control, { kind: 'param', binding: new ParamBinding(this.bindingSpec({ ...b, param: b.param }), this.ctx.store, this.sourceOf(b.control)) });
      }
    };
    for (const b of this.map.bindings) add(b);
    for (const b of this.page ? (this.map.pages[this.pageIndex]?.bindings ?? []) : []) add(b);
    this.bound = next;
    this.compileExtra(next);
  }

  /** Subclasses add device-specific bindings (MCU strips). */
  protected compileExtra(_bound: Map<string, BoundControl>): void {}

  protected controlKindOf(control: string): ControlKind | undefined {
    const hidFields = new Map<string, ControlKind>();
    for (const f of this.map.hid?.fields ?? []) hidFields.set(f.name, f.kind === 'button' ? 'button' : f.kind === 'absolute' ? 'absolute' : 'relative');
    return controlKind(this.type, control, hidFields);
  }

  /** Binding input + map defaults -> the runtime spec. */
  bindingSpec(b: Partial<BindingInput> & { control: string; param: string }): ParamBindingSpec {
    const d = this.map.defaults ?? {};
    const kind = this.controlKindOf(b.control);
    const encoding = b.encoding ?? d.encoding;
    const mode =
      b.mode ??
      (kind === 'relative' ? 'relative' : kind === 'button' ? 'toggle' : kind === 'either' && encoding !== undefined ? 'relative' : 'absolute');
    const step = b.step ?? (b.stepNormalised === undefined ? d.step : undefined);
    const stepNormalised = b.stepNormalised ?? (b.step === undefined ? d.stepNormalised : undefined);
    return {
      control: b.control,
      param: b.param,
      mode,
      ...(b.value !== undefined ? { value: b.value } : {}),
      ...(b.range !== undefined ? { range: b.range } : {}),
      invert: b.invert ?? d.invert ?? false,
      curve: b.curve ?? d.curve ?? 'linear',
      ...(step !== undefined ? { step } : {}),
      ...(stepNormalised !== undefined ? { stepNormalised } : {}),
      acceleration: b.acceleration ?? d.acceleration ?? 0,
      fineDivisor: b.fineDivisor ?? d.fineDivisor ?? 10,
      takeover: b.takeover ?? d.takeover ?? 'immediate',
      pickupTolerance: b.pickupTolerance ?? d.pickupTolerance ?? 0.02,
      ...(encoding !== undefined ? { encoding } : {}),
      ...(b.bits !== undefined ? { bits: b.bits } : {}),
      feedback: b.feedback ?? d.feedback ?? true,
      ticksPerPress: b.ticksPerPress ?? 1,
    };
  }

  /**
   * Dispatch one control input: learn first (it consumes the move), then the bound parameter or
   * action. Returns the value stored, if any.
   */
  protected input(control: string, input: ControlInput, known?: LearnObservation['known']): number | undefined {
    if (this.learnConsumes(control, input, known)) return undefined;
    return this.apply(control, input);
  }

  /** Offer the input to an armed learn session; true when it took it. */
  protected learnConsumes(control: string, input: ControlInput, known?: LearnObservation['known']): boolean {
    return this.learnTap?.({ surfaceId: this.id, control, input, ...(known ? { known } : {}) }) ?? false;
  }

  /** Apply an input to the control's binding (no learn). */
  protected apply(control: string, input: ControlInput): number | undefined {
    const bound = this.bound.get(control);
    if (!bound) return undefined;
    if (bound.kind === 'action') {
      if (input.kind === 'button') this.action(bound.binding, input.pressed);
      else if (input.kind === 'relative' && (bound.binding.action === 'nextPage' || bound.binding.action === 'prevPage')) {
        this.selectPage(this.pageIndex + Math.sign(input.ticks));
      }
      return undefined;
    }
    const b = bound.binding;
    try {
      switch (input.kind) {
        case 'absolute':
          return b.absolute(input.value);
        case 'relative':
          return b.relative(input.ticks, this.fineHeld);
        case 'button':
          return b.button(input.pressed, this.fineHeld);
      }
    } catch (err) {
      // A store refusal (a parameter removed under us) must not take the surface down.
      this.ctx.log.warn({ surface: this.id, control, err }, 'surface input refused');
      return undefined;
    }
  }

  protected action(a: ActionBinding, pressed: boolean): void {
    if (a.action === 'fine') {
      this.fineHeld = pressed;
      this.onFine(pressed);
      return;
    }
    if (!pressed) return;
    switch (a.action) {
      case 'nextPage':
        this.selectPage(this.pageIndex + 1);
        return;
      case 'prevPage':
        this.selectPage(this.pageIndex - 1);
        return;
      case 'page': {
        const i = this.map.pages.findIndex((p) => p.id === a.target);
        if (i >= 0) this.selectPage(i);
        return;
      }
      case 'scrollLeft':
        this.scroll(-1);
        return;
      case 'scrollRight':
        this.scroll(1);
        return;
    }
    const action = toSinkAction(a);
    if (!action) return;
    try {
      const r = this.ctx.actions.dispatch(action, { surfaceId: this.id, control: a.control });
      if (r instanceof Promise) r.catch((err: unknown) => this.ctx.log.warn({ surface: this.id, action, err }, 'surface action failed'));
    } catch (err) {
      this.ctx.log.warn({ surface: this.id, action, err }, 'surface action failed');
    }
  }

  protected onFine(_held: boolean): void {}
  protected scroll(_delta: number): void {}

  /** A parameter changed (anywhere). Subclasses decide what to show; `source` tells echoes apart. */
  abstract onParamChanges(changes: readonly ParamChange[], source: string): void;

  /** Redraw every feedback element from the store (page change, reconnect). */
  abstract render(): void;

  /** Release ports and handles. */
  abstract stop(): Promise<void>;

  abstract ports(): string[];

  /** Parameters bound by the current map that the store does not know. */
  unknownParams(): string[] {
    const ids = new Set<string>();
    const see = (id: string | false | undefined): void => {
      if (typeof id === 'string' && !this.ctx.store.has(id)) ids.add(id);
    };
    for (const b of this.map.bindings) see(b.param);
    for (const p of this.map.pages) {
      for (const b of p.bindings ?? []) see(b.param);
      for (const s of p.strips ?? []) {
        see(s.param);
        see(s.fader);
        for (const btn of Object.values(s.buttons ?? {})) see(btn?.param);
      }
    }
    return [...ids].sort();
  }

  get status(): DeviceStatus {
    return this.#status;
  }
  get reason(): string | undefined {
    return this.#reason;
  }

  /** Report a status change (deduplicated: the session machine hears each change once). */
  setStatus(status: DeviceStatus, reason?: string): void {
    if (status === this.#status && reason === this.#reason) return;
    this.#status = status;
    this.#reason = reason;
    this.ctx.log.info({ surface: this.id, status, reason }, 'surface status');
    this.ctx.report(this.id, status, reason);
  }

  info(): SurfaceStatusInfo {
    const page = this.map.pages[this.pageIndex];
    return {
      id: this.id,
      type: this.type,
      status: this.#status,
      ...(this.#reason !== undefined ? { reason: this.#reason } : {}),
      ports: this.ports(),
      ...(page ? { page: { id: page.id, label: page.label, index: this.pageIndex, count: this.map.pages.length } } : {}),
      ...(this.firmware() ? { firmware: this.firmware() as string } : {}),
      unknownParams: this.unknownParams(),
    };
  }

  protected firmware(): string | undefined {
    return undefined;
  }

  /** Param bindings of the current page bound to `paramId`. */
  protected bindingsFor(paramId: string): ParamBinding[] {
    const out: ParamBinding[] = [];
    for (const b of this.bound.values()) if (b.kind === 'param' && b.binding.spec.param === paramId) out.push(b.binding);
    return out;
  }
}

export function toSinkAction(a: { action: ActionName; slot?: number; target?: string }): SurfaceAction | undefined {
  switch (a.action) {
    case 'bypass':
      return a.target !== undefined ? { type: 'bypass', target: a.target } : { type: 'bypass' };
    case 'ab':
      return { type: 'ab' };
    case 'recall':
      return { type: 'recall', slot: a.slot ?? 1 };
    case 'save':
      return a.slot !== undefined ? { type: 'save', slot: a.slot } : { type: 'save' };
    case 'learn':
      return { type: 'learn' };
    case 'play':
    case 'stop':
    case 'print':
      return { type: 'transport', command: a.action };
    default:
      return undefined;
  }
}
