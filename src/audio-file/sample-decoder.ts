import type { AudioStreamInfo } from './audio-file-types.ts';

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Interleaved file bytes -> planar Float32 in [-1, 1): PCM is scaled by 2^-(bits-1) of its container
 * (valid bits fewer than the container are left-justified, so this is right for 20-in-24 too); floats
 * are copied as they are. Writes `frames` frames into `out[c][outOffset..]`.
 */
export function decodeInterleaved(bytes: Buffer, frames: number, info: AudioStreamInfo, out: readonly Float32Array[], outOffset = 0): void {
  const ch = info.channels;
  const le = !info.bigEndian;
  const view = new DataView(bytes.buffer, bytes.byteOffset, frames * ch * info.bytesPerSample);
  switch (info.format) {
    case 'float32': {
      if (le && LITTLE_ENDIAN_HOST && bytes.byteOffset % 4 === 0) {
        deinterleave(new Float32Array(bytes.buffer, bytes.byteOffset, frames * ch), frames, ch, out, outOffset, 1);
        return;
      }
      for (let c = 0; c < ch; c++) {
        const o = out[c]!;
        for (let i = 0, p = c * 4; i < frames; i++, p += ch * 4) o[outOffset + i] = view.getFloat32(p, le);
      }
      return;
    }
    case 'float64': {
      for (let c = 0; c < ch; c++) {
        const o = out[c]!;
        for (let i = 0, p = c * 8; i < frames; i++, p += ch * 8) o[outOffset + i] = view.getFloat64(p, le);
      }
      return;
    }
    case 'pcm16': {
      if (le && LITTLE_ENDIAN_HOST && bytes.byteOffset % 2 === 0) {
        deinterleave(new Int16Array(bytes.buffer, bytes.byteOffset, frames * ch), frames, ch, out, outOffset, 1 / 32768);
        return;
      }
      for (let c = 0; c < ch; c++) {
        const o = out[c]!;
        for (let i = 0, p = c * 2; i < frames; i++, p += ch * 2) o[outOffset + i] = view.getInt16(p, le) / 32768;
      }
      return;
    }
    case 'pcm24': {
      const step = ch * 3;
      for (let c = 0; c < ch; c++) {
        const o = out[c]!;
        let p = c * 3;
        if (le) {
          for (let i = 0; i < frames; i++, p += step) o[outOffset + i] = (((bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16)) << 8) >> 8) / 8388608;
        } else {
          for (let i = 0; i < frames; i++, p += step) o[outOffset + i] = (((bytes[p + 2]! | (bytes[p + 1]! << 8) | (bytes[p]! << 16)) << 8) >> 8) / 8388608;
        }
      }
      return;
    }
    case 'pcm32': {
      for (let c = 0; c < ch; c++) {
        const o = out[c]!;
        for (let i = 0, p = c * 4; i < frames; i++, p += ch * 4) o[outOffset + i] = view.getInt32(p, le) / 2147483648;
      }
      return;
    }
    case 'pcm8': {
      for (let c = 0; c < ch; c++) {
        const o = out[c]!;
        if (info.unsignedBytes) for (let i = 0, p = c; i < frames; i++, p += ch) o[outOffset + i] = (bytes[p]! - 128) / 128;
        else for (let i = 0, p = c; i < frames; i++, p += ch) o[outOffset + i] = ((bytes[p]! << 24) >> 24) / 128;
      }
      return;
    }
  }
}

function deinterleave(src: Float32Array | Int16Array, frames: number, ch: number, out: readonly Float32Array[], outOffset: number, scale: number): void {
  if (ch === 2) {
    const l = out[0]!;
    const r = out[1]!;
    for (let i = 0, p = 0; i < frames; i++, p += 2) {
      l[outOffset + i] = src[p]! * scale;
      r[outOffset + i] = src[p + 1]! * scale;
    }
    return;
  }
  for (let c = 0; c < ch; c++) {
    const o = out[c]!;
    for (let i = 0, p = c; i < frames; i++, p += ch) o[outOffset + i] = src[p]! * scale;
  }
}
