import { execFileSync } from 'node:child_process';

export interface ToolCheck {
  ok: boolean;
  reason: string;
}

/**
 * Whether a system tool is on PATH. Outside CI a missing tool makes the test skip with the
 * reason in its title; under CI=true a missing tool is a failure (CI installs every tool).
 */
export function requireTool(name: string, hint = `apt-get install ${name}`): ToolCheck {
  let ok: boolean;
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    ok = true;
  } catch {
    ok = false;
  }
  if (!ok && process.env.CI === 'true') {
    throw new Error(`CI=true but the required tool "${name}" is missing (${hint})`);
  }
  return { ok, reason: ok ? '' : `skipped: ${name} not installed (${hint})` };
}
