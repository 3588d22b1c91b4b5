import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SurfaceConfig } from '../../src/config/sections/surfaces.ts';
import { RecordingActionSink } from '../../src/control/action-sink.ts';
import { SurfaceManager } from '../../src/control/surface-manager.ts';
import type { DeviceStatus } from '../../src/devices/device-status.ts';
import { FakeHidWorld } from '../../src/devices/hid/fake-hid-binding.ts';
import type { MidiBinding } from '../../src/devices/midi/binding.ts';
import { FakeMidiWorld, type FakeMidiDevice } from '../../src/devices/midi/fake-midi-binding.ts';
import type { MeterFeed } from '../../src/engine/meter-snapshot.ts';
import { silentLogger } from '../../src/logger.ts';
import type { ParamSpecInput } from '../../src/params/param-spec.ts';
import { ParamStore, type ParamChange } from '../../src/params/param-store.ts';

/** Parameters shaped like the engine's and an outboard stepped EQ's (registered here: the engine is built concurrently). */
export function testParams(): ParamSpecInput[] {
  const out: ParamSpecInput[] = [];
  for (let b = 1; b <= 8; b++) {
    out.push(
      { id: `eq.band${b}.gainDb`, label: `Band ${b} gain`, kind: 'continuous', unit: 'dB', min: -24, max: 24, default: 0 },
      { id: `eq.band${b}.freqHz`, label: `Band ${b} frequency`, kind: 'continuous', unit: 'Hz', min: 10, max: 22000, default: 1000, taper: 'log' },
      { id: `eq.band${b}.q`, label: `Band ${b} Q`, kind: 'continuous', unit: '', min: 0.1, max: 18, default: 0.7, taper: 'log' },
      { id: `eq.band${b}.enabled`, label: `Band ${b} on`, kind: 'toggle', unit: '', min: 0, max: 1, default: 1 },
    );
  }
  out.push(
    { id: 'comp.thresholdDb', label: 'Comp threshold', kind: 'continuous', unit: 'dB', min: -60, max: 0, default: -18 },
    { id: 'comp.ratio', label: 'Comp ratio', kind: 'continuous', unit: ':1', min: 1, max: 100, default: 1, taper: 'log' },
    { id: 'comp.makeupDb', label: 'Comp makeup', kind: 'continuous', unit: 'dB', min: -12, max: 24, default: 0 },
    {
      id: 'outboard.eq1.ch1.band3.gainDb',
      label: 'Ch1 high-mid gain',
      kind: 'stepped',
      unit: 'dB',
      min: -6,
      max: 6,
      default: 0,
      steps: [-6, -5, -4, -3, -2.5, -2, -1.5, -1, -0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 4, 5, 6],
    },
  );
  return out;
}

export function testStore(): ParamStore {
  const store = new ParamStore();
  store.register(testParams());
  return store;
}

/** Let queued work run: setImmediate turns until `predicate` holds (a guard, not a timing assertion). */
export async function until(predicate: () => boolean, what = 'condition'): Promise<void> {
  const deadline = Date.now() + 10_000;
  let turns = 0;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    turns++;
    if (turns % 50 === 0) await new Promise((r) => setTimeout(r, 1));
    else await new Promise((r) => setImmediate(r));
  }
}

/** Run `n` event-loop turns (for asserting that something did NOT happen). */
export async function turns(n = 30): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

export interface MidiSim {
  connect(send: (bytes: number[]) => void): void;
  receive(bytes: Uint8Array | readonly number[]): void;
}

/** Plug a firmware-sim surface into a fake MIDI world under `name`. */
export function plugSim(world: FakeMidiWorld, name: string, sim: MidiSim): FakeMidiDevice {
  const device = world.plug(name);
  device.on('receive', (b) => sim.receive(b));
  sim.connect((bytes) => device.send(bytes));
  return device;
}

export interface Rig {
  readonly store: ParamStore;
  readonly midiWorld: FakeMidiWorld;
  readonly hidWorld: FakeHidWorld;
  readonly manager: SurfaceManager;
  readonly actions: RecordingActionSink;
  readonly statuses: { id: string; status: DeviceStatus; reason?: string }[];
  readonly changes: ParamChange[];
  readonly dir: string;
  readonly mapsDir: string;
  close(): Promise<void>;
}

/**
 * A manager on fake buses with maps written into a temp maps dir. `maps` maps a file name to its
 * YAML text; surfaces reference them by `map`.
 */
export async function rig(options: {
  surfaces: SurfaceConfig[];
  maps: Record<string, string>;
  store?: ParamStore;
  midiWorld?: FakeMidiWorld;
  hidWorld?: FakeHidWorld;
  meters?: MeterFeed;
  dataDir?: string;
  midi?: MidiBinding;
  now?: () => number;
}): Promise<Rig> {
  const dir = await mkdtemp(path.join(tmpdir(), 'hb-surf-'));
  const mapsDir = path.join(dir, 'maps');
  await mkdir(mapsDir, { recursive: true });
  for (const [name, text] of Object.entries(options.maps)) await writeFile(path.join(mapsDir, `${name}.yaml`), text);
  const store = options.store ?? testStore();
  const midiWorld = options.midiWorld ?? new FakeMidiWorld();
  const hidWorld = options.hidWorld ?? new FakeHidWorld();
  const actions = new RecordingActionSink();
  const statuses: Rig['statuses'] = [];
  const changes: ParamChange[] = [];
  store.watch((c) => changes.push(...c));
  const manager = new SurfaceManager({
    store,
    surfaces: options.surfaces,
    mapsDir,
    dataDir: options.dataDir ?? path.join(dir, 'data'),
    log: silentLogger(),
    report: (id, status, reason) => statuses.push({ id, status, ...(reason !== undefined ? { reason } : {}) }),
    midi: options.midi ?? midiWorld.binding(),
    hid: hidWorld.binding(),
    actions,
    ...(options.meters ? { meters: options.meters } : {}),
    pollIntervalMs: 0,
    ...(options.now ? { now: options.now } : {}),
  });
  return {
    store,
    midiWorld,
    hidWorld,
    manager,
    actions,
    statuses,
    changes,
    dir,
    mapsDir,
    close: async () => {
      await manager.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function surfaceConfig(o: Partial<SurfaceConfig> & Pick<SurfaceConfig, 'id' | 'type' | 'match' | 'map'>): SurfaceConfig {
  return { required: false, ...o };
}

/** A small X-Touch map for tests: page eq = band gains 1-8 (step 0.5 dB), page comp. */
export const TEST_XTOUCH_MAP = `
version: 1
type: mcu
mcu: { model: xtouch, onlineTimeoutMs: 0 }
bindings:
  - { control: bankLeft, action: prevPage }
  - { control: bankRight, action: nextPage }
  - { control: channelLeft, action: scrollLeft }
  - { control: channelRight, action: scrollRight }
  - { control: shift, action: fine }
  - { control: f1, action: recall, slot: 1 }
pages:
  - id: eq
    label: EQ gain
    short: EQ
    strips:
      - { param: eq.band1.gainDb, step: 0.5, colour: cyan }
      - { param: eq.band2.gainDb, step: 0.5, colour: cyan }
      - { param: eq.band3.gainDb, step: 0.5, colour: cyan, buttons: { mute: { param: eq.band3.enabled } } }
      - { param: eq.band4.gainDb, step: 0.5, colour: cyan }
      - { param: eq.band5.gainDb, step: 0.5, colour: cyan }
      - { param: eq.band6.gainDb, step: 0.5, colour: cyan }
      - { param: eq.band7.gainDb, step: 0.5, colour: cyan }
      - { param: eq.band8.gainDb, step: 0.5, colour: cyan }
  - id: comp
    label: Compressor
    short: CP
    strips:
      - { param: comp.thresholdDb, step: 1 }
      - { param: comp.ratio }
      - { param: comp.makeupDb, step: 0.5 }
      - { param: outboard.eq1.ch1.band3.gainDb }
`;
