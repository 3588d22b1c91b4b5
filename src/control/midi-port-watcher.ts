import type { MidiBinding, MidiInputPort, MidiOutputPort, MidiPortList } from '../devices/midi/binding.ts';
import { choosePort, type PortPattern } from '../devices/midi/port-pattern.ts';
import type { Logger } from '../logger.ts';
import type { MidiEndpoint, MidiSurface } from './mcu-surface.ts';
import { CoalescedRun } from './coalesced-run.ts';

interface EndpointState {
  readonly surface: MidiSurface;
  readonly ep: MidiEndpoint;
  input: MidiInputPort | undefined;
  output: MidiOutputPort | undefined;
  failures: number;
  retryAt: number;
  /** Why a connected port went away: kept as the reason while it is missing. */
  lost: string | undefined;
}

export interface MidiPortWatcherOptions {
  readonly binding: MidiBinding;
  readonly surfaces: readonly MidiSurface[];
  readonly log: Logger;
  /** Poll period; 0 = no timer (tests call `rescan()`). rtmidi has no hot-plug events. */
  readonly pollIntervalMs: number;
  readonly now?: () => number;
}

/**
 * Keeps every MIDI surface connected: polls the port list (rtmidi has no hot-plug events,
 * reference §0.5), matches ports by name pattern, notices vanished ports (rtmidi says nothing,
 * the name just leaves the list), and reconnects a surface that comes back, even under a new
 * name (ALSA client 20:0 -> 24:0). Failed opens back off 1 s … 60 s (Companion's habit); a scan
 * is serialised and one bad endpoint never aborts the others.
 */
export class MidiPortWatcher {
  readonly #opts: MidiPortWatcherOptions;
  readonly #states: EndpointState[];
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  readonly #scans = new CoalescedRun(() => this.#scanOnce(), () => this.#stopped);
  #stopped = false;
  #busProblem: string | undefined;

  constructor(options: MidiPortWatcherOptions) {
    this.#opts = options;
    this.#now = options.now ?? Date.now;
    this.#states = options.surfaces.flatMap((surface) => surface.midiEndpoints().map((ep) => ({ surface, ep, input: undefined, output: undefined, failures: 0, retryAt: 0, lost: undefined })));
  }

  /** Why the bus (or a part of it) is unusable, if it is. */
  get busProblem(): string | undefined {
    return this.#busProblem;
  }

  start(): Promise<void> {
    // No MIDI surface configured: do not even initialise the bus (rtmidi prints ALSA errors).
    if (this.#states.length === 0) return Promise.resolve();
    if (this.#opts.pollIntervalMs > 0) {
      this.#timer = setInterval(() => void this.rescan(), this.#opts.pollIntervalMs);
      this.#timer.unref();
    }
    return this.rescan();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#scans.settled();
    await Promise.allSettled(this.#states.map((s) => this.#closePorts(s)));
  }

  /** Scan now (serialised: a request during a scan runs one more scan after it). */
  rescan(): Promise<void> {
    if (this.#stopped || this.#states.length === 0) return Promise.resolve();
    return this.#scans.request();
  }

  async #scanOnce(): Promise<void> {
    let ports: MidiPortList;
    try {
      ports = await this.#opts.binding.list();
    } catch (err) {
      const reason = err instanceof Error ? (err.message.split('\n')[0] ?? err.message) : String(err);
      if (reason !== this.#busProblem) this.#opts.log.warn({ reason }, 'MIDI bus unavailable; MIDI surfaces stay offline, the daemon carries on');
      this.#busProblem = reason;
      for (const s of this.#states) {
        if (s.input) await this.#lose(s, reason);
        else s.surface.portMissing(s.ep.key, reason);
      }
      return;
    }
    const problems = ports.problems && ports.problems.length > 0 ? ports.problems.join('; ') : undefined;
    if (problems !== this.#busProblem && problems) this.#opts.log.warn({ reason: problems }, 'part of the MIDI bus is unavailable');
    this.#busProblem = problems;
    if (this.#stopped) return;
    // 1. Ports that vanished (or were renamed: the old name is gone).
    for (const s of this.#states) {
      if (!s.input) continue;
      const inGone = !ports.inputs.includes(s.input.name);
      const outGone = s.output !== undefined && !ports.outputs.includes(s.output.name);
      if (inGone || outGone) await this.#lose(s, `port "${(inGone ? s.input.name : s.output?.name) ?? ''}" disappeared; waiting for it to come back`);
    }
    // 2. Connect what is missing.
    const claimedIn = new Set(this.#states.flatMap((s) => (s.input ? [s.input.name] : [])));
    const claimedOut = new Set(this.#states.flatMap((s) => (s.output ? [s.output.name] : [])));
    const allIn = this.#states.map((s) => s.ep.input);
    const allOut = this.#states.map((s) => s.ep.output);
    for (const s of this.#states) {
      if (s.input || this.#stopped) continue;
      const others = (list: PortPattern[], mine: PortPattern): PortPattern[] => list.filter((p) => p !== mine);
      const inName = choosePort(s.ep.input, ports.inputs, claimedIn, others(allIn, s.ep.input));
      const outName = choosePort(s.ep.output, ports.outputs, claimedOut, others(allOut, s.ep.output));
      if (inName === undefined || (outName === undefined && !s.ep.outputOptional)) {
        const what = inName === undefined ? `no MIDI input port matching "${s.ep.input.source}"` : `no MIDI output port matching "${s.ep.output.source}"`;
        s.surface.portMissing(s.ep.key, s.lost ?? (problems ? `${what} (${problems})` : what));
        continue;
      }
      if (this.#now() < s.retryAt) continue;
      claimedIn.add(inName);
      if (outName !== undefined) claimedOut.add(outName);
      await this.#open(s, inName, outName);
    }
  }

  async #open(s: EndpointState, inName: string, outName: string | undefined): Promise<void> {
    let input: MidiInputPort | undefined;
    let output: MidiOutputPort | undefined;
    try {
      input = await this.#opts.binding.openInput(inName);
      if (outName !== undefined) output = await this.#opts.binding.openOutput(outName);
    } catch (err) {
      await input?.close().catch(() => undefined);
      s.failures++;
      const delayMs = Math.min(60_000, 1000 * 2 ** (s.failures - 1));
      s.retryAt = this.#now() + delayMs;
      const reason = `cannot open "${inName}": ${err instanceof Error ? err.message : String(err)}; retrying in ${Math.round(delayMs / 1000)} s`;
      this.#opts.log.warn({ surface: s.surface.id, endpoint: s.ep.key, reason }, 'MIDI port open failed');
      s.surface.portMissing(s.ep.key, reason);
      return;
    }
    s.failures = 0;
    s.retryAt = 0;
    s.lost = undefined;
    s.input = input;
    s.output = output;
    const lost = (reason: string): void => {
      if (s.input !== input) return;
      void this.#lose(s, `port "${inName}" closed (${reason}); waiting for it to come back`).then(() => this.rescan());
    };
    input.onClose(lost);
    output?.onClose(lost);
    this.#opts.log.info({ surface: s.surface.id, endpoint: s.ep.key, input: inName, output: outName }, 'MIDI surface port opened');
    s.surface.attachMidi(s.ep.key, input, output);
  }

  async #lose(s: EndpointState, reason: string): Promise<void> {
    s.lost = reason;
    await this.#closePorts(s);
    s.surface.detachMidi(s.ep.key, reason);
  }

  async #closePorts(s: EndpointState): Promise<void> {
    const { input, output } = s;
    s.input = undefined;
    s.output = undefined;
    await Promise.allSettled([input?.close(), output?.close()]);
  }
}
