import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { BridgeError, isBridgeError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { MIGRATIONS, STORE_APPLICATION_ID, type Migration } from './migrations.ts';

export interface OpenedDatabase {
  readonly db: Database.Database;
  readonly schemaVersion: number;
  /** The version the file was at before this open migrated it (null: no migration ran). */
  readonly migratedFrom: number | null;
  /** The copy made before migrating (null: no migration ran). */
  readonly backupFile: string | null;
}

export interface OpenDatabaseOptions {
  log: Logger;
  /** Tests substitute a migration list (e.g. one that fails half way). */
  migrations?: readonly Migration[];
  now?: () => Date;
  /** How long a write waits for another connection's lock before failing (E_STORE_WRITE). Default 5000. */
  busyTimeoutMs?: number;
}

/**
 * Open (or create) the store file, set the pragmas the crash-safety guarantee depends on,
 * and bring the schema up to date. A database from an older version is copied first
 * (SQLite online backup, so the copy is consistent even with a WAL), then migrated in one
 * transaction: a failed migration leaves the file exactly at its old version.
 */
export async function openDatabase(file: string, options: OpenDatabaseOptions): Promise<OpenedDatabase> {
  const migrations = options.migrations ?? MIGRATIONS;
  const latest = migrations.length;
  const log = options.log;
  let db: Database.Database;
  try {
    db = new Database(file, { fileMustExist: false });
  } catch (err) {
    throw new BridgeError('E_STORE_OPEN', `cannot open the store ${file}: ${messageOf(err)}`, { details: { file }, cause: err });
  }
  try {
    let version: number;
    try {
      // The first statement is where a file that is not a database fails (SQLITE_NOTADB).
      const appId = db.pragma('application_id', { simple: true }) as number;
      version = db.pragma('user_version', { simple: true }) as number;
      if (appId !== 0 && appId !== STORE_APPLICATION_ID) {
        throw new BridgeError('E_STORE_OPEN', `${file} is a SQLite database of another application (application_id ${appId})`, {
          details: { file, applicationId: appId },
        });
      }
      if (appId === 0 && version === 0 && hasTables(db)) {
        throw new BridgeError('E_STORE_OPEN', `${file} is a SQLite database but not a hybrid-bridge store`, { details: { file } });
      }
      // WAL: a reader never blocks the writer, and a commit is one append; a killed process
      // leaves either the previous or the new transaction visible (never a half one).
      const mode = db.pragma('journal_mode = WAL', { simple: true }) as string;
      if (mode !== 'wal') log.warn({ file, mode }, 'store: the file system refused WAL; using the rollback journal');
      // FULL: an acknowledged save survives a power cut too, not only a killed process.
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    } catch (err) {
      if (isBridgeError(err)) throw err;
      throw new BridgeError('E_STORE_OPEN', `cannot open the store ${file}: ${messageOf(err)}`, { details: { file }, cause: err });
    }

    if (version > latest) {
      throw new BridgeError(
        'E_STORE_MIGRATION',
        `${file} is at schema version ${version}, newer than this build knows (${latest}); refusing to touch it (update hybrid-bridge)`,
        { details: { file, version, latest } },
      );
    }
    if (version === latest) return { db, schemaVersion: version, migratedFrom: null, backupFile: null };

    let backupFile: string | null = null;
    if (version > 0) {
      backupFile = backupName(file, version, (options.now ?? (() => new Date()))());
      try {
        await db.backup(backupFile);
        // The copy inherits WAL mode; a backup should be one self-contained file to keep or move.
        const copy = new Database(backupFile);
        copy.pragma('journal_mode = DELETE');
        copy.close();
      } catch (err) {
        throw new BridgeError('E_STORE_MIGRATION', `cannot back up ${file} before migrating it: ${messageOf(err)}`, {
          details: { file, backupFile },
          cause: err,
        });
      }
      log.info({ file, backupFile, from: version, to: latest }, 'store: backed up before migrating');
    }
    migrate(db, version, migrations, file, backupFile);
    log.info({ file, from: version, to: latest }, version === 0 ? 'store: created' : 'store: migrated');
    return { db, schemaVersion: latest, migratedFrom: version === 0 ? null : version, backupFile };
  } catch (err) {
    db.close();
    throw err;
  }
}

function migrate(db: Database.Database, from: number, migrations: readonly Migration[], file: string, backupFile: string | null): void {
  const pending = migrations.filter((m) => m.version > from);
  pending.forEach((m, i) => {
    if (m.version !== from + i + 1) throw new Error(`migration list is not consecutive at version ${m.version}`);
  });
  // Foreign keys cannot be toggled inside a transaction; a migration that rebuilds a table
  // needs them off, and foreign_key_check below proves it left no dangling reference.
  db.pragma('foreign_keys = OFF');
  try {
    db.transaction(() => {
      for (const m of pending) {
        try {
          db.exec(m.sql);
        } catch (err) {
          throw new BridgeError('E_STORE_MIGRATION', `migrating ${file} to schema version ${m.version} (${m.description}) failed: ${messageOf(err)}`, {
            details: { file, from, failedAt: m.version, backupFile },
            cause: err,
          });
        }
        db.pragma(`user_version = ${m.version}`);
      }
      const dangling = db.pragma('foreign_key_check') as unknown[];
      if (dangling.length > 0) {
        throw new BridgeError('E_STORE_MIGRATION', `migrating ${file} left ${dangling.length} dangling references`, {
          details: { file, from, backupFile },
        });
      }
      db.pragma(`application_id = ${STORE_APPLICATION_ID}`);
    }).immediate();
  } finally {
    db.pragma('foreign_keys = ON');
  }
}

function hasTables(db: Database.Database): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' LIMIT 1").get() !== undefined;
}

/** `<file>.v1-backup-20250101T120000Z` next to the store; never overwrites an earlier backup. */
function backupName(file: string, version: number, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  let name = `${file}.v${version}-backup-${stamp}`;
  for (let n = 2; existsSync(name); n++) name = `${file}.v${version}-backup-${stamp}-${n}`;
  return name;
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
