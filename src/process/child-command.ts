import { spawnSync } from 'node:child_process';

/** Is `name` on the PATH (sh's `command -v`). */
export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/**
 * The command line that runs `command args` so that the kernel kills it (SIGKILL) when the thread
 * that spawned it dies: `setpriv --pdeathsig KILL --` (util-linux) when it is installed. Without
 * it a daemon killed by SIGKILL, or a test runner that gave up on a test, leaves its simulated
 * units, surfaces and stream processes behind, holding their ptys and sockets.
 */
export function dieWithParent(command: string, args: readonly string[], setpriv = hasTool('setpriv')): { command: string; args: string[] } {
  return setpriv ? { command: 'setpriv', args: ['--pdeathsig', 'KILL', '--', command, ...args] } : { command, args: [...args] };
}
