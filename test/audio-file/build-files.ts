/**
 * Byte-level builders for WAV / RF64 / AIFF / AIFF-C test files, written from the format specifications
 * (Microsoft RIFF/WAVE, EBU Tech 3306 RF64, Apple AIFF 1.3 / AIFF-C), independent of the writer under test.
 */

export interface Chunk {
  readonly id: string;
  readonly body: Buffer;
}

export function chunkLE(id: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.write(id, 0, 'latin1');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body, body.length % 2 === 1 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

export function chunkBE(id: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.write(id, 0, 'latin1');
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body, body.length % 2 === 1 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

export interface WavSpec {
  formatTag: number; // 1 PCM, 3 float, 0xFFFE extensible
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  /** For extensible: the sub-format code (1 or 3) and mask. */
  subFormat?: number;
  channelMask?: number;
  validBits?: number;
  /** Interleaved sample bytes. */
  data: Buffer;
  before?: Buffer[];
  after?: Buffer[];
}

export function fmtBody(spec: WavSpec): Buffer {
  const ext = spec.formatTag === 0xfffe;
  const b = Buffer.alloc(ext ? 40 : 16);
  const blockAlign = spec.channels * Math.ceil(spec.bitsPerSample / 8);
  b.writeUInt16LE(spec.formatTag, 0);
  b.writeUInt16LE(spec.channels, 2);
  b.writeUInt32LE(spec.sampleRate, 4);
  b.writeUInt32LE(spec.sampleRate * blockAlign, 8);
  b.writeUInt16LE(blockAlign, 12);
  b.writeUInt16LE(spec.bitsPerSample, 14);
  if (ext) {
    b.writeUInt16LE(22, 16);
    b.writeUInt16LE(spec.validBits ?? spec.bitsPerSample, 18);
    b.writeUInt32LE(spec.channelMask ?? 0, 20);
    b.writeUInt16LE(spec.subFormat ?? 1, 24);
    Buffer.from([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71]).copy(b, 26);
  }
  return b;
}

export function wavBytes(spec: WavSpec): Buffer {
  const body = Buffer.concat([...(spec.before ?? []), chunkLE('fmt ', fmtBody(spec)), chunkLE('data', spec.data), ...(spec.after ?? [])]);
  const head = Buffer.alloc(12);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(4 + body.length, 4);
  head.write('WAVE', 8, 'latin1');
  return Buffer.concat([head, body]);
}

/** RF64 with a ds64 chunk and 0xFFFFFFFF in the 32-bit sizes (EBU Tech 3306). */
export function rf64Bytes(spec: WavSpec): Buffer {
  const ds64 = Buffer.alloc(28);
  const fmt = chunkLE('fmt ', fmtBody(spec));
  const dataHead = Buffer.alloc(8);
  dataHead.write('data', 0, 'latin1');
  dataHead.writeUInt32LE(0xffffffff, 4);
  const riffSize = 4 + 36 + fmt.length + 8 + spec.data.length;
  ds64.writeBigUInt64LE(BigInt(riffSize), 0);
  ds64.writeBigUInt64LE(BigInt(spec.data.length), 8);
  ds64.writeBigUInt64LE(BigInt(spec.data.length / (spec.channels * Math.ceil(spec.bitsPerSample / 8))), 16);
  const head = Buffer.alloc(12);
  head.write('RF64', 0, 'latin1');
  head.writeUInt32LE(0xffffffff, 4);
  head.write('WAVE', 8, 'latin1');
  return Buffer.concat([head, chunkLE('ds64', ds64), fmt, dataHead, spec.data]);
}

/** 80-bit IEEE extended, big-endian, for integral positive rates. */
export function extendedBytes(value: number): Buffer {
  const b = Buffer.alloc(10);
  if (value === 0) return b;
  let exp = Math.floor(Math.log2(value));
  let mant = value / 2 ** exp; // 1 <= mant < 2
  if (mant >= 2) {
    mant /= 2;
    exp++;
  }
  b.writeUInt16BE(exp + 16383, 0);
  const hi = Math.floor(mant * 2 ** 31);
  const lo = Math.round((mant * 2 ** 31 - hi) * 2 ** 32);
  b.writeUInt32BE(hi >>> 0, 2);
  b.writeUInt32BE(lo >>> 0, 6);
  return b;
}

export interface AiffSpec {
  channels: number;
  frames: number;
  bits: number;
  sampleRate: number;
  /** AIFF-C compression type; undefined for plain AIFF. */
  compression?: string;
  data: Buffer;
  ssndOffset?: number;
  before?: Buffer[];
}

export function aiffBytes(spec: AiffSpec): Buffer {
  const aifc = spec.compression !== undefined;
  const comm = Buffer.alloc(aifc ? 24 : 18);
  comm.writeInt16BE(spec.channels, 0);
  comm.writeUInt32BE(spec.frames, 2);
  comm.writeInt16BE(spec.bits, 6);
  extendedBytes(spec.sampleRate).copy(comm, 8);
  if (aifc) {
    comm.write(spec.compression ?? 'NONE', 18, 'latin1');
    comm.writeUInt8(0, 22); // empty pascal string name
    comm.writeUInt8(0, 23); // pad
  }
  const offset = spec.ssndOffset ?? 0;
  const ssnd = Buffer.concat([Buffer.alloc(8), Buffer.alloc(offset), spec.data]);
  ssnd.writeUInt32BE(offset, 0);
  const chunks = [...(spec.before ?? [])];
  if (aifc) {
    const fver = Buffer.alloc(4);
    fver.writeUInt32BE(0xa2805140, 0);
    chunks.push(chunkBE('FVER', fver));
  }
  chunks.push(chunkBE('COMM', comm), chunkBE('SSND', ssnd));
  const body = Buffer.concat(chunks);
  const head = Buffer.alloc(12);
  head.write('FORM', 0, 'latin1');
  head.writeUInt32BE(4 + body.length, 4);
  head.write(aifc ? 'AIFC' : 'AIFF', 8, 'latin1');
  return Buffer.concat([head, body]);
}

/** Interleave planar integer samples into little/big-endian bytes of `bytes` each. */
export function pcmBytes(planar: number[][], bytes: number, bigEndian = false, unsigned8 = false): Buffer {
  const ch = planar.length;
  const n = planar[0]?.length ?? 0;
  const b = Buffer.alloc(n * ch * bytes);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < ch; c++) {
      const v = planar[c]![i]!;
      const at = (i * ch + c) * bytes;
      if (bytes === 1) b.writeUInt8(unsigned8 ? v + 128 : v & 0xff, at);
      else if (bigEndian) b.writeIntBE(v, at, bytes);
      else b.writeIntLE(v, at, bytes);
    }
  }
  return b;
}

export function floatBytes(planar: number[][], bytes: 4 | 8, bigEndian = false): Buffer {
  const ch = planar.length;
  const n = planar[0]?.length ?? 0;
  const b = Buffer.alloc(n * ch * bytes);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < ch; c++) {
      const v = planar[c]![i]!;
      const at = (i * ch + c) * bytes;
      if (bytes === 4) {
        if (bigEndian) b.writeFloatBE(v, at);
        else b.writeFloatLE(v, at);
      } else if (bigEndian) b.writeDoubleBE(v, at);
      else b.writeDoubleLE(v, at);
    }
  }
  return b;
}
