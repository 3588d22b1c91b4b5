import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/** One JSON event line on stdout (the daemon and the tests read them). */
export function print(o: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(o) + '\n');
}

/** The command line of a firmware-sim program: its usage, and the one way it fails. */
export class SimCli {
  readonly #usage: string;

  constructor(usage: string) {
    this.#usage = usage;
  }

  /** Bad arguments: the reason and the usage on stderr, exit code 2. */
  fail(message: string): never {
    process.stderr.write(`firmware-sim: ${message}\n${this.#usage}\n`);
    process.exit(2);
  }

  /** Strict parse of argv; undefined after printing the usage for --help. */
  parse<O extends Options>(options: O): ReturnType<typeof parseArgs<{ options: O; strict: true }>>['values'] | undefined {
    let values: ReturnType<typeof parseArgs<{ options: O; strict: true }>>['values'];
    try {
      ({ values } = parseArgs({ options, strict: true }));
    } catch (err) {
      this.fail((err as Error).message);
    }
    if ((values as Record<string, unknown>).help) {
      process.stdout.write(this.#usage + '\n');
      return undefined;
    }
    return values;
  }
}
