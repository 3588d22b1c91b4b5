import path from 'node:path';
import { startSimulatedUnits, type SimulatedStudio } from '../../commands/sim.ts';
import type { Config } from '../../config/schema.ts';
import type { DaemonPart } from '../../daemon.ts';
import type { Logger } from '../../logger.ts';
import type { ParamStore } from '../../params/param-store.ts';
import type { DeviceStatusReporter } from '../device-status.ts';
import { OutboardManager } from './outboard-manager.ts';

export interface OutboardPartOptions {
  readonly config: Pick<Config, 'outboard' | 'sim'>;
  /** Folder of the config file: gear profiles are in `<configDir>/gear`. */
  readonly configDir: string;
  /** Where the simulated units keep their state files and sockets. */
  readonly simDir: string;
  readonly store: ParamStore;
  readonly log: Logger;
  readonly report: DeviceStatusReporter;
}

/**
 * The outboard rack as a daemon part: starts the firmware-sim units the config asks for
 * (the simulated studio), then the driver that finds every configured unit by its serial
 * number and keeps it in step with the ParamStore.
 */
export class OutboardPart implements DaemonPart {
  readonly name = 'outboard';
  readonly manager: OutboardManager;
  readonly #o: OutboardPartOptions;
  #studio: SimulatedStudio | undefined;

  constructor(options: OutboardPartOptions) {
    this.#o = options;
    this.manager = new OutboardManager({
      store: options.store,
      units: options.config.outboard,
      profilesDir: path.join(options.configDir, 'gear'),
      log: options.log,
      report: options.report,
      resolvePort: (u) => this.#studio?.resolvePort(u) ?? [],
    });
  }

  get studio(): SimulatedStudio | undefined {
    return this.#studio;
  }

  async start(): Promise<void> {
    if (this.#o.config.sim.units.length > 0) {
      this.#studio = await startSimulatedUnits(this.#o.config.sim, { log: this.#o.log.child({ part: 'firmware-sim' }), dir: this.#o.simDir });
      for (const u of this.#studio.units) this.#o.log.info({ serial: u.serial, model: u.model, port: u.port }, `simulated unit ${u.serial} on ${u.port ?? '?'}`);
    }
    await this.manager.start();
  }

  async stop(): Promise<void> {
    await this.manager.stop();
    await this.#studio?.stop();
    this.#studio = undefined;
  }
}
