import { formatProblem, loadConfig, type ConfigProblem } from '../config/load-config.ts';
import { isBridgeError } from '../errors.ts';

export interface CommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** `hybrid-bridge config check FILE`: 0 when valid, 2 with every problem listed when not. */
export async function configCheckCommand(file: string, io: CommandIo): Promise<number> {
  try {
    const loaded = await loadConfig(file);
    const c = loaded.config;
    io.stdout.write(
      `${file}: ok (${c.outboard.length} outboard unit(s), ${c.surfaces.length} surface(s), audio ${c.audio.backend}, chain ${c.engine.chain.join(' > ')})\n`,
    );
    return 0;
  } catch (err) {
    if (!isBridgeError(err)) throw err;
    const problems = (err.details.problems as ConfigProblem[] | undefined) ?? [];
    if (problems.length > 0) {
      for (const p of problems) io.stderr.write(`${formatProblem(p)}\n`);
      io.stderr.write(`${problems.length} problem(s) in ${file}\n`);
    } else io.stderr.write(`${err.code}: ${err.message}\n`);
    return 2;
  }
}
