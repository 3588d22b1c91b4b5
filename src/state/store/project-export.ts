import { z } from 'zod';
import { BridgeError } from '../../errors.ts';
import { describeIssues, snapshotStateSchema, STATE_LIMITS } from './snapshot-state.ts';

/**
 * The project file that moves an album between rooms: one JSON document, versioned.
 * Ids are not exported (they belong to one database); order is: tracks in running order,
 * snapshots oldest first. Every snapshot carries its complete state, calibration included.
 */
export const PROJECT_FILE_FORMAT = 'hybrid-bridge.project';
export const PROJECT_FILE_VERSION = 1;
/** A project file larger than this is refused before parsing. */
export const MAX_PROJECT_FILE_BYTES = 64 * 1024 * 1024;

const nameSchema = z
  .string()
  .min(1)
  .max(STATE_LIMITS.maxNameLength)
  .refine((s) => s.trim() === s, 'no leading or trailing spaces');
const isoTime = z.iso.datetime({ offset: true });

const exportedSnapshotSchema = z.strictObject({
  name: nameSchema,
  createdAt: isoTime,
  state: snapshotStateSchema,
});

const exportedTrackSchema = z.strictObject({
  name: nameSchema,
  createdAt: isoTime,
  snapshots: z.array(exportedSnapshotSchema).max(10_000),
});

export const projectFileSchema = z.strictObject({
  format: z.literal(PROJECT_FILE_FORMAT),
  formatVersion: z.literal(PROJECT_FILE_VERSION),
  exportedAt: isoTime,
  project: z
    .strictObject({
      name: nameSchema,
      createdAt: isoTime,
      tracks: z.array(exportedTrackSchema).max(1_000),
    })
    .superRefine((p, ctx) => {
      const seen = new Set<string>();
      p.tracks.forEach((t, i) => {
        if (seen.has(t.name)) ctx.addIssue({ code: 'custom', path: ['tracks', i, 'name'], message: `track name "${t.name}" appears twice` });
        seen.add(t.name);
      });
    }),
});
export type ProjectFile = z.infer<typeof projectFileSchema>;
export type ExportedTrack = z.infer<typeof exportedTrackSchema>;
export type ExportedSnapshot = z.infer<typeof exportedSnapshotSchema>;

/** Keys that would rewrite an object's prototype if some later code copied the parsed value. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Parse and validate a project file. Every problem is an E_IMPORT_INVALID whose message
 * names where it is (`project.tracks.2.snapshots.0.state.digital.eq.gainDb: ...`).
 */
export function parseProjectFile(text: string): ProjectFile {
  if (typeof text !== 'string') invalid('the project file must be JSON text');
  if (Buffer.byteLength(text, 'utf8') > MAX_PROJECT_FILE_BYTES) {
    invalid(`the file is larger than ${MAX_PROJECT_FILE_BYTES / (1024 * 1024)} MiB`);
  }
  const found: { forbidden: string | null } = { forbidden: null };
  let raw: unknown;
  try {
    raw = JSON.parse(text, (key, value: unknown) => {
      if (found.forbidden === null && FORBIDDEN_KEYS.has(key)) found.forbidden = key;
      return value;
    });
  } catch (err) {
    invalid(`not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (found.forbidden !== null) invalid(`forbidden key "${found.forbidden}" in the file`);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) invalid('the file must hold a JSON object');
  const head = raw as Record<string, unknown>;
  if (head.format !== PROJECT_FILE_FORMAT) invalid(`not a hybrid-bridge project file (format is ${JSON.stringify(head.format) ?? 'missing'})`);
  if (typeof head.formatVersion === 'number' && head.formatVersion > PROJECT_FILE_VERSION) {
    invalid(`the file is format version ${head.formatVersion}, newer than this build reads (${PROJECT_FILE_VERSION}); update hybrid-bridge`);
  }
  const parsed = projectFileSchema.safeParse(raw);
  if (!parsed.success) {
    const { text: why, issues } = describeIssues(parsed.error);
    throw new BridgeError('E_IMPORT_INVALID', `project file refused, nothing imported: ${why}`, { details: { issues: issues.slice(0, 50) } });
  }
  return parsed.data;
}

function invalid(why: string): never {
  throw new BridgeError('E_IMPORT_INVALID', `project file refused, nothing imported: ${why}`, { details: { issues: [{ path: '(root)', message: why }] } });
}
