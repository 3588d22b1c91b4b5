/**
 * Time to recall a full snapshot, from the call to "verified": the digital chain (~120
 * parameters) plus three simulated outboard units with asynchronous latency, alternating
 * between two snapshots so every recall has work to do.
 *
 * References measured in the same run, on the same fakes:
 *   - setMany: the bare atomic ParamStore.setMany of the digital values (what a recall
 *     of the digital chain cannot beat);
 *   - unit floor: the bare setMany plus each unit's identity + recall + read issued
 *     directly, all units in parallel (the I/O the units need, no orchestration around it).
 * Reference and subject run interleaved in one loop, so both see the same machine load.
 *
 *   node --import tsx bench/recall-time.ts [--iterations 200] [--latency-ms 2] [--per-param-ms 1]
 */
import { parseArgs } from 'node:util';
import { captureSnapshotState } from '../src/state/recall/capture-state.ts';
import { recallSnapshot } from '../src/state/recall/recall-snapshot.ts';
import type { SnapshotState } from '../src/state/store/snapshot-state.ts';
import { makeStudio, pushToUnits, scramble, type Studio } from '../test/state/recall/recall-studio.ts';

const { values: args } = parseArgs({
  options: {
    iterations: { type: 'string', default: '200' },
    'latency-ms': { type: 'string', default: '2' },
    'per-param-ms': { type: 'string', default: '1' },
  },
});
const iterations = Number(args.iterations);
const latencyMs = Number(args['latency-ms']);
const perParamMs = Number(args['per-param-ms']);

async function snapshotOf(studio: Studio, seed: number): Promise<SnapshotState> {
  scramble(studio.params, seed);
  await pushToUnits(studio);
  const { state } = await captureSnapshotState({ params: studio.params, units: [...studio.units.values()], routing: { insertUnits: ['eq1', 'comp1', 'tape1'] }, calibration: null, loudness: null });
  return state;
}

interface Stats {
  medianMs: number;
  p95Ms: number;
  minMs: number;
}

function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
  return { medianMs: at(0.5), p95Ms: at(0.95), minMs: s[0] as number };
}

function print(label: string, st: Stats): void {
  console.log(`${label.padEnd(46)} median ${st.medianMs.toFixed(3).padStart(8)} ms   p95 ${st.p95Ms.toFixed(3).padStart(8)} ms   min ${st.minMs.toFixed(3).padStart(8)} ms`);
}

type Run = () => Promise<void> | void;

/**
 * Reference and subject interleaved in one loop (order swapped every iteration), so both
 * see the same machine: this 2-core box is shared, and a reference measured a second
 * earlier is not the same machine.
 */
async function compare(refLabel: string, ref: Run, subjectLabel: string, subject: Run): Promise<[Stats, Stats]> {
  for (let i = 0; i < Math.min(20, iterations); i++) {
    await ref();
    await subject();
  }
  const a: number[] = [];
  const b: number[] = [];
  const timed = async (fn: Run, into: number[]): Promise<void> => {
    const t0 = performance.now();
    await fn();
    into.push(performance.now() - t0);
  };
  for (let i = 0; i < iterations; i++) {
    if (i % 2 === 0) {
      await timed(ref, a);
      await timed(subject, b);
    } else {
      await timed(subject, b);
      await timed(ref, a);
    }
  }
  const result: [Stats, Stats] = [stats(a), stats(b)];
  print(refLabel, result[0]);
  print(subjectLabel, result[1]);
  return result;
}

const studio = makeStudio({ units: ['eq1', 'comp1', 'tape1'], latencyMs, perParamMs });
const snapshots = [await snapshotOf(studio, 1), await snapshotOf(studio, 2)];
const digitalCount = Object.keys(snapshots[0]!.digital).length;
const unitParams = snapshots[0]!.outboard.map((u) => Object.keys(u.values).length);
console.log(
  `recall-time: ${digitalCount} digital parameters, units ${snapshots[0]!.outboard.map((u, i) => `${u.unitId}(${unitParams[i]})`).join(' ')}, ` +
    `latency ${latencyMs} ms per request, ${perParamMs} ms per parameter written, ${iterations} iterations`,
);

// Every call (reference or subject) switches to the other snapshot than the call before it,
// so each one has every value to change.
let flip = 0;
const next = (): SnapshotState => snapshots[flip++ % 2]!;
const [bareSetMany, digitalOnly] = await compare(
  'reference: bare setMany (digital)',
  () => {
    studio.params.setMany(next().digital, 'recall');
  },
  'recall, digital chain only',
  async () => {
    const r = await recallSnapshot({ state: { ...next(), outboard: [] } }, { params: studio.params, units: new Map() });
    if (r.status !== 'verified') throw new Error(`not verified: ${JSON.stringify(r.counts)}`);
  },
);
const [unitFloor, full] = await compare(
  'reference: unit floor (identity+recall+read)',
  async () => {
    const target = next();
    studio.params.setMany(target.digital, 'recall');
    await Promise.all(
      target.outboard.map(async (u) => {
        const unit = studio.units.get(u.unitId)!;
        await unit.identity();
        await unit.recall(u.values);
        await unit.read();
      }),
    );
  },
  'recall, full snapshot -> verified',
  async () => {
    const r = await recallSnapshot({ state: next() }, { params: studio.params, units: studio.recallables });
    if (r.status !== 'verified') throw new Error(`not verified: ${JSON.stringify(r.counts)}`);
  },
);
studio.dispose();

console.log('');
console.log(`digital recall / bare setMany          ${(digitalOnly.medianMs / bareSetMany.medianMs).toFixed(2)}x  (validation, verification, report)`);
console.log(`full recall / unit floor               ${(full.medianMs / unitFloor.medianMs).toFixed(2)}x  (orchestration on top of the units' own I/O)`);
console.log(`full recall - unit floor               ${(full.medianMs - unitFloor.medianMs).toFixed(3)} ms`);
