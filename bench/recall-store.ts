/**
 * Cost of saving and loading a full snapshot in the SQLite store (WAL, synchronous=FULL),
 * against a reference measured in the same run on the same file system: the same rows
 * inserted by bare better-sqlite3 statements in one transaction (no validation, no
 * bookkeeping), and read back by bare SELECTs.
 *
 *   node --import tsx bench/recall-store.ts [--iterations 300]
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { silentLogger } from '../src/logger.ts';
import { SnapshotStore } from '../src/state/store/snapshot-store.ts';
import { makeState } from '../test/state/store/store-fixture.ts';

const { values: args } = parseArgs({ options: { iterations: { type: 'string', default: '300' } } });
const iterations = Number(args.iterations);
const dir = mkdtempSync(join(tmpdir(), 'hb-bench-store-'));

function median(samples: number[]): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/** Reference and subject interleaved (order swapped every iteration): both see the same machine and disk. */
function compare(refLabel: string, ref: () => void, subjectLabel: string, subject: () => void): [number, number] {
  for (let i = 0; i < 20; i++) {
    ref();
    subject();
  }
  const a: number[] = [];
  const b: number[] = [];
  const timed = (fn: () => void, into: number[]): void => {
    const t0 = performance.now();
    fn();
    into.push(performance.now() - t0);
  };
  for (let i = 0; i < iterations; i++) {
    if (i % 2 === 0) {
      timed(ref, a);
      timed(subject, b);
    } else {
      timed(subject, b);
      timed(ref, a);
    }
  }
  const result: [number, number] = [median(a), median(b)];
  console.log(`${refLabel.padEnd(36)} median ${result[0].toFixed(3).padStart(8)} ms`);
  console.log(`${subjectLabel.padEnd(36)} median ${result[1].toFixed(3).padStart(8)} ms`);
  return result;
}

try {
  // A full mastering snapshot: 122 digital values, three units (9 + 5 + 4), calibration, loudness.
  const states = [makeState(1, { digitalCount: 122, unitCounts: [9, 5, 4] }), makeState(2, { digitalCount: 122, unitCounts: [9, 5, 4] })];
  const values = 122 + 9 + 5 + 4;

  const raw = new Database(join(dir, 'raw.sqlite'));
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  raw.exec('CREATE TABLE s (id INTEGER PRIMARY KEY, name TEXT); CREATE TABLE v (sid INTEGER, pid TEXT, value REAL, PRIMARY KEY (sid, pid)) WITHOUT ROWID;');
  const insS = raw.prepare('INSERT INTO s (name) VALUES (?)');
  const insV = raw.prepare('INSERT INTO v VALUES (?, ?, ?)');
  const selV = raw.prepare('SELECT pid, value FROM v WHERE sid = ?');
  let lastRaw = 0;
  const rawSave = raw.transaction((i: number) => {
    const st = states[i % 2]!;
    const id = Number(insS.run(`s${i}`).lastInsertRowid);
    for (const [k, v] of Object.entries(st.digital)) insV.run(id, k, v);
    for (const u of st.outboard) for (const [k, v] of Object.entries(u.values)) insV.run(id, k, v);
    lastRaw = id;
  });

  const store = await SnapshotStore.open(join(dir, 'store.sqlite'), { log: silentLogger() });
  const p = store.createProject('Bench');
  const t = store.addTrack(p, 'T');
  let lastId = 0;

  console.log(`recall-store: one snapshot = ${values} values + 3 unit identities; WAL, synchronous=FULL; ${iterations} iterations; ${dir}`);
  let n = 0;
  const [refSave, save] = compare(
    'reference: bare INSERTs, one tx',
    () => rawSave(n++),
    'SnapshotStore.saveSnapshot',
    () => {
      lastId = store.saveSnapshot({ project: p, track: t, name: `v${n}`, state: states[n++ % 2]! });
    },
  );
  const [refLoad, load] = compare(
    'reference: bare SELECT',
    () => {
      if (selV.all(lastRaw).length !== values) throw new Error('raw read');
    },
    'SnapshotStore.getSnapshot',
    () => {
      if (store.getSnapshot(lastId).state.note === '') throw new Error('read');
    },
  );
  const t0 = performance.now();
  for (let i = 0; i < 20; i++) store.listProjects();
  const list = (performance.now() - t0) / 20;
  console.log('');
  console.log(`save / bare inserts   ${(save / refSave).toFixed(2)}x`);
  console.log(`load / bare select    ${(load / refLoad).toFixed(2)}x`);
  console.log(`listProjects with ${store.getProject(p).tracks[0]!.snapshots.length} snapshots: ${list.toFixed(3)} ms (mean of 20)`);
  store.close();
  raw.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
