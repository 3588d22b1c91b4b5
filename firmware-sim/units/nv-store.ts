import { readFileSync, renameSync, writeFileSync } from 'node:fs';

/** What the unit keeps in non-volatile memory: its settings and its power-up counter. */
export interface NvContents {
  boot: number;
  raw: Record<string, number>;
}

interface NvFile extends NvContents {
  format: 1;
  model: string;
  serial: string;
}

/**
 * The unit's EEPROM, kept in a JSON state file (or only in memory without one). A file written by
 * another model or serial is ignored: a different unit, factory state.
 */
export class NvStore {
  readonly #file: string | undefined;
  readonly #model: string;
  readonly #serial: string;
  #memory: NvContents | undefined;

  constructor(file: string | undefined, model: string, serial: string) {
    this.#file = file;
    this.#model = model;
    this.#serial = serial;
  }

  load(): NvContents | undefined {
    if (!this.#file) return this.#memory ? structuredClone(this.#memory) : undefined;
    try {
      const parsed = JSON.parse(readFileSync(this.#file, 'utf8')) as Partial<NvFile>;
      if (parsed.format !== 1 || parsed.model !== this.#model || parsed.serial !== this.#serial) return undefined;
      if (typeof parsed.boot !== 'number' || typeof parsed.raw !== 'object' || parsed.raw === null) return undefined;
      return { boot: parsed.boot, raw: { ...parsed.raw } };
    } catch {
      return undefined;
    }
  }

  save(contents: NvContents): void {
    if (!this.#file) {
      this.#memory = structuredClone(contents);
      return;
    }
    const data: NvFile = { format: 1, model: this.#model, serial: this.#serial, boot: contents.boot, raw: contents.raw };
    const tmp = `${this.#file}.tmp`;
    writeFileSync(tmp, JSON.stringify(data, null, 1) + '\n');
    renameSync(tmp, this.#file);
  }

  /** Settings lost (a `power-cycle reset`): keep only the power-up counter. */
  erase(boot: number): void {
    this.save({ boot, raw: {} });
  }
}
