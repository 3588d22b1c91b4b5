/**
 * The PortAudio stream's own process (spawned by portaudio-backend.ts), and the only file that
 * imports naudiodon. It lives apart from the daemon because naudiodon 2.3.6 can hang in quit()
 * (then even process.exit() hangs: only a signal ends it), prints to stdout on every open, writes
 * crash.log into the working directory, and a PortAudio assertion aborts the whole process.
 *
 * Channels (set up by the parent):
 *   IPC     control messages (see PortAudioChildRequest / PortAudioChildReply);
 *   fd 4    to the parent: input blocks   [uint32 seq][float32 interleaved blockSize x inputChannels];
 *   fd 5    from the parent: output blocks [uint32 seq][float32 interleaved blockSize x outputChannels];
 *   stdout  naudiodon's own prints (the parent counts "portAudio status" lines as device xruns).
 *
 * Timeline: `bufferBlocks` (P) silent blocks are queued before the stream starts. When input
 * block k arrives, output slot k+1 is queued: the parent's answer to input block k+1-P, or, if
 * that answer is not here yet, silence (a `late` xrun; the answer is dropped when it comes).
 * So the device never waits on the daemon, and the round trip stays constant through xruns.
 */
import { Socket } from 'node:net';
import { matchDevice } from './device-match.ts';

export interface PortAudioOpenRequest {
  readonly type: 'open';
  readonly pattern: string;
  readonly sampleRate: number;
  readonly blockSize: number;
  readonly inputChannels: number;
  readonly outputChannels: number;
  readonly bufferBlocks: number;
}

export type PortAudioChildRequest = { readonly type: 'list' } | PortAudioOpenRequest | { readonly type: 'stop' };

export interface ChildDevice {
  readonly name: string;
  readonly maxInputChannels: number;
  readonly maxOutputChannels: number;
  readonly defaultSampleRate: number;
  readonly hostApi: string;
}

export type PortAudioChildReply =
  | { readonly type: 'ready' }
  | { readonly type: 'devices'; readonly devices: readonly ChildDevice[] }
  | { readonly type: 'opened'; readonly device: string }
  | { readonly type: 'error'; readonly code: 'E_AUDIO_BACKEND' | 'E_AUDIO_DEVICE' | 'E_AUDIO_STREAM'; readonly message: string }
  | { readonly type: 'xrun'; readonly added: number };

interface NaudiodonDevice {
  id: number;
  name: string;
  maxInputChannels: number;
  maxOutputChannels: number;
  defaultSampleRate: number;
  hostAPIName: string;
}

interface NaudiodonStream {
  on(event: 'data', listener: (buf: Buffer) => void): void;
  on(event: 'error', listener: (err: Error) => void): void;
  write(buf: Buffer): boolean;
  start(): void;
  quit(cb?: () => void): void;
}

interface Naudiodon {
  SampleFormatFloat32: 1;
  getDevices(): NaudiodonDevice[];
  AudioIO(options: Record<string, unknown>): NaudiodonStream;
}

function reply(msg: PortAudioChildReply): void {
  process.send?.(msg);
}

function firstLine(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return (m.split('\n').find((l) => l.trim() !== '') ?? m).trim();
}

async function loadNaudiodon(): Promise<Naudiodon | string> {
  try {
    const mod = (await import('naudiodon')) as unknown as { default?: Naudiodon } & Naudiodon;
    return mod.default ?? mod;
  } catch (err) {
    return `naudiodon cannot load: ${firstLine(err)}`;
  }
}

function listDevices(pa: Naudiodon): ChildDevice[] {
  return pa.getDevices().map((d) => ({
    name: d.name,
    maxInputChannels: d.maxInputChannels,
    maxOutputChannels: d.maxOutputChannels,
    defaultSampleRate: d.defaultSampleRate,
    hostApi: d.hostAPIName,
  }));
}

class ChildStream {
  readonly #req: PortAudioOpenRequest;
  readonly #io: NaudiodonStream;
  readonly #toParent: Socket;
  readonly #inBytes: number;
  readonly #outBytes: number;
  readonly #silence: Buffer;
  /** Parent answers not yet played, by sequence number. */
  readonly #answers = new Map<number, Buffer>();
  #inPending: Buffer = Buffer.alloc(0);
  #outPending: Buffer = Buffer.alloc(0);
  #inSeq = 0;
  #lateSince = 0;

  constructor(pa: Naudiodon, deviceId: number, req: PortAudioOpenRequest, toParent: Socket, fromParent: Socket) {
    this.#req = req;
    this.#toParent = toParent;
    this.#inBytes = req.blockSize * req.inputChannels * 4;
    this.#outBytes = req.blockSize * req.outputChannels * 4;
    this.#silence = Buffer.alloc(this.#outBytes);
    const common = { deviceId, sampleRate: req.sampleRate, sampleFormat: pa.SampleFormatFloat32, framesPerBuffer: req.blockSize, closeOnError: false };
    this.#io = pa.AudioIO({
      inOptions: { ...common, channelCount: req.inputChannels, highwaterMark: this.#inBytes, maxQueue: 4 },
      outOptions: { ...common, channelCount: req.outputChannels, highwaterMark: this.#outBytes, maxQueue: req.bufferBlocks + 2 },
    });
    this.#io.on('error', (err) => reply({ type: 'error', code: 'E_AUDIO_STREAM', message: firstLine(err) }));
    fromParent.on('data', (chunk: Buffer) => this.#onAnswer(chunk));
    for (let i = 0; i < req.bufferBlocks; i++) this.#io.write(this.#silence);
    this.#io.on('data', (buf: Buffer) => this.#onInput(buf));
    // Late answers are reported in batches (IPC per block would be a storm during an overload).
    setInterval(() => {
      if (this.#lateSince > 0) {
        reply({ type: 'xrun', added: this.#lateSince });
        this.#lateSince = 0;
      }
    }, 20).unref();
  }

  start(): void {
    this.#io.start();
  }

  quit(): void {
    this.#io.quit();
  }

  #onAnswer(chunk: Buffer): void {
    const frame = 4 + this.#outBytes;
    this.#outPending = this.#outPending.length === 0 ? chunk : Buffer.concat([this.#outPending, chunk]);
    while (this.#outPending.length >= frame) {
      const seq = this.#outPending.readUInt32LE(0);
      this.#answers.set(seq, Buffer.from(this.#outPending.subarray(4, frame)));
      this.#outPending = this.#outPending.subarray(frame);
    }
  }

  #onInput(buf: Buffer): void {
    this.#inPending = this.#inPending.length === 0 ? buf : Buffer.concat([this.#inPending, buf]);
    while (this.#inPending.length >= this.#inBytes) {
      const block = this.#inPending.subarray(0, this.#inBytes);
      this.#inPending = this.#inPending.subarray(this.#inBytes);
      const k = this.#inSeq++;
      const head = Buffer.allocUnsafe(4);
      head.writeUInt32LE(k >>> 0, 0);
      this.#toParent.write(Buffer.concat([head, block]));
      const slot = k + 1;
      if (slot < this.#req.bufferBlocks) continue;
      const want = (slot - this.#req.bufferBlocks) >>> 0;
      const answer = this.#answers.get(want);
      if (answer) {
        this.#io.write(answer);
      } else {
        this.#io.write(this.#silence);
        this.#lateSince++;
      }
      // Anything at or before `want` is either played or too late now.
      for (const seq of this.#answers.keys()) if (seq <= want) this.#answers.delete(seq);
    }
  }
}

async function main(): Promise<void> {
  const loaded = await loadNaudiodon();
  const toParent = new Socket({ fd: 4, readable: false, writable: true });
  const fromParent = new Socket({ fd: 5, readable: true, writable: false });
  toParent.on('error', () => process.kill(process.pid, 'SIGKILL'));
  fromParent.on('error', () => process.kill(process.pid, 'SIGKILL'));
  let stream: ChildStream | undefined;
  // The parent went away: never linger (and never risk a hanging exit).
  process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
  process.on('message', (msg: PortAudioChildRequest) => {
    if (msg.type === 'stop') {
      // quit() may hang forever; the parent SIGKILLs us after its timeout.
      try {
        stream?.quit();
      } catch {
        // a stream that cannot stop is killed by the parent
      }
      setTimeout(() => process.exit(0), 50);
      return;
    }
    if (typeof loaded === 'string') {
      reply({ type: 'error', code: 'E_AUDIO_BACKEND', message: loaded });
      return;
    }
    if (msg.type === 'list') {
      try {
        reply({ type: 'devices', devices: listDevices(loaded) });
      } catch (err) {
        reply({ type: 'error', code: 'E_AUDIO_BACKEND', message: `PortAudio: ${firstLine(err)}` });
      }
      return;
    }
    if (stream) {
      reply({ type: 'error', code: 'E_AUDIO_STREAM', message: 'already open' });
      return;
    }
    let devices: NaudiodonDevice[];
    try {
      devices = loaded.getDevices();
    } catch (err) {
      reply({ type: 'error', code: 'E_AUDIO_BACKEND', message: `PortAudio: ${firstLine(err)}` });
      return;
    }
    const found = matchDevice(
      devices.map((d) => ({ name: d.name, maxInputChannels: d.maxInputChannels, maxOutputChannels: d.maxOutputChannels, defaultSampleRate: d.defaultSampleRate, hostApi: d.hostAPIName })),
      msg.pattern,
      { inputs: msg.inputChannels, outputs: msg.outputChannels },
    );
    const device = found.device ? devices.find((d) => d.name === found.device?.name) : undefined;
    if (!device) {
      reply({ type: 'error', code: 'E_AUDIO_DEVICE', message: found.why });
      return;
    }
    try {
      stream = new ChildStream(loaded, device.id, msg, toParent, fromParent);
      stream.start();
      reply({ type: 'opened', device: device.name });
    } catch (err) {
      stream = undefined;
      reply({ type: 'error', code: 'E_AUDIO_DEVICE', message: `cannot open "${device.name}": ${firstLine(err)}` });
    }
  });
  reply({ type: 'ready' });
}

void main();
