/**
 * Child process for bench/meter-vs-ffmpeg.ts: runs the `meter` command on the files given, prints its
 * JSON lines, then one line `#stats {...}` with the in-process time and the peak RSS.
 */
import { meterCommand } from '../src/commands/meter.ts';

const files = process.argv.slice(2);
const t0 = performance.now();
const code = await meterCommand(files, { json: true }, { stdout: process.stdout, stderr: process.stderr });
const computeMs = performance.now() - t0;
const usage = process.resourceUsage();
process.stdout.write(`#stats ${JSON.stringify({ code, computeMs, maxRssKb: usage.maxRSS, userMs: usage.userCPUTime / 1000, systemMs: usage.systemCPUTime / 1000 })}\n`);
process.exitCode = code;
