import { pino, type Logger } from 'pino';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * JSON lines when stdout is not a terminal (journald, files, CI); readable lines on a TTY.
 * Logs go to stderr so that commands printing results on stdout (meter --json) stay parseable.
 */
export function createLogger(level: LogLevel, options: { pretty?: boolean; destination?: NodeJS.WritableStream } = {}): Logger {
  const pretty = options.pretty ?? Boolean(process.stderr.isTTY);
  if (pretty && !options.destination) {
    return pino({
      level,
      transport: { target: 'pino-pretty', options: { destination: 2, colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } },
    });
  }
  return pino({ level }, (options.destination as pino.DestinationStream | undefined) ?? pino.destination(2));
}

/** A logger that drops everything: for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
