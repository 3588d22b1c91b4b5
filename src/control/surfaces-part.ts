import path from 'node:path';
import type { SurfaceConfig } from '../config/sections/surfaces.ts';
import type { DaemonPart } from '../daemon.ts';
import type { DeviceStatusReporter } from '../devices/device-status.ts';
import { createNativeHidBinding } from '../devices/hid/native-hid-binding.ts';
import type { HidBinding } from '../devices/hid/binding.ts';
import { createCompositeMidiBinding } from '../devices/midi/composite-midi-binding.ts';
import type { MidiBinding } from '../devices/midi/binding.ts';
import { createNativeMidiBinding } from '../devices/midi/native-midi-binding.ts';
import { createNetMidiBinding } from '../devices/midi/net-midi-binding.ts';
import type { MeterFeed } from '../engine/meter-snapshot.ts';
import type { Logger } from '../logger.ts';
import type { ParamStore } from '../params/param-store.ts';
import type { ActionSink } from './action-sink.ts';
import { startSimSurfaces, type SimSurfaceProcesses } from './sim-surfaces.ts';
import { SurfaceManager } from './surface-manager.ts';

export interface SurfacesPartOptions {
  readonly surfaces: readonly SurfaceConfig[];
  /** Folder of the config file: maps are in `<configDir>/surfaces`. */
  readonly configDir: string;
  readonly dataDir: string;
  readonly store: ParamStore;
  readonly log: Logger;
  readonly report: DeviceStatusReporter;
  readonly actions: ActionSink;
  readonly meters?: MeterFeed;
}

/**
 * Control surfaces as a daemon part: the simulated surfaces the config asks for (`match: sim`,
 * each its own firmware-sim process reached as network MIDI), the MIDI and HID buses (a bus
 * that cannot run here is reported, never fatal), and the manager that maps them to parameters.
 */
export class SurfacesPart implements DaemonPart {
  readonly name = 'surfaces';
  readonly manager: SurfaceManager;
  readonly #o: SurfacesPartOptions;
  readonly #midi: MidiBinding;
  readonly #hid: HidBinding;
  readonly #simDir: string;
  #sims: SimSurfaceProcesses | undefined;

  constructor(options: SurfacesPartOptions) {
    this.#o = options;
    this.#simDir = path.join(options.dataDir, 'sim-surfaces');
    this.#midi = createCompositeMidiBinding([createNativeMidiBinding(), createNetMidiBinding({ socketDir: this.#simDir })]);
    this.#hid = createNativeHidBinding();
    this.manager = new SurfaceManager({
      store: options.store,
      surfaces: options.surfaces,
      mapsDir: path.join(options.configDir, 'surfaces'),
      dataDir: options.dataDir,
      log: options.log,
      report: options.report,
      midi: this.#midi,
      hid: this.#hid,
      actions: options.actions,
      ...(options.meters ? { meters: options.meters } : {}),
    });
  }

  get sims(): SimSurfaceProcesses | undefined {
    return this.#sims;
  }

  async start(): Promise<void> {
    if (this.#o.surfaces.some((s) => s.match === 'sim')) {
      this.#sims = await startSimSurfaces({ surfaces: this.#o.surfaces, socketDir: this.#simDir, log: this.#o.log.child({ part: 'firmware-sim' }) });
    }
    await this.manager.start();
  }

  async stop(): Promise<void> {
    await this.manager.stop();
    await Promise.allSettled([this.#midi.close(), this.#hid.close()]);
    await this.#sims?.stop();
    this.#sims = undefined;
  }
}
