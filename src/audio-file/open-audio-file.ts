import { open, type FileHandle } from 'node:fs/promises';
import { isBridgeError } from '../errors.ts';
import { audioFileError } from './audio-file-error.ts';
import type { AudioFileReader, AudioFileReaderOptions, AudioStreamInfo } from './audio-file-types.ts';
import { parseAiffHeader } from './aiff-header.ts';
import { FileByteSource, type ByteSource } from './byte-source.ts';
import { READ_AHEAD_BYTES, StreamingAudioFileReader } from './streaming-audio-file-reader.ts';
import { parseWavHeader } from './wav-header.ts';

/**
 * Open a WAV (PCM 8/16/24/32, float 32/64, WAVE_FORMAT_EXTENSIBLE, RF64/BW64) or AIFF / AIFF-C file
 * for streaming. Only the header is read here. Failures are BridgeErrors naming the file:
 * E_WAV_NOT_FOUND (missing or unreadable), E_WAV_CORRUPT, E_WAV_TRUNCATED, E_WAV_UNSUPPORTED.
 * A `readAheadBytes` that is not a positive integer is a TypeError.
 */
export async function openAudioFile(path: string, options: AudioFileReaderOptions = {}): Promise<AudioFileReader> {
  const readAheadBytes = options.readAheadBytes ?? READ_AHEAD_BYTES;
  if (!Number.isSafeInteger(readAheadBytes) || readAheadBytes < 1) {
    throw new TypeError(`openAudioFile: readAheadBytes ${readAheadBytes} is not a positive integer`);
  }
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw openError(path, err);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw audioFileError('E_WAV_NOT_FOUND', path, 'not a regular file');
    const src = new FileByteSource(handle, stat.size);
    const info = await parseAudioHeader(src, path);
    return new StreamingAudioFileReader(path, handle, src, info, readAheadBytes);
  } catch (err) {
    await handle.close().catch(() => undefined);
    if (isBridgeError(err)) throw err;
    throw openError(path, err);
  }
}

/** Dispatch on the first 12 bytes. */
export async function parseAudioHeader(src: ByteSource, file: string): Promise<AudioStreamInfo> {
  if (src.size === 0) throw audioFileError('E_WAV_TRUNCATED', file, 'the file is empty');
  const head = await src.read(0, 12);
  const magic = head.toString('latin1', 0, 4);
  if (magic === 'RIFF' || magic === 'RF64' || magic === 'BW64') return parseWavHeader(src, file);
  if (magic === 'FORM') return parseAiffHeader(src, file);
  if (head.length < 4) throw audioFileError('E_WAV_TRUNCATED', file, 'the file ends before its format is known');
  throw audioFileError('E_WAV_UNSUPPORTED', file, 'not a WAV, RF64 or AIFF file');
}

function openError(path: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const why =
    code === 'ENOENT' || code === 'ENOTDIR'
      ? 'no such file'
      : code === 'EISDIR'
        ? 'is a directory'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : `cannot be read (${err instanceof Error ? err.message : String(err)})`;
  return audioFileError('E_WAV_NOT_FOUND', path, why, err);
}
