import { BridgeError, type BridgeErrorCode } from '../errors.ts';

export type AudioFileErrorCode = Extract<BridgeErrorCode, 'E_WAV_NOT_FOUND' | 'E_WAV_CORRUPT' | 'E_WAV_TRUNCATED' | 'E_WAV_UNSUPPORTED'>;

/** One-line error naming the file: "<file>: <problem>". */
export function audioFileError(code: AudioFileErrorCode, file: string, problem: string, cause?: unknown): BridgeError {
  return new BridgeError(code, `${file}: ${problem}`, cause === undefined ? { details: { file } } : { details: { file }, cause });
}
