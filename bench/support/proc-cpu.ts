import { readdirSync, readFileSync } from 'node:fs';

/** getconf CLK_TCK on Linux: /proc's utime and stime count in these. */
const TICKS_PER_S = 100;

function statCpuS(file: string): number {
  try {
    const stat = readFileSync(file, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds (user + system) from /proc for the benchmarks: other processes (the stream's child,
 * jackd), one thread of this process, the sum over this process's threads (process.cpuUsage).
 */
export const procCpu = {
  /** A whole process (all its threads), 0 when it is gone or undefined. */
  process(pid: number | undefined): number {
    return pid === undefined ? 0 : statCpuS(`/proc/${pid}/stat`);
  },
  /** One thread of this process (the main thread's tid is the pid), at 10 ms resolution. */
  thread(tid: number): number {
    return statCpuS(`/proc/self/task/${tid}/stat`);
  },
  /** This process, all threads, at microsecond resolution. */
  self(): number {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  },
  /** The pids of the children of `ppid` whose command line contains `match` (e.g. the stream process a worker thread spawned). */
  children(ppid: number, match: string): number[] {
    const out: number[] = [];
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (parent !== ppid) continue;
        if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(match)) out.push(Number(name));
      } catch {
        // gone between the listing and the read
      }
    }
    return out;
  },
  /** The 1-minute load average. */
  loadAverage(): number {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  },
};
