import { z } from 'zod';
import { BridgeError } from '../errors.ts';
import { albumView } from '../state/recall/album-view.ts';
import type { SessionSnapshots } from '../state/session-snapshots.ts';
import type { SnapshotStore } from '../state/store/snapshot-store.ts';
import type { HttpServer } from './http-server.ts';

export interface SnapshotRouteDeps {
  readonly store: SnapshotStore;
  readonly snapshots: SessionSnapshots;
  /** Recall through the session machine; resolves with the verification report. */
  readonly recall: (snapshotId: number) => Promise<unknown>;
  /** A snapshot was saved or recalled: it becomes the session's current one (surface slots follow it). */
  readonly onCurrent?: (snapshotId: number) => void;
  /**
   * The live session: the current project/track/snapshot and what the start restored
   * (`StorePart.current`, `StorePart.restoreReport`). Without it `GET /api/session` is not served.
   */
  readonly session?: () => { readonly current: unknown; readonly restore: unknown };
}

const saveBody = z.strictObject({
  project: z.string().min(1).max(200),
  track: z.string().min(1).max(200),
  name: z.string().min(1).max(200),
  note: z.string().max(10_000).optional(),
});

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success) {
    throw new BridgeError('E_HTTP_BAD_REQUEST', `bad request body: ${r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`);
  }
  return r.data;
}

function idParam(v: string | undefined): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new BridgeError('E_STORE_NOT_FOUND', `no such id: ${String(v)}`);
  return n;
}

/** Projects, snapshots, recall, diff, album view, export/import (docs/http-api.md). */
export function registerSnapshotRoutes(http: HttpServer, deps: SnapshotRouteDeps): void {
  // `deps.store` is read per request: the store opens when the daemon starts, after routing is set up.
  const store = (): SnapshotStore => deps.store;
  http.route('GET', '/api/projects', () => ({ projects: store().listProjects() }));
  http.route('GET', '/api/projects/:id', ({ params }) => store().getProject(idParam(params.id)));
  http.route('GET', '/api/projects/:id/album', ({ params }) => albumView(store().getProject(idParam(params.id))));
  http.route('GET', '/api/projects/:id/export', ({ params, res }) => {
    const project = store().getProject(idParam(params.id));
    const text = store().exportProject(project.id);
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="${project.name.replace(/[^A-Za-z0-9._ -]/g, '_')}.hybrid-bridge.json"`,
    });
    res.end(text);
  });
  http.route('POST', '/api/projects/import', async ({ body }) => {
    const b = await body();
    return store().importProject(typeof b === 'string' ? b : JSON.stringify(b));
  });

  const session = deps.session;
  if (session) http.route('GET', '/api/session', () => session());

  http.route('POST', '/api/snapshots', async ({ body }) => {
    const input = parseBody(saveBody, await body());
    const { id, problems } = await deps.snapshots.save(input);
    deps.onCurrent?.(id);
    return { id, warnings: problems };
  });
  http.route('GET', '/api/snapshots/:id', ({ params }) => store().getSnapshot(idParam(params.id)));
  http.route('POST', '/api/snapshots/:id/recall', async ({ params }) => {
    const id = idParam(params.id);
    store().getSnapshot(id); // 404 before touching the session
    const report = await deps.recall(id);
    deps.onCurrent?.(id);
    return report;
  });
  http.route('GET', '/api/snapshots/:a/diff/:b', ({ params }) => {
    const a = idParam(params.a);
    const b = idParam(params.b);
    return { a, b, differences: deps.snapshots.diff(a, b) };
  });
}
