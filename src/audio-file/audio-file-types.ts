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

/**
 * A streaming reader: the header is parsed on open, samples are read block by block, so a file of any
 * length costs only the block being read.
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
   * 0 at the end. The allocation-free variant of read() for long files.
   */
  readInto(planar: readonly Float32Array[], maxFrames: number): Promise<number>;
  close(): Promise<void>;
}
