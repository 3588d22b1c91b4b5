import { BridgeError } from '../errors.ts';
import type { ParamStore } from '../params/param-store.ts';
import { guessEncoding, type EncodingGuess, type RelativeEncoding } from '../devices/midi/relative-encoding.ts';
import { parseMidiControl } from './control-ids.ts';
import type { BindingMode } from './param-binding.ts';
import type { LearnObservation, SurfaceBase } from './surface-base.ts';

/** What learn created. */
export interface LearnedBinding {
  readonly surfaceId: string;
  /** The control as bound (`cc:0:21`, `cc14:0:7`, `vpot3`, `key2`). */
  readonly control: string;
  readonly param: string;
  readonly mode: BindingMode;
  readonly encoding?: RelativeEncoding;
  /** The guess and the other encodings that fit what was seen (to offer a confirmation). */
  readonly guess: EncodingGuess;
  /** The raw values seen while learning. */
  readonly values: readonly number[];
  /** MCU: the page and 1-based strip slot the parameter was put on. */
  readonly page?: string;
  readonly slot?: number;
  /** The user layer file it was saved to. */
  readonly file: string;
}

export interface LearnArmOptions {
  /** Give up after this long (E_LEARN_TIMEOUT). Default 30 s. */
  readonly timeoutMs?: number;
  /** Only listen to this surface. */
  readonly surfaceId?: string;
}

/** What the learn session needs from the manager. */
export interface LearnHost {
  surfaces(): readonly SurfaceBase[];
  /** Save a learned binding into the surface's user layer and apply it. */
  persist(surface: SurfaceBase, learned: Omit<LearnedBinding, 'file'>): Promise<{ file: string; page?: string; slot?: number }>;
  /** Change a saved binding (confirmation of the encoding or the mode). */
  amend(surfaceId: string, control: string, change: { encoding?: RelativeEncoding; mode?: BindingMode }): Promise<LearnedBinding>;
}

interface Session {
  readonly param: string;
  readonly surfaceId: string | undefined;
  readonly resolve: (b: LearnedBinding) => void;
  readonly reject: (err: BridgeError) => void;
  readonly timer: NodeJS.Timeout;
  target: { surface: SurfaceBase; control: string; known: LearnObservation['known'] } | undefined;
  readonly values: number[];
  readonly ticks: number[];
  pair14: boolean;
  settleTimer: NodeJS.Timeout | undefined;
  finished: boolean;
}

/** Messages to look at before guessing, and how long to wait for them after the first. */
const SETTLE_MESSAGES = 4;
const SETTLE_MS = 400;

/**
 * MIDI learn: `arm(paramId)`, then the next control moved on a surface is bound to it. The
 * movement is consumed (it does not also drive the control's old binding). The kind is known
 * for MCU controls (a V-Pot is relative sign-magnitude, a fader absolute); for a generic CC it is
 * guessed from the first values (complaint #10, reference §2.1 ambiguity: the guess and the other
 * candidates are returned so the user can confirm with `confirm`). A CC n followed by CC n+32 is
 * a 14-bit pair. The binding is saved to the surface's user layer in the data dir.
 */
export class Learn {
  readonly #store: ParamStore;
  readonly #host: LearnHost;
  #session: Session | undefined;

  constructor(store: ParamStore, host: LearnHost) {
    this.#store = store;
    this.#host = host;
  }

  /** The parameter being learned, if armed. */
  get armed(): string | undefined {
    return this.#session?.param;
  }

  arm(paramId: string, options: LearnArmOptions = {}): Promise<LearnedBinding> {
    if (!this.#store.has(paramId)) {
      return Promise.reject(new BridgeError('E_PARAM_UNKNOWN', `cannot learn: unknown parameter ${paramId}`, { details: { id: paramId } }));
    }
    this.cancel();
    const timeoutMs = options.timeoutMs ?? 30_000;
    return new Promise<LearnedBinding>((resolve, reject) => {
      const session: Session = {
        param: paramId,
        surfaceId: options.surfaceId,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#end(session);
          reject(new BridgeError('E_LEARN_TIMEOUT', `no control moved within ${timeoutMs} ms while learning ${paramId}`, { details: { param: paramId, timeoutMs } }));
        }, timeoutMs),
        target: undefined,
        values: [],
        ticks: [],
        pair14: false,
        settleTimer: undefined,
        finished: false,
      };
      session.timer.unref();
      this.#session = session;
      for (const s of this.#host.surfaces()) {
        if (options.surfaceId === undefined || s.id === options.surfaceId) s.learnTap = (obs) => this.#observe(session, s, obs);
      }
    });
  }

  /** Disarm; a pending `arm` rejects with E_LEARN_CANCELLED. */
  cancel(): void {
    const s = this.#session;
    if (!s) return;
    this.#end(s);
    s.reject(new BridgeError('E_LEARN_CANCELLED', `learning ${s.param} was cancelled`, { details: { param: s.param } }));
  }

  /** Confirm (or correct) the encoding or mode of a learned binding. */
  confirm(surfaceId: string, control: string, change: { encoding?: RelativeEncoding; mode?: BindingMode }): Promise<LearnedBinding> {
    return this.#host.amend(surfaceId, control, change);
  }

  #end(s: Session): void {
    s.finished = true;
    clearTimeout(s.timer);
    clearTimeout(s.settleTimer);
    if (this.#session === s) this.#session = undefined;
    for (const surface of this.#host.surfaces()) if (surface.learnTap) surface.learnTap = undefined;
  }

  #observe(s: Session, surface: SurfaceBase, obs: LearnObservation): boolean {
    if (s.finished) return false;
    if (!s.target) {
      // A button release or a fader touch-up does not start learning.
      if (obs.input.kind === 'button' && !obs.input.pressed) return true;
      s.target = { surface, control: obs.control, known: obs.known };
      this.#record(s, obs);
      if (obs.known !== undefined || obs.input.kind === 'button' || obs.input.kind === 'relative') {
        this.#finish(s);
        return true;
      }
      s.settleTimer = setTimeout(() => this.#finish(s), SETTLE_MS);
      s.settleTimer.unref();
      return true;
    }
    if (surface !== s.target.surface) return false;
    if (obs.control === s.target.control) {
      this.#record(s, obs);
      if (s.values.length >= SETTLE_MESSAGES) this.#finish(s);
      return true;
    }
    const a = parseMidiControl(s.target.control);
    const b = parseMidiControl(obs.control);
    if (a?.kind === 'cc' && b?.kind === 'cc' && a.channel === b.channel && a.number < 32 && b.number === a.number + 32) {
      s.pair14 = true;
      return true;
    }
    return false;
  }

  #record(s: Session, obs: LearnObservation): void {
    if (obs.input.kind === 'relative') s.ticks.push(obs.input.ticks);
    else if (obs.input.raw !== undefined) s.values.push(obs.input.raw);
  }

  #finish(s: Session): void {
    if (s.finished || !s.target) return;
    const { surface, control, known } = s.target;
    this.#end(s);
    const spec = this.#store.spec(s.param);
    let boundControl = control;
    let mode: BindingMode;
    let encoding: RelativeEncoding | undefined;
    let guess: EncodingGuess;
    const midi = parseMidiControl(control);
    if (s.pair14 && midi?.kind === 'cc' && midi.number < 32) {
      boundControl = `cc14:${midi.channel}:${midi.number}`;
      mode = 'absolute';
      guess = { mode: 'absolute', candidates: [], confidence: 1 };
    } else if (known === 'relative' || s.ticks.length > 0) {
      mode = 'relative';
      guess = { mode: 'relative', candidates: [], confidence: 1 };
    } else if (known === 'absolute') {
      mode = 'absolute';
      guess = { mode: 'absolute', candidates: [], confidence: 1 };
    } else if (known === 'button' || midi?.kind === 'note' || midi?.kind === 'pc') {
      mode = spec.kind === 'toggle' || spec.kind === 'choice' ? 'toggle' : 'reset';
      guess = { mode: 'absolute', candidates: [], confidence: 1 };
    } else {
      guess = guessEncoding(s.values);
      mode = guess.mode;
      encoding = guess.encoding;
    }
    const learned: Omit<LearnedBinding, 'file'> = {
      surfaceId: surface.id,
      control: boundControl,
      param: s.param,
      mode,
      ...(encoding !== undefined ? { encoding } : {}),
      guess,
      values: [...s.values, ...s.ticks],
    };
    this.#host.persist(surface, learned).then(
      (saved) => s.resolve({ ...learned, ...saved }),
      (err: unknown) =>
        s.reject(
          err instanceof BridgeError ? err : new BridgeError('E_SURFACE_MAP', `could not save the learned binding: ${String(err)}`, { cause: err }),
        ),
    );
  }
}
