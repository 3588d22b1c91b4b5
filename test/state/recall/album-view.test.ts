import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/logger.ts';
import { albumView } from '../../../src/state/recall/album-view.ts';
import { SnapshotStore } from '../../../src/state/store/snapshot-store.ts';
import { makeState, tempDir } from '../store/store-fixture.ts';

describe('albumView', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: SnapshotStore;
  beforeEach(async () => {
    tmp = tempDir();
    store = await SnapshotStore.open(tmp.file('album.sqlite'), { log: silentLogger() });
  });
  afterEach(() => {
    store.close();
    tmp.cleanup();
  });

  const withLoudness = (seed: number, integratedLufs: number, truePeakDbtp: number, loudnessRangeLu = 6) => ({
    ...makeState(seed),
    loudness: { integratedLufs, truePeakDbtp, loudnessRangeLu },
  });

  it('shows each track with its loudness and the album spread of loudness and true peak', () => {
    const p = store.createProject('LP');
    const t1 = store.addTrack(p, 'One');
    const t2 = store.addTrack(p, 'Two');
    const t3 = store.addTrack(p, 'Three');
    const t4 = store.addTrack(p, 'Four (not measured)');
    store.addTrack(p, 'Five (no snapshot)');
    store.saveSnapshot({ project: p, track: t1, name: 'v1', state: withLoudness(1, -9, -0.2) }); // superseded
    const s1 = store.saveSnapshot({ project: p, track: t1, name: 'v2', state: withLoudness(2, -14, -1.2, 5) });
    const s2 = store.saveSnapshot({ project: p, track: t2, name: 'v1', state: withLoudness(3, -12.5, -0.8, 7) });
    const s3 = store.saveSnapshot({ project: p, track: t3, name: 'v1', state: withLoudness(4, -15, -1.5, 9) });
    store.saveSnapshot({ project: p, track: t4, name: 'v1', state: makeState(5, { loudness: false }) });

    const view = albumView(store.getProject(p));
    expect(view.tracks.map((t) => [t.name, t.snapshotId, t.loudness?.integratedLufs ?? null, t.offsetLu])).toEqual([
      ['One', s1, -14, 0],
      ['Two', s2, -12.5, 1.5],
      ['Three', s3, -15, -1],
      ['Four (not measured)', expect.any(Number), null, null],
      ['Five (no snapshot)', null, null, null],
    ]);
    expect(view.measuredTracks).toBe(3);
    expect(view.integratedLufs).toEqual({ min: -15, max: -12.5, spread: 2.5, median: -14, minTrackId: t3, maxTrackId: t2 });
    expect(view.truePeakDbtp).toMatchObject({ min: -1.5, max: -0.8, minTrackId: t3, maxTrackId: t2 });
    expect(view.truePeakDbtp?.spread).toBeCloseTo(0.7, 10);
    expect(view.loudnessRangeLu).toMatchObject({ min: 5, max: 9, median: 7 });
  });

  it('uses the snapshot chosen per track instead of the newest', () => {
    const p = store.createProject('EP');
    const t1 = store.addTrack(p, 'One');
    const t2 = store.addTrack(p, 'Two');
    const loud = store.saveSnapshot({ project: p, track: t1, name: 'loud', state: withLoudness(1, -8, -0.1) });
    store.saveSnapshot({ project: p, track: t1, name: 'sane', state: withLoudness(2, -14, -1) });
    store.saveSnapshot({ project: p, track: t2, name: 'v1', state: withLoudness(3, -13, -1) });
    const view = albumView(store.getProject(p), new Map([[t1, loud]]));
    expect(view.tracks[0]).toMatchObject({ snapshotName: 'loud', offsetLu: 2.5 });
    expect(view.integratedLufs).toMatchObject({ min: -13, max: -8, spread: 5, median: -10.5 });
  });

  it('has no ranges for an album with nothing measured', () => {
    const p = store.createProject('Empty');
    store.addTrack(p, 'One');
    const view = albumView(store.getProject(p));
    expect(view).toMatchObject({ measuredTracks: 0, integratedLufs: null, truePeakDbtp: null, loudnessRangeLu: null });
  });
});
