import type { SurfaceConfig } from '../config/sections/surfaces.ts';
import type { MidiInputPort, MidiOutputPort } from '../devices/midi/binding.ts';
import { ControllerDecoder, type ControllerEvent } from '../devices/midi/controller-decoder.ts';
import { EchoGuard } from '../devices/midi/echo-guard.ts';
import { controlChange, controlChange14, noteOn, parameterNumberWrite, pitchBend, toHex, type MidiMessage } from '../devices/midi/midi-message.ts';
import { MidiStreamParser } from '../devices/midi/midi-parser.ts';
import { PortPattern } from '../devices/midi/port-pattern.ts';
import { decodeRelative } from '../devices/midi/relative-encoding.ts';
import type { ParamChange } from '../params/param-store.ts';
import { midiControlId, parseMidiControl } from './control-ids.ts';
import type { MidiEndpoint, MidiSurface } from './mcu-surface.ts';
import type { ParamBinding } from './param-binding.ts';
import { SurfaceBase, type ControlInput, type SurfaceContext } from './surface-base.ts';
import type { SurfaceMap } from './surface-map-schema.ts';

/**
 * A generic MIDI controller (knobs, faders, pads) mapped by `cc:…`, `cc14:…`, `nrpn:…`,
 * `note:…`, `pb:…` bindings. Relative encoders decode with the binding's encoding (default
 * two's complement), 14-bit pairs and (N)RPN go through the controller decoder.
 *
 * Feedback: an absolute control is never sent its own change back (that is the echo that makes
 * motor faders fight and Ardour's CC feedback drift: complaint #6); a relative encoder's LED
 * ring and a button's LED are displays and are always refreshed, because many controllers
 * revert them to their own indicator on every turn (complaint #11). Sends are coalesced per
 * event-loop turn and deduplicated per control (complaint #12).
 */
export class GenericMidiSurface extends SurfaceBase implements MidiSurface {
  readonly #parser = new MidiStreamParser();
  readonly #decoder = new ControllerDecoder();
  #echo: EchoGuard | undefined;
  #input: MidiInputPort | undefined;
  #output: MidiOutputPort | undefined;
  #generation = 0;
  #everOnline = false;
  readonly #dirty = new Set<string>();
  readonly #sent = new Map<string, string>();
  #flushScheduled = false;

  constructor(config: SurfaceConfig, map: SurfaceMap, ctx: SurfaceContext) {
    super(config, map, ctx);
    this.#echo = map.echoGuard ? new EchoGuard() : undefined;
    this.compile();
    this.#configurePairs();
  }

  override setMap(map: SurfaceMap): void {
    this.#echo = map.echoGuard ? (this.#echo ?? new EchoGuard()) : undefined;
    super.setMap(map);
    this.#configurePairs();
  }

  #configurePairs(): void {
    const pairs: { channel: number; controller: number }[] = [];
    const see = (control: string): void => {
      const c = parseMidiControl(control);
      if (c?.kind === 'cc14') pairs.push({ channel: c.channel, controller: c.number });
    };
    for (const b of this.map.bindings) see(b.control);
    for (const p of this.map.pages) for (const b of p.bindings ?? []) see(b.control);
    this.#decoder.setPairs(pairs);
  }

  midiEndpoints(): MidiEndpoint[] {
    const sim = this.config.match === 'sim';
    const input = sim ? new PortPattern(`/^sim:${this.id}$/`) : new PortPattern(this.config.match);
    const output = this.config.outputMatch && !sim ? new PortPattern(this.config.outputMatch) : input;
    return [{ key: 'main', input, output, outputOptional: true }];
  }

  attachMidi(_key: string, input: MidiInputPort, output: MidiOutputPort | undefined): void {
    const generation = ++this.#generation;
    this.#input = input;
    this.#output = output;
    this.#parser.reset();
    this.#decoder.reset();
    input.onData((bytes) => {
      if (generation !== this.#generation) return;
      this.#parser.push(bytes, (m) => this.#onMessage(m));
    });
    this.#everOnline = true;
    for (const b of this.bound.values()) if (b.kind === 'param') b.binding.rearm();
    this.setStatus('online', output ? undefined : 'input only: no output port matches, no feedback');
    this.#sent.clear();
    this.render();
  }

  detachMidi(_key: string, reason: string): void {
    this.#generation++;
    this.#input = undefined;
    this.#output = undefined;
    this.setStatus(this.#everOnline ? 'reconnecting' : 'absent', reason);
  }

  portMissing(_key: string, reason: string): void {
    if (this.#input) return;
    this.setStatus(this.#everOnline ? 'reconnecting' : 'absent', reason);
  }

  ports(): string[] {
    return [this.#input?.name, this.#output?.name].filter((x): x is string => x !== undefined);
  }

  async stop(): Promise<void> {
    this.#generation++;
    this.#input = undefined;
    this.#output = undefined;
    await Promise.resolve();
  }

  // ---- input -------------------------------------------------------------------------------

  #onMessage(m: MidiMessage): void {
    if (this.#echo?.isEcho(m)) return;
    switch (m.type) {
      case 'cc':
        this.#decoder.feed(m, (e) => this.#onController(e));
        return;
      case 'noteOn':
      case 'noteOff':
        this.input(midiControlId({ kind: 'note', channel: m.channel, number: m.note }), { kind: 'button', pressed: m.type === 'noteOn' && m.velocity > 0, raw: m.velocity });
        return;
      case 'pitchBend':
        this.input(`pb:${m.channel}`, { kind: 'absolute', value: m.value / 16383, raw: m.value }, 'absolute');
        return;
      case 'programChange': {
        const control = `pc:${m.channel}:${m.program}`;
        this.input(control, { kind: 'button', pressed: true }, 'button');
        this.apply(control, { kind: 'button', pressed: false });
        return;
      }
      default:
        return;
    }
  }

  /** The control moved: whatever it shows now is its own doing, so the next feedback must not be deduplicated away. */
  protected override apply(control: string, input: ControlInput): number | undefined {
    this.#sent.delete(control);
    return super.apply(control, input);
  }

  #paramBinding(control: string): ParamBinding | undefined {
    const b = this.bound.get(control);
    return b?.kind === 'param' ? b.binding : undefined;
  }

  #onController(e: ControllerEvent): void {
    switch (e.kind) {
      case 'cc': {
        const control = `cc:${e.channel}:${e.controller}`;
        const b = this.#paramBinding(control);
        let input: ControlInput;
        if (b?.spec.mode === 'relative') {
          const ticks = decodeRelative(b.spec.encoding ?? 'twosComplement', e.value);
          if (ticks === 0) {
            this.learnConsumes(control, { kind: 'absolute', value: e.value / 127, raw: e.value });
            return;
          }
          input = { kind: 'relative', ticks, raw: e.value };
        } else if (b && b.spec.mode !== 'absolute') input = { kind: 'button', pressed: e.value >= 64, raw: e.value };
        else input = { kind: 'absolute', value: e.value / 127, raw: e.value };
        if (this.learnConsumes(control, { kind: 'absolute', value: e.value / 127, raw: e.value })) return;
        this.apply(control, input);
        return;
      }
      case 'cc14':
        this.input(`cc14:${e.channel}:${e.controller}`, { kind: 'absolute', value: e.value / 16383, raw: e.value }, 'absolute');
        return;
      case 'nrpn':
      case 'rpn': {
        const control = `${e.kind}:${e.channel}:${e.parameter}`;
        const b = this.#paramBinding(control);
        if (b?.spec.bits === 7) {
          if (e.part === 'msb') this.input(control, { kind: 'absolute', value: (e.value >> 7) / 127, raw: e.value >> 7 }, 'absolute');
          return;
        }
        this.input(control, { kind: 'absolute', value: e.value / 16383, raw: e.value }, 'absolute');
        return;
      }
      case 'nrpnStep':
      case 'rpnStep': {
        const control = `${e.kind === 'nrpnStep' ? 'nrpn' : 'rpn'}:${e.channel}:${e.parameter}`;
        if (this.learnConsumes(control, { kind: 'relative', ticks: e.delta }, 'relative')) return;
        // Increment/decrement steps the parameter whatever the binding's mode.
        this.#sent.delete(control);
        this.#paramBinding(control)?.relative(e.delta, this.fineHeld);
        return;
      }
    }
  }

  // ---- feedback ----------------------------------------------------------------------------

  onParamChanges(changes: readonly ParamChange[], source: string): void {
    const ids = new Set(changes.map((c) => c.id));
    for (const [control, b] of this.bound) {
      if (b.kind !== 'param' || !b.binding.spec.feedback || !ids.has(b.binding.spec.param)) continue;
      // The absolute control that made the change already stands at the value: no echo.
      if (b.binding.spec.mode === 'absolute' && b.binding.isEcho(source)) continue;
      this.#dirty.add(control);
    }
    this.#schedule();
  }

  render(): void {
    for (const [control, b] of this.bound) if (b.kind === 'param' && b.binding.spec.feedback) this.#dirty.add(control);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#flushScheduled || this.#dirty.size === 0) return;
    this.#flushScheduled = true;
    const generation = this.#generation;
    setImmediate(() => {
      this.#flushScheduled = false;
      if (generation === this.#generation) this.#flush();
    });
  }

  #flush(): void {
    const out = this.#output;
    if (!out) {
      this.#dirty.clear();
      return;
    }
    for (const control of this.#dirty) {
      const bound = this.bound.get(control);
      if (bound?.kind !== 'param') continue;
      const bytes = feedbackBytes(control, bound.binding);
      if (!bytes) continue;
      const key = toHex(bytes);
      if (this.#sent.get(control) === key) continue;
      this.#sent.set(control, key);
      this.#echo?.sent(bytes);
      out.send(bytes);
    }
    this.#dirty.clear();
  }
}

/** The message that shows a binding's current value on its control. */
export function feedbackBytes(control: string, b: ParamBinding): Uint8Array | undefined {
  const c = parseMidiControl(control);
  if (!c || !b.active) return undefined;
  const isButton = b.spec.mode !== 'absolute' && b.spec.mode !== 'relative';
  const pos = b.controlPosition() ?? 0;
  switch (c.kind) {
    case 'cc':
      return controlChange(c.channel, c.number, isButton ? (b.isOn() ? 127 : 0) : Math.round(pos * 127));
    case 'cc14':
      return controlChange14(c.channel, c.number, Math.round(pos * 16383));
    case 'nrpn':
    case 'rpn':
      return b.spec.bits === 7
        ? parameterNumberWrite(c.kind, c.channel, c.number, Math.round(pos * 127), 7)
        : parameterNumberWrite(c.kind, c.channel, c.number, Math.round(pos * 16383), 14);
    case 'pb':
      return pitchBend(c.channel, Math.round(pos * 16383));
    case 'note':
      return noteOn(c.channel, c.number, b.isOn() ? 127 : 0);
    case 'pc':
      return undefined;
  }
}
