/**
 * Stable, machine-readable error codes. Tests assert on `code`, never on the message.
 * Every code here is documented in docs/errors.md (a test checks that the two agree).
 * Add new codes to the block of their domain, and document them in the same commit.
 */
export const ERROR_CODES = [
  // configuration
  'E_CONFIG_NOT_FOUND',
  'E_CONFIG_PARSE',
  'E_CONFIG_INVALID',
  // data directory and lifecycle
  'E_DATA_DIR',
  'E_DATA_DIR_LOCKED',
  'E_SHUTDOWN_TIMEOUT',
  // parameters
  'E_PARAM_UNKNOWN',
  'E_PARAM_RANGE',
  'E_PARAM_TYPE',
  'E_PARAM_DUPLICATE',
  'E_PARAM_SPEC',
  // HTTP API / protocol input
  'E_HTTP_BAD_REQUEST',
  'E_HTTP_NOT_FOUND',
  'E_HTTP_TOO_LARGE',
  'E_HTTP_UNAUTHORIZED',
  'E_HTTP_FORBIDDEN',
  'E_WS_BAD_MESSAGE',
  'E_WS_TOO_LARGE',
  'E_WS_PROTOCOL_VERSION',
  'E_WS_ACTION_UNAVAILABLE',
  'E_WS_ACTION_FAILED',
  // devices (generic)
  'E_DEVICE_UNAVAILABLE',
  'E_DEVICE_NOT_FOUND',
  'E_DEVICE_DISCONNECTED',
  'E_BUS_UNAVAILABLE',
  // serial / outboard
  'E_SERIAL_OPEN',
  'E_SERIAL_TIMEOUT',
  'E_SERIAL_NAK',
  'E_SERIAL_CHECKSUM',
  'E_SERIAL_FRAME',
  'E_SERIAL_CLOSED',
  'E_SERIAL_IDENTITY',
  'E_OUTBOARD_MISMATCH',
  'E_GEAR_PROFILE',
  // MIDI / HID / control mapping
  'E_MIDI_BAD_MESSAGE',
  'E_HID_BAD_REPORT',
  'E_SURFACE_MAP',
  'E_LEARN_TIMEOUT',
  'E_LEARN_CANCELLED',
  // engine / audio files
  'E_ENGINE_CHAIN',
  'E_ENGINE_WORKER',
  'E_WAV_NOT_FOUND',
  'E_WAV_CORRUPT',
  'E_WAV_TRUNCATED',
  'E_WAV_UNSUPPORTED',
  'E_AUDIO_BACKEND',
  'E_AUDIO_DEVICE',
  'E_AUDIO_STREAM',
  'E_CALIBRATION_NO_SIGNAL',
  'E_CALIBRATION_NOISY',
  'E_CALIBRATION_BUSY',
  'E_PRINT_XRUN',
  'E_TRANSPORT_STATE',
  // store / sessions / recall
  'E_STORE_OPEN',
  'E_STORE_MIGRATION',
  'E_STORE_NOT_FOUND',
  'E_IMPORT_INVALID',
  'E_RECALL_BUSY',
  'E_RECALL_UNIT_ABSENT',
  'E_RECALL_UNIT_CHANGED',
  'E_STORE_WRITE',
  'E_STORE_CONFLICT',
  'E_SNAPSHOT_INVALID',
  'E_RECALL_TIMEOUT',
  'E_RECALL_AB_TRACKS',
] as const;

export type BridgeErrorCode = (typeof ERROR_CODES)[number];

/** A code that crossed a boundary (a thread, a process, HTTP) and is one of ours. */
export function isBridgeErrorCode(code: unknown): code is BridgeErrorCode {
  return typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code);
}

export interface BridgeErrorOptions {
  /** Structured context for logs and API answers (ids, paths, values). Never secrets. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class BridgeError extends Error {
  readonly code: BridgeErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: BridgeErrorCode, message: string, options: BridgeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BridgeError';
    this.code = code;
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }

  toJSON(): { code: BridgeErrorCode; message: string; details: Readonly<Record<string, unknown>> } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function isBridgeError(err: unknown, code?: BridgeErrorCode): err is BridgeError {
  return err instanceof BridgeError && (code === undefined || err.code === code);
}
