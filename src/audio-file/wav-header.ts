import { audioFileError } from './audio-file-error.ts';
import type { AudioSampleFormat, AudioStreamInfo } from './audio-file-types.ts';
import type { ByteSource } from './byte-source.ts';

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/** KSDATAFORMAT_SUBTYPE_* GUIDs share these bytes after the 16-bit format code. */
const SUBFORMAT_TAIL = Buffer.from([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71]);
/** RF64 / BW64 put 0xFFFFFFFF in the 32-bit sizes and the real ones in the ds64 chunk (EBU Tech 3306). */
const SIZE_IN_DS64 = 0xffffffff;
export const MAX_CHANNELS = 64;
/** A header walk gives up after this many chunks (a file of tiny chunks must not stall the command). */
export const MAX_CHUNKS = 4096;
export const MAX_SAMPLE_RATE = 768000;

interface WavFmt {
  formatTag: number;
  channels: number;
  sampleRate: number;
  blockAlign: number;
  bitsPerSample: number;
  channelMask: number;
}

/**
 * Parse a RIFF/WAVE, RF64 or BW64 header: walk the chunks (each padded to an even size), skip the ones
 * that do not matter without reading them, and return where the samples are. Throws BridgeError
 * E_WAV_CORRUPT / E_WAV_TRUNCATED / E_WAV_UNSUPPORTED naming `file`.
 */
export async function parseWavHeader(src: ByteSource, file: string): Promise<AudioStreamInfo> {
  const head = await src.read(0, 12);
  if (head.length < 12) throw audioFileError('E_WAV_TRUNCATED', file, 'the file ends inside the RIFF header');
  const riff = head.toString('latin1', 0, 4);
  if ((riff !== 'RIFF' && riff !== 'RF64' && riff !== 'BW64') || head.toString('latin1', 8, 12) !== 'WAVE') {
    throw audioFileError('E_WAV_CORRUPT', file, 'not a RIFF/WAVE file');
  }
  const rf64 = riff !== 'RIFF';
  let ds64DataSize = -1;
  let fmt: WavFmt | undefined;
  let dataOffset = -1;
  let dataSize = -1;
  let pos = 12;
  let chunks = 0;
  while (pos + 8 <= src.size) {
    if (++chunks > MAX_CHUNKS) throw audioFileError('E_WAV_CORRUPT', file, `more than ${MAX_CHUNKS} chunks before the samples`);
    const ch = await src.read(pos, 8);
    if (ch.length < 8) break;
    const id = ch.toString('latin1', 0, 4);
    const size = ch.readUInt32LE(4);
    const body = pos + 8;
    if (id === 'ds64') {
      if (size < 24) throw audioFileError('E_WAV_CORRUPT', file, `ds64 chunk of ${size} bytes is too small`);
      const b = await src.read(body, 24);
      if (b.length < 24) throw audioFileError('E_WAV_TRUNCATED', file, 'the file ends inside the ds64 chunk');
      ds64DataSize = Number(b.readBigUInt64LE(8));
    } else if (id === 'fmt ') {
      fmt = await readFmt(src, body, size, file);
    } else if (id === 'data') {
      dataOffset = body;
      if (rf64 && size === SIZE_IN_DS64) {
        if (ds64DataSize < 0) throw audioFileError('E_WAV_CORRUPT', file, 'RF64 data size is in a ds64 chunk that is missing');
        dataSize = ds64DataSize;
      } else if (size === SIZE_IN_DS64) {
        // A writer that could not seek back (a pipe) leaves the size at 0xFFFFFFFF: the data runs to the end.
        dataSize = src.size - body;
      } else dataSize = size;
      if (fmt !== undefined) break;
      pos = body + dataSize + (dataSize % 2);
      continue;
    }
    pos = body + size + (size % 2);
  }
  if (fmt === undefined) {
    throw audioFileError(pos > src.size ? 'E_WAV_TRUNCATED' : 'E_WAV_CORRUPT', file, 'no fmt chunk');
  }
  if (dataOffset < 0) {
    throw audioFileError(pos > src.size ? 'E_WAV_TRUNCATED' : 'E_WAV_CORRUPT', file, 'no data chunk');
  }
  const { format, bytesPerSample } = sampleFormat(fmt, file);
  const blockAlign = bytesPerSample * fmt.channels;
  if (fmt.blockAlign !== blockAlign) {
    throw audioFileError('E_WAV_CORRUPT', file, `block align ${fmt.blockAlign} does not match ${fmt.channels} channels of ${bytesPerSample} bytes`);
  }
  const available = src.size - dataOffset;
  if (dataSize > available) {
    throw audioFileError('E_WAV_TRUNCATED', file, `the data chunk declares ${dataSize} bytes but only ${available} are in the file`);
  }
  return {
    container: rf64 ? 'rf64' : 'wav',
    sampleRate: fmt.sampleRate,
    channels: fmt.channels,
    frames: Math.floor(dataSize / blockAlign),
    format,
    bytesPerSample,
    bigEndian: false,
    unsignedBytes: format === 'pcm8',
    channelMask: fmt.channelMask,
    dataOffset,
  };
}

async function readFmt(src: ByteSource, body: number, size: number, file: string): Promise<WavFmt> {
  if (size < 16) throw audioFileError('E_WAV_CORRUPT', file, `fmt chunk of ${size} bytes is too small`);
  const b = await src.read(body, Math.min(size, 40));
  if (b.length < Math.min(size, 40)) throw audioFileError('E_WAV_TRUNCATED', file, 'the file ends inside the fmt chunk');
  let formatTag = b.readUInt16LE(0);
  const channels = b.readUInt16LE(2);
  const sampleRate = b.readUInt32LE(4);
  const blockAlign = b.readUInt16LE(12);
  const bitsPerSample = b.readUInt16LE(14);
  let channelMask = 0;
  if (formatTag === WAVE_FORMAT_EXTENSIBLE) {
    if (b.length < 40) throw audioFileError('E_WAV_CORRUPT', file, 'WAVE_FORMAT_EXTENSIBLE fmt chunk is shorter than 40 bytes');
    channelMask = b.readUInt32LE(20);
    if (!b.subarray(26, 40).equals(SUBFORMAT_TAIL)) throw audioFileError('E_WAV_UNSUPPORTED', file, 'WAVE_FORMAT_EXTENSIBLE sub-format is not PCM or IEEE float');
    formatTag = b.readUInt16LE(24);
  }
  if (channels === 0) throw audioFileError('E_WAV_CORRUPT', file, 'fmt chunk says 0 channels');
  if (channels > MAX_CHANNELS) throw audioFileError('E_WAV_UNSUPPORTED', file, `${channels} channels (at most ${MAX_CHANNELS})`);
  if (sampleRate === 0) throw audioFileError('E_WAV_CORRUPT', file, 'fmt chunk says 0 Hz');
  if (sampleRate > MAX_SAMPLE_RATE) throw audioFileError('E_WAV_UNSUPPORTED', file, `sample rate ${sampleRate} Hz (at most ${MAX_SAMPLE_RATE})`);
  if (channelMask !== 0 && popCount(channelMask) < channels) channelMask = 0; // a mask that names fewer speakers than channels is useless
  return { formatTag, channels, sampleRate, blockAlign, bitsPerSample, channelMask };
}

function sampleFormat(fmt: WavFmt, file: string): { format: AudioSampleFormat; bytesPerSample: number } {
  const bytes = Math.ceil(fmt.bitsPerSample / 8);
  if (fmt.formatTag === WAVE_FORMAT_PCM) {
    if (bytes === 1) return { format: 'pcm8', bytesPerSample: 1 };
    if (bytes === 2) return { format: 'pcm16', bytesPerSample: 2 };
    if (bytes === 3) return { format: 'pcm24', bytesPerSample: 3 };
    if (bytes === 4) return { format: 'pcm32', bytesPerSample: 4 };
    throw audioFileError('E_WAV_UNSUPPORTED', file, `${fmt.bitsPerSample}-bit PCM`);
  }
  if (fmt.formatTag === WAVE_FORMAT_IEEE_FLOAT) {
    if (fmt.bitsPerSample === 32) return { format: 'float32', bytesPerSample: 4 };
    if (fmt.bitsPerSample === 64) return { format: 'float64', bytesPerSample: 8 };
    throw audioFileError('E_WAV_UNSUPPORTED', file, `${fmt.bitsPerSample}-bit float`);
  }
  throw audioFileError('E_WAV_UNSUPPORTED', file, `WAVE format 0x${fmt.formatTag.toString(16).padStart(4, '0')} is compressed or unknown (PCM and IEEE float only)`);
}

function popCount(v: number): number {
  let n = 0;
  for (let x = v >>> 0; x !== 0; x >>>= 1) n += x & 1;
  return n;
}
