import type { SnapshotLoudness } from '../store/snapshot-state.ts';
import type { ProjectSummary, SnapshotSummary } from '../store/store-types.ts';

export interface AlbumTrack {
  readonly trackId: number;
  readonly name: string;
  readonly position: number;
  /** The snapshot the view shows for this track (null: the track has none yet). */
  readonly snapshotId: number | null;
  readonly snapshotName: string | null;
  /** Null when the snapshot was saved without a measurement. */
  readonly loudness: SnapshotLoudness | null;
  /** Integrated loudness minus the album's median (LU): how far this track sits from the rest. */
  readonly offsetLu: number | null;
}

export interface AlbumRange {
  readonly min: number;
  readonly max: number;
  /** max - min. */
  readonly spread: number;
  readonly median: number;
  readonly minTrackId: number;
  readonly maxTrackId: number;
}

export interface AlbumView {
  readonly projectId: number;
  readonly name: string;
  /** In running order. */
  readonly tracks: readonly AlbumTrack[];
  /** Tracks with a measured loudness (the ranges cover only these). */
  readonly measuredTracks: number;
  readonly integratedLufs: AlbumRange | null;
  readonly truePeakDbtp: AlbumRange | null;
  readonly loudnessRangeLu: AlbumRange | null;
}

/**
 * The album at a glance: each track's loudness (from its chosen snapshot, by default the
 * newest one) and the spread of integrated loudness and true peak across the album.
 * Loudness values are compared as they are (LUFS are already logarithmic; averaging them
 * would not be a loudness), so the centre shown is the median.
 */
export function albumView(project: ProjectSummary, chosen: ReadonlyMap<number, number> = new Map()): AlbumView {
  const rows = project.tracks.map((t) => {
    const wanted = chosen.get(t.id);
    const snap: SnapshotSummary | undefined = wanted !== undefined ? t.snapshots.find((s) => s.id === wanted) : t.snapshots[t.snapshots.length - 1];
    return { track: t, snap };
  });
  const measured = rows.filter((r) => r.snap?.loudness) as { track: (typeof rows)[number]['track']; snap: SnapshotSummary & { loudness: SnapshotLoudness } }[];
  const integrated = range(measured.map((r) => [r.track.id, r.snap.loudness.integratedLufs]));
  const tracks = rows.map(
    (r): AlbumTrack => ({
      trackId: r.track.id,
      name: r.track.name,
      position: r.track.position,
      snapshotId: r.snap?.id ?? null,
      snapshotName: r.snap?.name ?? null,
      loudness: r.snap?.loudness ?? null,
      offsetLu: r.snap?.loudness && integrated ? r.snap.loudness.integratedLufs - integrated.median : null,
    }),
  );
  return {
    projectId: project.id,
    name: project.name,
    tracks,
    measuredTracks: measured.length,
    integratedLufs: integrated,
    truePeakDbtp: range(measured.map((r) => [r.track.id, r.snap.loudness.truePeakDbtp])),
    loudnessRangeLu: range(measured.map((r) => [r.track.id, r.snap.loudness.loudnessRangeLu])),
  };
}

function range(pairs: readonly (readonly [number, number])[]): AlbumRange | null {
  const first = pairs[0];
  if (!first) return null;
  let lo = first;
  let hi = first;
  for (const p of pairs) {
    if (p[1] < lo[1]) lo = p;
    if (p[1] > hi[1]) hi = p;
  }
  const sorted = pairs.map((p) => p[1]).sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { min: lo[1], max: hi[1], spread: hi[1] - lo[1], median, minTrackId: lo[0], maxTrackId: hi[0] };
}
