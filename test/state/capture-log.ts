import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from '../../src/logger.ts';

export interface LogLine {
  readonly msg: string;
  readonly level: number;
  readonly [field: string]: unknown;
}

/** A real pino logger (warn and above) whose lines a test can read back. */
export function capturingLogger(): { log: Logger; lines: () => LogLine[] } {
  const text: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      text.push(chunk.toString('utf8'));
      done();
    },
  });
  return { log: pino({ level: 'warn' }, stream), lines: () => text.map((l) => JSON.parse(l) as LogLine) };
}
