/**
 * `npm run bench`: runs every benchmark script in bench/ (helpers named `*-child.ts` excepted) in turn, each in its own process
 * (so one's heap and JIT state cannot colour another's figures). Each script prints its own
 * ratios against a reference measured in the same run. Pass names to run a subset:
 *   npm run bench -- engine meter
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const scripts = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_') && !f.endsWith('-child.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

let failed = 0;
for (const s of scripts) {
  process.stdout.write(`\n=== ${s}\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(dir, s)], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed += 1;
    process.stdout.write(`${s} exited with ${String(r.status ?? r.signal)}\n`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
