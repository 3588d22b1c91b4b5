import { spawn, type ChildProcess } from 'node:child_process';

/** socat with a pty at `link` on one side and `other` (e.g. `EXEC:cat`) on the other; resolves once ready. */
export async function startSocat(link: string, other: string): Promise<{ child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${link}`, other], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let text = '';
    child.stderr?.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('starting data transfer loop')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`socat exited ${String(code)}: ${text}`)));
    child.once('error', reject);
  });
  child.stderr?.resume();
  return {
    child,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await done;
    },
  };
}
