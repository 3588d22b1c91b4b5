import { openAudioFile } from '../../audio-file/index.ts';
import { BridgeError } from '../../errors.ts';

export interface PlayRegion {
  /** First frame (inclusive). */
  readonly startFrame: number;
  /** End frame (exclusive). */
  readonly endFrame: number;
}

/** Decoded audio, planar, at the session rate. */
export interface SourceAudio {
  readonly name: string;
  readonly sampleRate: number;
  readonly channels: readonly Float32Array[];
}

/**
 * The WAV/AIFF source: play, stop, locate, loop a region. The file is decoded once into memory
 * (planar float32) so locate and loop are sample-exact and free on the audio path; a 10 minute
 * stereo master at 96 kHz takes 460 MB.
 *
 * Control calls (play/stop/locate/setLoop) take effect at the next block. `read()` is the audio
 * side: it copies, wraps at the loop end, and after the end of the file (no loop) gives silence
 * and raises `ended`.
 */
export class SourcePlayer {
  readonly audio: SourceAudio;
  readonly #frames: number;
  #position = 0;
  #playing = false;
  #ended = false;
  #loop: PlayRegion | null = null;
  #stopAt = -1;

  constructor(audio: SourceAudio) {
    if (audio.channels.length === 0) throw new TypeError('source player: no channels');
    this.audio = audio;
    this.#frames = (audio.channels[0] as Float32Array).length;
  }

  /**
   * Decode `file` for a session at `sampleRate` with `programChannels` channels. A mono file is
   * played on every channel; a file with more channels than the programme, or at another rate,
   * is refused (E_WAV_UNSUPPORTED): the daemon does not resample.
   */
  static async load(file: string, sampleRate: number, programChannels: number): Promise<SourcePlayer> {
    const reader = await openAudioFile(file);
    try {
      if (reader.sampleRate !== sampleRate) {
        throw new BridgeError('E_WAV_UNSUPPORTED', `${file} is at ${reader.sampleRate} Hz but the session runs at ${sampleRate} Hz (convert the file; the player does not resample)`, {
          details: { file, fileRate: reader.sampleRate, sessionRate: sampleRate },
        });
      }
      if (reader.channels !== 1 && reader.channels !== programChannels) {
        throw new BridgeError('E_WAV_UNSUPPORTED', `${file} has ${reader.channels} channels; the programme has ${programChannels}`, {
          details: { file, channels: reader.channels, programChannels },
        });
      }
      const planar = Array.from({ length: reader.channels }, () => new Float32Array(reader.frames));
      const chunk = Array.from({ length: reader.channels }, () => new Float32Array(65536));
      let at = 0;
      for (;;) {
        const n = await reader.readInto(chunk, Math.min(65536, reader.frames - at));
        if (n === 0) break;
        for (let c = 0; c < reader.channels; c++) (planar[c] as Float32Array).set((chunk[c] as Float32Array).subarray(0, n), at);
        at += n;
        if (at >= reader.frames) break;
      }
      const channels = reader.channels === 1 ? Array.from({ length: programChannels }, () => planar[0] as Float32Array) : planar;
      return new SourcePlayer({ name: file, sampleRate, channels: channels.map((c) => (at < c.length ? c.subarray(0, at) : c)) });
    } finally {
      await reader.close();
    }
  }

  get lengthFrames(): number {
    return this.#frames;
  }

  get position(): number {
    return this.#position;
  }

  get playing(): boolean {
    return this.#playing;
  }

  /** Reached the end (or the `stopAt` frame) while playing without a loop. */
  get ended(): boolean {
    return this.#ended;
  }

  get loop(): PlayRegion | null {
    return this.#loop;
  }

  play(): void {
    this.#ended = false;
    this.#playing = true;
  }

  stop(): void {
    this.#playing = false;
  }

  locate(frame: number): void {
    if (!Number.isInteger(frame) || frame < 0 || frame > this.#frames) {
      throw new BridgeError('E_TRANSPORT_STATE', `locate to ${frame}: the source has ${this.#frames} frames`, { details: { frame, frames: this.#frames } });
    }
    this.#position = frame;
    this.#ended = false;
  }

  /** Loop a region (null: no loop). The region must lie inside the file and be at least 1 frame. */
  setLoop(region: PlayRegion | null): void {
    if (region !== null) this.#checkRegion(region);
    this.#loop = region;
  }

  /** Play without looping and end at `frame` (exclusive) instead of the file's end; -1: the file's end. */
  setStopAt(frame: number): void {
    this.#stopAt = frame;
  }

  #checkRegion(r: PlayRegion): void {
    if (!Number.isInteger(r.startFrame) || !Number.isInteger(r.endFrame) || r.startFrame < 0 || r.endFrame > this.#frames || r.endFrame <= r.startFrame) {
      throw new BridgeError('E_TRANSPORT_STATE', `region ${r.startFrame}..${r.endFrame} is not inside the source (0..${this.#frames})`, { details: { ...r, frames: this.#frames } });
    }
  }

  /** Audio side: fill `out` (program channels) with the next `frames` frames. */
  read(out: readonly Float32Array[], frames: number): void {
    const n = out.length;
    if (!this.#playing) {
      for (let c = 0; c < n; c++) (out[c] as Float32Array).fill(0, 0, frames);
      return;
    }
    const src = this.audio.channels;
    const loop = this.#loop;
    const end = loop !== null && this.#stopAt < 0 ? loop.endFrame : this.#stopAt >= 0 ? this.#stopAt : this.#frames;
    let done = 0;
    let pos = this.#position;
    while (done < frames) {
      if (pos >= end) {
        if (loop !== null && this.#stopAt < 0) {
          pos = loop.startFrame;
        } else {
          for (let c = 0; c < n; c++) (out[c] as Float32Array).fill(0, done, frames);
          this.#ended = true;
          this.#playing = false;
          break;
        }
      }
      const take = end - pos < frames - done ? end - pos : frames - done;
      for (let c = 0; c < n; c++) {
        const s = src[c < src.length ? c : 0] as Float32Array;
        const o = out[c] as Float32Array;
        for (let i = 0; i < take; i++) o[done + i] = s[pos + i] as number;
      }
      pos += take;
      done += take;
    }
    this.#position = pos;
  }
}
