import { audioFileError } from './audio-file-error.ts';
import type { AudioSampleFormat, AudioStreamInfo } from './audio-file-types.ts';
import type { ByteSource } from './byte-source.ts';
import { MAX_CHANNELS, MAX_CHUNKS, MAX_SAMPLE_RATE } from './wav-header.ts';

/**
 * Parse an AIFF or AIFF-C header (Apple "Audio Interchange File Format" 1.3 and AIFF-C draft 1991):
 * big-endian chunks padded to even sizes, COMM with the 80-bit extended sample rate, SSND with its
 * offset/blockSize prefix. AIFF-C compression types NONE/twos (big-endian PCM), sowt (little-endian
 * PCM), in24/in32, fl32/FL32 and fl64/FL64 are read; anything compressed is E_WAV_UNSUPPORTED.
 */
export async function parseAiffHeader(src: ByteSource, file: string): Promise<AudioStreamInfo> {
  const head = await src.read(0, 12);
  if (head.length < 12) throw audioFileError('E_WAV_TRUNCATED', file, 'the file ends inside the FORM header');
  const kind = head.toString('latin1', 8, 12);
  if (head.toString('latin1', 0, 4) !== 'FORM' || (kind !== 'AIFF' && kind !== 'AIFC')) {
    throw audioFileError('E_WAV_CORRUPT', file, 'not an AIFF/AIFF-C file');
  }
  const aifc = kind === 'AIFC';
  let comm: Comm | undefined;
  let dataOffset = -1;
  let dataBytes = -1;
  let pos = 12;
  let chunks = 0;
  while (pos + 8 <= src.size) {
    if (++chunks > MAX_CHUNKS) throw audioFileError('E_WAV_CORRUPT', file, `more than ${MAX_CHUNKS} chunks before the samples`);
    const ch = await src.read(pos, 8);
    if (ch.length < 8) break;
    const id = ch.toString('latin1', 0, 4);
    const size = ch.readUInt32BE(4);
    const body = pos + 8;
    if (id === 'COMM') {
      comm = await readComm(src, body, size, aifc, file);
    } else if (id === 'SSND') {
      if (size < 8) throw audioFileError('E_WAV_CORRUPT', file, `SSND chunk of ${size} bytes is too small`);
      const b = await src.read(body, 8);
      if (b.length < 8) throw audioFileError('E_WAV_TRUNCATED', file, 'the file ends inside the SSND chunk');
      const offset = b.readUInt32BE(0);
      if (offset > size - 8) throw audioFileError('E_WAV_CORRUPT', file, `SSND offset ${offset} is past the chunk`);
      dataOffset = body + 8 + offset;
      dataBytes = size - 8 - offset;
    }
    pos = body + size + (size % 2);
  }
  if (comm === undefined) throw audioFileError(pos > src.size ? 'E_WAV_TRUNCATED' : 'E_WAV_CORRUPT', file, 'no COMM chunk');
  const blockAlign = comm.bytesPerSample * comm.channels;
  const declared = comm.frames * blockAlign;
  if (comm.frames > 0 && dataOffset < 0) throw audioFileError(pos > src.size ? 'E_WAV_TRUNCATED' : 'E_WAV_CORRUPT', file, 'no SSND chunk');
  const available = dataOffset < 0 ? 0 : src.size - dataOffset;
  if (declared > available) {
    throw audioFileError('E_WAV_TRUNCATED', file, `${comm.frames} frames declared but only ${Math.floor(available / blockAlign)} are in the file`);
  }
  if (declared > dataBytes && comm.frames > 0) {
    throw audioFileError('E_WAV_CORRUPT', file, `COMM declares ${comm.frames} frames but SSND holds ${Math.floor(dataBytes / blockAlign)}`);
  }
  return {
    container: aifc ? 'aifc' : 'aiff',
    sampleRate: comm.sampleRate,
    channels: comm.channels,
    frames: comm.frames,
    format: comm.format,
    bytesPerSample: comm.bytesPerSample,
    bigEndian: comm.bigEndian,
    unsignedBytes: false,
    channelMask: 0,
    dataOffset: Math.max(0, dataOffset),
  };
}

interface Comm {
  channels: number;
  frames: number;
  sampleRate: number;
  format: AudioSampleFormat;
  bytesPerSample: number;
  bigEndian: boolean;
}

async function readComm(src: ByteSource, body: number, size: number, aifc: boolean, file: string): Promise<Comm> {
  const need = aifc ? 22 : 18;
  if (size < need) throw audioFileError('E_WAV_CORRUPT', file, `COMM chunk of ${size} bytes is too small`);
  const b = await src.read(body, need);
  if (b.length < need) throw audioFileError('E_WAV_TRUNCATED', file, 'the file ends inside the COMM chunk');
  const channels = b.readInt16BE(0);
  const frames = b.readUInt32BE(2);
  const bits = b.readInt16BE(6);
  const rate = extended80(b, 8);
  if (channels <= 0) throw audioFileError('E_WAV_CORRUPT', file, `COMM says ${channels} channels`);
  if (channels > MAX_CHANNELS) throw audioFileError('E_WAV_UNSUPPORTED', file, `${channels} channels (at most ${MAX_CHANNELS})`);
  if (!(rate >= 1)) throw audioFileError('E_WAV_CORRUPT', file, 'COMM sample rate is not a positive number');
  const sampleRate = Math.round(rate);
  if (sampleRate > MAX_SAMPLE_RATE) throw audioFileError('E_WAV_UNSUPPORTED', file, `sample rate ${sampleRate} Hz (at most ${MAX_SAMPLE_RATE})`);
  const compression = aifc ? b.toString('latin1', 18, 22) : 'NONE';
  const pcm = (bigEndian: boolean): Comm => {
    if (bits < 1 || bits > 32) throw audioFileError('E_WAV_CORRUPT', file, `COMM sample size ${bits} bits`);
    const bytes = Math.ceil(bits / 8);
    const format: AudioSampleFormat = bytes === 1 ? 'pcm8' : bytes === 2 ? 'pcm16' : bytes === 3 ? 'pcm24' : 'pcm32';
    return { channels, frames, sampleRate, format, bytesPerSample: bytes, bigEndian };
  };
  switch (compression) {
    case 'NONE':
    case 'twos':
    case 'in24':
    case 'in32':
      return pcm(true);
    case 'sowt':
      return pcm(false);
    case 'fl32':
    case 'FL32':
      return { channels, frames, sampleRate, format: 'float32', bytesPerSample: 4, bigEndian: true };
    case 'fl64':
    case 'FL64':
      return { channels, frames, sampleRate, format: 'float64', bytesPerSample: 8, bigEndian: true };
    default:
      throw audioFileError('E_WAV_UNSUPPORTED', file, `AIFF-C compression '${compression.replace(/[^\x20-\x7e]/g, '?')}' (PCM and float only)`);
  }
}

/** IEEE 754 80-bit extended (SANE), big-endian: sign + 15-bit exponent, 64-bit mantissa with explicit integer bit. */
export function extended80(b: Buffer, offset: number): number {
  const se = b.readUInt16BE(offset);
  const hi = b.readUInt32BE(offset + 2);
  const lo = b.readUInt32BE(offset + 6);
  const sign = se & 0x8000 ? -1 : 1;
  const exp = se & 0x7fff;
  if (exp === 0 && hi === 0 && lo === 0) return 0;
  if (exp === 0x7fff) return NaN;
  return sign * (hi * 2 ** (exp - 16383 - 31) + lo * 2 ** (exp - 16383 - 63));
}
