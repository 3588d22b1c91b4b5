import { randomBytes } from 'node:crypto';
import { chmod, open, readFile, rm, stat } from 'node:fs/promises';
import { BridgeError } from '../errors.ts';
import type { Logger } from '../logger.ts';

/** 32 random bytes, base64url: 43 characters, 256 bits. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{32,128}$/;

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The pairing token in `<data-dir>/token`: created (mode 0600) on first start, reused after.
 * A file readable by others is tightened back to 0600; a file that does not hold a token
 * (empty, truncated, edited) is replaced, which unpairs the tablets (they ask again).
 */
export async function loadOrCreateToken(file: string, log: Logger): Promise<string> {
  for (let attempt = 0; attempt < 2; attempt++) {
    let text: string | undefined;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw tokenError(file, err);
    }
    if (text !== undefined) {
      const token = text.trim();
      if (TOKEN_PATTERN.test(token)) {
        await tighten(file, log);
        return token;
      }
      log.warn({ file }, 'pairing token file does not hold a token: making a new one (tablets must pair again)');
      await rm(file, { force: true });
    }
    const token = newToken();
    try {
      const fh = await open(file, 'wx', 0o600);
      try {
        await fh.writeFile(`${token}\n`);
      } finally {
        await fh.close();
      }
      log.info({ file }, 'created a new pairing token');
      return token;
    } catch (err) {
      // Lost a race with another writer: read theirs on the next pass.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw tokenError(file, err);
    }
  }
  throw new BridgeError('E_DATA_DIR', `could not create the pairing token ${file}`, { details: { path: file } });
}

async function tighten(file: string, log: Logger): Promise<void> {
  const s = await stat(file);
  if ((s.mode & 0o077) !== 0) {
    log.warn({ file, mode: (s.mode & 0o777).toString(8) }, 'pairing token file was readable by others: setting mode 0600');
    await chmod(file, 0o600);
  }
}

function tokenError(file: string, err: unknown): BridgeError {
  return new BridgeError('E_DATA_DIR', `cannot read or write the pairing token ${file}: ${(err as Error).message}`, { details: { path: file }, cause: err });
}
