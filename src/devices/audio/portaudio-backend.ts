import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BridgeError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import type {
  AudioBackend,
  AudioBackendEvents,
  AudioDeviceInfo,
  AudioStreamConfig,
  BackendStatus,
  DuplexProcess,
  OpenedStream,
} from './binding.ts';
import type { PortAudioChildReply, PortAudioChildRequest } from './portaudio-child.ts';
import { TimelinePilot } from './timeline-pilot.ts';
import { hasTool } from '../../process/child-command.ts';

const CHILD = fileURLToPath(new URL('./portaudio-child.ts', import.meta.url));

export interface PortAudioBackendOptions {
  /** Interface name pattern: substring or /regex/. */
  readonly device: string;
  /** Output blocks queued ahead of the device (the daemon's slack is bufferBlocks - 1 periods). */
  readonly bufferBlocks: number;
  /** SCHED_FIFO priority for the stream process; 0 = normal scheduling. */
  readonly realtimePriority: number;
  /**
   * Nice value for the thread that runs `process` (the one that opens the backend: the audio
   * worker, or the main thread): under load it must answer within (bufferBlocks - 1) periods.
   * 0 leaves it alone. Needs root or CAP_SYS_NICE below 0; without, a warning and no change.
   */
  readonly niceness?: number;
  /**
   * SCHED_FIFO priority for the thread that runs `process` (0: leave it to `niceness`). Below the
   * stream process's own priority: the stream process must never wait on it. Needs root or
   * CAP_SYS_NICE; without, a warning and `niceness` instead.
   */
  readonly threadRealtimePriority?: number;
  readonly stopTimeoutMs: number;
  readonly stallTimeoutMs: number;
  /** ALSA_CONFIG_PATH for the stream process. */
  readonly alsaConfig?: string;
  /**
   * A spare output looped back digitally to a spare input (0-based; must be inside the opened
   * channels): carries a sample counter that detects silent timeline slips (see TimelinePilot).
   */
  readonly pilot?: { readonly output: number; readonly input: number };
  /** Extra environment for the stream process (JACK_DEFAULT_SERVER, ...). */
  readonly env?: NodeJS.ProcessEnv;
  /** Open/list answer budget (naudiodon opens in 0.2-0.8 s; the process starts in ~0.5 s). */
  readonly openTimeoutMs?: number;
  /**
   * Reopen by itself this long after a loss (and again after each failed attempt). Undefined:
   * wait for `retry()` (the daemon's session machine owns the backoff).
   */
  readonly autoRetryMs?: number;
  readonly log: Logger;
}

/**
 * PortAudio (naudiodon) as a backend: the native stream runs in a child process
 * (portaudio-child.ts) so that nothing it does (hang in quit(), print, crash.log, abort) can
 * hang or crash the daemon. Audio crosses two pipes as fixed-size blocks with a sequence number;
 * each input block is answered with one output block (see the child for the timeline that keeps
 * the round trip constant).
 *
 * Loss: the child exiting, an error from it, or no input for `stallTimeoutMs` (a device that
 * vanished just stops delivering) kills the child (SIGKILL) and moves to `reconnecting`. Stop:
 * ask the child to quit; SIGKILL it when it does not exit within `stopTimeoutMs`.
 */
export class PortAudioBackend extends EventEmitter<AudioBackendEvents> implements AudioBackend {
  readonly kind = 'portaudio' as const;
  readonly #options: PortAudioBackendOptions;
  #status: BackendStatus = 'closed';
  #xruns = 0;
  #config: AudioStreamConfig | undefined;
  #process: DuplexProcess | undefined;
  #child: RunningChild | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #opening: Promise<OpenedStream> | undefined;
  #closing = false;
  #rtChecked: boolean | undefined;
  #tools: { stdbuf: boolean; setpriv: boolean } | undefined;

  constructor(options: PortAudioBackendOptions) {
    super();
    if (options.bufferBlocks < 2) throw new TypeError('portaudio: bufferBlocks must be at least 2');
    this.#options = options;
  }

  get status(): BackendStatus {
    return this.#status;
  }

  get xruns(): number {
    return this.#xruns;
  }

  /** The stream process's pid while one runs (tests check it is gone after close). */
  get childPid(): number | undefined {
    return this.#child?.pid;
  }

  async listDevices(): Promise<AudioDeviceInfo[]> {
    const child = await this.#spawn();
    try {
      const answer = await child.request({ type: 'list' }, this.#options.openTimeoutMs ?? 10_000);
      if (answer.type === 'devices') return answer.devices.map((d) => ({ ...d }));
      if (answer.type === 'error') throw new BridgeError(answer.code, answer.message);
      throw new BridgeError('E_AUDIO_BACKEND', `portaudio: unexpected answer ${answer.type}`);
    } finally {
      await child.stop(this.#options.stopTimeoutMs);
    }
  }

  async open(config: AudioStreamConfig, process: DuplexProcess): Promise<OpenedStream> {
    if (this.#status !== 'closed') throw new BridgeError('E_AUDIO_STREAM', 'portaudio: already open');
    this.#raisePriority();
    this.#config = config;
    this.#process = process;
    this.#closing = false;
    this.#setStatus('connecting', '');
    try {
      return await this.#openOnce();
    } catch (err) {
      if (err instanceof BridgeError && err.code !== 'E_AUDIO_BACKEND') {
        this.#lost(err.message);
      } else {
        this.#setStatus('closed', '');
      }
      throw err;
    }
  }

  async retry(): Promise<void> {
    if (this.#status !== 'reconnecting' || this.#closing) return;
    if (this.#opening) {
      await this.#opening.catch(() => undefined);
      return;
    }
    this.#setStatus('connecting', '');
    try {
      await this.#openOnce();
    } catch (err) {
      this.#lost((err as Error).message);
    }
  }

  async close(): Promise<void> {
    this.#closing = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    await this.#opening?.catch(() => undefined);
    const child = this.#child;
    this.#child = undefined;
    if (child) await child.stop(this.#options.stopTimeoutMs);
    if (this.#status !== 'closed') this.#setStatus('closed', '');
  }

  #raisePriority(): void {
    const rt = this.#options.threadRealtimePriority ?? 0;
    if (rt > 0) {
      // Linux: /proc/thread-self names this thread (<pid>/task/<tid>); chrt -p sets one thread.
      let tid = '';
      try {
        tid = path.basename(readlinkSync('/proc/thread-self'));
      } catch {
        // not Linux, or no /proc
      }
      if (tid && spawnSync('chrt', ['-f', '-p', String(rt), tid], { stdio: 'ignore' }).status === 0) return;
      this.#options.log.warn({ priority: rt }, 'portaudio: cannot make the audio thread real-time (needs CAP_SYS_NICE); falling back to its nice value');
    }
    const nice = this.#options.niceness ?? 0;
    if (nice === 0) return;
    try {
      // Linux: pid 0 is the calling thread (nice is per thread under NPTL).
      if (os.getPriority(0) > nice) os.setPriority(0, nice);
    } catch (err) {
      this.#options.log.warn({ niceness: nice, err: (err as Error).message }, 'portaudio: cannot raise the audio thread priority; the stream may xrun under load');
    }
  }

  #openOnce(): Promise<OpenedStream> {
    const run = (async () => {
      const config = this.#config as AudioStreamConfig;
      const child = await this.#spawn();
      this.#child = child;
      const answer = await child
        .request(
          {
            type: 'open',
            pattern: this.#options.device,
            sampleRate: config.sampleRate,
            blockSize: config.blockSize,
            inputChannels: config.inputChannels,
            outputChannels: config.outputChannels,
            bufferBlocks: this.#options.bufferBlocks,
          },
          this.#options.openTimeoutMs ?? 10_000,
        )
        .catch(async (err: unknown) => {
          await child.stop(this.#options.stopTimeoutMs);
          throw err;
        });
      if (answer.type !== 'opened') {
        await child.stop(this.#options.stopTimeoutMs);
        this.#child = undefined;
        if (answer.type === 'error') throw new BridgeError(answer.code, answer.message, { details: { stderr: child.stderrTail() } });
        throw new BridgeError('E_AUDIO_BACKEND', `portaudio: unexpected answer ${answer.type}`);
      }
      if (this.#closing) {
        await child.stop(this.#options.stopTimeoutMs);
        throw new BridgeError('E_AUDIO_STREAM', 'portaudio: closed while opening');
      }
      child.run(config, this.#process as DuplexProcess, {
        onXrun: (added, kind) => {
          this.#xruns += added;
          this.emit('xrun', { total: this.#xruns, added, kind });
        },
        onLost: (why) => {
          if (this.#child !== child || this.#closing) return;
          this.#child = undefined;
          // A lost stream gets no polite quit: PortAudio's stop on a vanished device is exactly
          // where naudiodon hangs.
          void child.stop(0);
          this.#lost(why);
        },
        stallTimeoutMs: this.#options.stallTimeoutMs,
        pilot: this.#options.pilot ? new TimelinePilot(this.#options.pilot.output, this.#options.pilot.input) : undefined,
      });
      this.#setStatus('online', '');
      return { device: answer.device, config };
    })();
    this.#opening = run;
    return run.finally(() => {
      if (this.#opening === run) this.#opening = undefined;
    });
  }

  #lost(why: string): void {
    if (this.#closing) return;
    this.#setStatus('reconnecting', why);
    const every = this.#options.autoRetryMs;
    if (every !== undefined && !this.#retryTimer) {
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = undefined;
        void this.retry();
      }, every);
    }
  }

  async #spawn(): Promise<RunningChild> {
    const o = this.#options;
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'hb-portaudio-'));
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const node = [process.execPath, '--import', tsx, CHILD];
    const prefix: string[] = [];
    // Line-buffer the native prints so device xruns are counted when they happen.
    this.#tools ??= { stdbuf: hasTool('stdbuf'), setpriv: hasTool('setpriv') };
    if (this.#tools.stdbuf) prefix.push('stdbuf', '-oL');
    if (o.realtimePriority > 0) {
      this.#rtChecked ??= canRealtime(o.realtimePriority);
      if (this.#rtChecked) prefix.unshift('chrt', '-f', String(o.realtimePriority));
      else o.log.warn({ priority: o.realtimePriority }, 'portaudio: real-time scheduling unavailable; the stream may xrun under load');
    }
    // If the daemon dies (or the thread that spawned this), the kernel kills the stream process:
    // a child hung inside naudiodon's quit() cannot run a 'disconnect' handler.
    if (this.#tools.setpriv) prefix.unshift('setpriv', '--pdeathsig', 'KILL', '--');
    const argv = [...prefix, ...node];
    const env: NodeJS.ProcessEnv = { ...process.env, ...o.env };
    if (o.alsaConfig) env.ALSA_CONFIG_PATH = path.resolve(o.alsaConfig);
    const child = spawn(argv[0] as string, argv.slice(1), {
      cwd: scratch,
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc', 'pipe', 'pipe'],
    });
    const running = new RunningChild(child, scratch, o.log);
    await running.ready(o.openTimeoutMs ?? 10_000);
    return running;
  }

  #setStatus(status: BackendStatus, reason: string): void {
    this.#status = status;
    this.emit('status', { status, reason });
  }
}

function canRealtime(priority: number): boolean {
  return spawnSync('chrt', ['-f', String(priority), 'true'], { stdio: 'ignore' }).status === 0;
}

/** Blocks of startup where PortAudio's over/underflow flags are the stream settling, not xruns. */
const SETTLE_BLOCKS = 16;

interface RunHooks {
  onXrun(added: number, kind: 'late' | 'device' | 'gap'): void;
  onLost(why: string): void;
  stallTimeoutMs: number;
  pilot: TimelinePilot | undefined;
}

/** One stream process: its pipes, its control channel, its death. */
class RunningChild {
  readonly pid: number | undefined;
  readonly #child: ChildProcess;
  readonly #scratch: string;
  readonly #log: Logger;
  readonly #exited: Promise<void>;
  #exitedFlag = false;
  #stderr: string[] = [];
  #replies: ((r: PortAudioChildReply) => void)[] = [];
  #hooks: RunHooks | undefined;
  #blocks = 0;
  #watchdog: NodeJS.Timeout | undefined;
  #lastInputMs = 0;

  constructor(child: ChildProcess, scratch: string, log: Logger) {
    this.#child = child;
    this.pid = child.pid;
    this.#scratch = scratch;
    this.#log = log;
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#exitedFlag = true;
        this.#stopWatchdog();
        rmSync(this.#scratch, { recursive: true, force: true });
        this.#hooks?.onLost(`the stream process ended (${signal ?? `code ${String(code)}`})${this.#stderrHint()}`);
        for (const r of this.#replies.splice(0)) r({ type: 'error', code: 'E_AUDIO_BACKEND', message: `the stream process ended (${signal ?? `code ${String(code)}`})${this.#stderrHint()}` });
        resolve();
      });
    });
    child.on('error', (err) => {
      this.#log.warn({ err }, 'portaudio: stream process error');
    });
    child.on('message', (msg: PortAudioChildReply) => this.#onMessage(msg));
    (child.stdout as Readable).setEncoding('utf8');
    let line = '';
    (child.stdout as Readable).on('data', (d: string) => {
      line += d;
      let nl = line.indexOf('\n');
      while (nl >= 0) {
        this.#onNativeLine(line.slice(0, nl));
        line = line.slice(nl + 1);
        nl = line.indexOf('\n');
      }
    });
    (child.stderr as Readable).setEncoding('utf8');
    (child.stderr as Readable).on('data', (d: string) => {
      for (const l of d.split('\n')) if (l.trim() !== '') this.#stderr.push(l.trim());
      if (this.#stderr.length > 40) this.#stderr = this.#stderr.slice(-20);
    });
    for (const fd of [4, 5]) (child.stdio as unknown as (Readable | Writable | null)[])[fd]?.on('error', () => undefined);
  }

  stderrTail(): string[] {
    return this.#stderr.slice(-5);
  }

  #stderrHint(): string {
    const last = this.#stderr.filter((l) => !l.startsWith('ALSA lib')).pop() ?? this.#stderr[this.#stderr.length - 1];
    return last ? `: ${last}` : '';
  }

  ready(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        void this.stop(0);
        reject(new BridgeError('E_AUDIO_BACKEND', `the stream process did not start within ${timeoutMs} ms${this.#stderrHint()}`));
      }, timeoutMs);
      this.#replies.push((r) => {
        clearTimeout(timer);
        if (r.type === 'ready') resolve();
        else reject(new BridgeError(r.type === 'error' ? r.code : 'E_AUDIO_BACKEND', r.type === 'error' ? r.message : `unexpected ${r.type}`));
      });
    });
  }

  request(req: PortAudioChildRequest, timeoutMs: number): Promise<PortAudioChildReply> {
    if (this.#exitedFlag) return Promise.reject(new BridgeError('E_AUDIO_BACKEND', `the stream process has ended${this.#stderrHint()}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.#replies.indexOf(answer);
        if (i >= 0) this.#replies.splice(i, 1);
        reject(new BridgeError('E_AUDIO_DEVICE', `no answer to ${req.type} within ${timeoutMs} ms (the device may be hung)${this.#stderrHint()}`));
      }, timeoutMs);
      const answer = (r: PortAudioChildReply): void => {
        clearTimeout(timer);
        resolve(r);
      };
      this.#replies.push(answer);
      this.#child.send(req);
    });
  }

  #onMessage(msg: PortAudioChildReply): void {
    if (msg.type === 'xrun') {
      this.#hooks?.onXrun(msg.added, 'late');
      return;
    }
    if (msg.type === 'error' && this.#hooks && this.#replies.length === 0) {
      this.#hooks.onLost(msg.message);
      return;
    }
    const r = this.#replies.shift();
    r?.(msg);
  }

  #onNativeLine(line: string): void {
    // naudiodon prints "AudioIO: portAudio status - input overflow output underflow" when
    // PortAudio flags the callback; the first blocks after start are the stream settling.
    if (line.includes('portAudio status') && this.#hooks && this.#blocks > SETTLE_BLOCKS) this.#hooks.onXrun(1, 'device');
  }

  /** Start exchanging audio: every input block from the child is answered with one output block. */
  run(config: AudioStreamConfig, process: DuplexProcess, hooks: RunHooks): void {
    this.#hooks = hooks;
    const B = config.blockSize;
    const inCh = config.inputChannels;
    const outCh = config.outputChannels;
    const inFrame = 4 + B * inCh * 4;
    const outFrame = 4 + B * outCh * 4;
    const input = Array.from({ length: inCh }, () => new Float32Array(B));
    const output = Array.from({ length: outCh }, () => new Float32Array(B));
    // Interleaved staging, aligned, with byte views for the copies to and from the pipes.
    const inInterleaved = new Float32Array(B * inCh);
    const inBytes = Buffer.from(inInterleaved.buffer);
    const outInterleaved = new Float32Array(B * outCh);
    const outBytes = Buffer.from(outInterleaved.buffer);
    // Output frames rotate through a pool (no garbage per block: a major GC is a late block). A
    // buffer is only reused once the pipe has taken it: while the socket still queues more than the
    // pool minus two frames (a backlog after a stall), fresh buffers are used instead.
    const POOL = 64;
    const pool = Array.from({ length: POOL }, () => Buffer.alloc(outFrame));
    let poolAt = 0;
    let pending: Buffer = Buffer.alloc(0);
    const fromChild = this.#child.stdio[4] as Readable;
    const toChild = (this.#child.stdio as unknown as (Writable | null)[])[5] as Writable;
    this.#lastInputMs = performance.now();
    fromChild.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= inFrame) {
        const seq = pending.readUInt32LE(0);
        pending.copy(inBytes, 0, 4, inFrame);
        pending = pending.subarray(inFrame);
        for (let c = 0; c < inCh; c++) {
          const dst = input[c] as Float32Array;
          for (let i = 0, k = c; i < B; i++, k += inCh) dst[i] = inInterleaved[k] as number;
        }
        const pilot = hooks.pilot;
        if (pilot && pilot.check(input, B) > 0) hooks.onXrun(1, 'gap');
        for (let c = 0; c < outCh; c++) (output[c] as Float32Array).fill(0);
        process(input, output, B);
        pilot?.write(output, B);
        for (let c = 0; c < outCh; c++) {
          const src = output[c] as Float32Array;
          for (let i = 0, k = c; i < B; i++, k += outCh) outInterleaved[k] = src[i] as number;
        }
        let out: Buffer;
        if (toChild.writableLength <= (POOL - 2) * outFrame) {
          out = pool[poolAt] as Buffer;
          poolAt = poolAt + 1 === POOL ? 0 : poolAt + 1;
        } else {
          out = Buffer.allocUnsafe(outFrame);
        }
        out.writeUInt32LE(seq, 0);
        outBytes.copy(out, 4);
        toChild.write(out);
        this.#blocks++;
      }
      const now = performance.now();
      const periodMs = (1000 * B) / config.sampleRate;
      // A stall that resolved by itself (the device paused and resumed): the timeline slipped.
      if (this.#blocks > SETTLE_BLOCKS && now - this.#lastInputMs > Math.max(100, 8 * periodMs)) hooks.onXrun(1, 'gap');
      this.#lastInputMs = now;
    });
    this.#watchdog = setInterval(() => {
      if (performance.now() - this.#lastInputMs > hooks.stallTimeoutMs) {
        this.#stopWatchdog();
        hooks.onLost(`no audio from the device for ${hooks.stallTimeoutMs} ms (disconnected?)${this.#stderrHint()}`);
      }
    }, Math.max(20, Math.floor(hooks.stallTimeoutMs / 4)));
    this.#watchdog.unref();
  }

  #stopWatchdog(): void {
    if (this.#watchdog) clearInterval(this.#watchdog);
    this.#watchdog = undefined;
  }

  /** Ask the child to quit; SIGKILL after `timeoutMs`; resolves once it is reaped. */
  async stop(timeoutMs: number): Promise<void> {
    this.#hooks = undefined;
    this.#stopWatchdog();
    if (this.#exitedFlag) return;
    if (timeoutMs > 0 && this.#child.connected) {
      try {
        this.#child.send({ type: 'stop' });
      } catch {
        // channel already closed
      }
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), timeoutMs);
      await this.#exited;
      clearTimeout(timer);
      return;
    }
    this.#child.kill('SIGKILL');
    await this.#exited;
  }
}
