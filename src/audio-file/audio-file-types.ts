/** Sample encodings the readers decode (and, for pcm16 / pcm24 / float32, the writer encodes). */
export type AudioSampleFormat = 'pcm8' | 'pcm16' | 'pcm24' | 'pcm32' | 'float32' | 'float64';

export type AudioContainer = 'wav' | 'rf64' | 'aiff' | 'aifc';

/** Where the samples of an opened file are and how they are stored. */
export interface AudioStreamInfo {
  readonly container: AudioContainer;
  readonly sampleRate: number;
  readonly channels: number;
  /** Whole frames available in the data chunk. */
  readonly frames: number;
  readonly format: AudioSampleFormat;
  /** Bytes per sample in the file (the container size; valid bits may be fewer, left-justified). */
  readonly bytesPerSample: number;
  readonly bigEndian: boolean;
  /** 8-bit samples are unsigned (WAV) rather than signed (AIFF). */
  readonly unsignedBytes: boolean;
  /** WAVE_FORMAT_EXTENSIBLE dwChannelMask, 0 when the file has none. */
  readonly channelMask: number;
  /** Byte offset of the first sample frame. */
  readonly dataOffset: number;
}

/** Options of openAudioFile(). */
export interface AudioFileReaderOptions {
  /**
   * Size of the read-ahead buffer in bytes (default READ_AHEAD_BYTES, 1 MiB), rounded down to whole
   * frames (at least one). Sequential reads are served from it, one file read per buffer-full.
   */
  readonly readAheadBytes?: number;
}

/**
 * A streaming reader: the header is parsed on open, samples are read block by block through a fixed
 * read-ahead buffer, so a file of any length costs only that buffer. Calls run in the order they are
 * made, even when the caller does not wait for one before making the next.
 */
export interface AudioFileReader {
  readonly path: string;
  readonly sampleRate: number;
  readonly channels: number;
  readonly frames: number;
  readonly format: AudioSampleFormat;
  readonly container: AudioContainer;
  readonly channelMask: number;
  /** Up to `maxFrames` frames as new planar arrays, null at the end. */
  read(maxFrames: number): Promise<Float32Array[] | null>;
  /**
   * Up to `maxFrames` frames into the caller's planar arrays (from index 0); returns the frames read,
   * 0 at the end. The allocation-free variant of read() for long files: when the frames are already in
   * the read-ahead buffer and no earlier call is pending, they are decoded before this returns and the
   * promise is an already-resolved one. If the file turns out shorter than its header said (it shrank
   * after open), the call that reaches the missing frame rejects with E_WAV_TRUNCATED naming that frame,
   * and the position stays where that call started.
   */
  readInto(planar: readonly Float32Array[], maxFrames: number): Promise<number>;
  /** Calls made before close() still complete; later ones reject with E_WAV_NOT_FOUND. Idempotent. */
  close(): Promise<void>;
}
