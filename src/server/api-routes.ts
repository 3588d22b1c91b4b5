import { z } from 'zod';
import { BridgeError } from '../errors.ts';
import type { ParamStore } from '../params/param-store.ts';
import type { HttpServer } from './http-server.ts';

export interface DeviceView {
  readonly id: string;
  readonly kind: string;
  readonly status: string;
  readonly reason: string;
}

export interface StateView {
  /** The session machine's state value. */
  readonly state: unknown;
  readonly devices: readonly DeviceView[];
}

export interface ApiDeps {
  readonly store: ParamStore;
  readonly stateView: () => StateView;
}

const paramSetBody = z.strictObject({ value: z.union([z.number(), z.boolean()]) });

/** The HTTP API of docs/http-api.md: health, state, parameters. */
export function registerApiRoutes(http: HttpServer, deps: ApiDeps): void {
  http.route('GET', '/healthz', () => ({ ok: true }));

  http.route('GET', '/api/state', () => {
    const s = deps.stateView();
    return { state: s.state, devices: s.devices, params: paramList(deps.store) };
  });

  http.route('GET', '/api/params', () => ({ params: paramList(deps.store) }));

  http.route('GET', '/api/params/:id', ({ params }) => {
    const id = params.id ?? '';
    return { id, value: deps.store.get(id) };
  });

  http.route('POST', '/api/params/:id', async (ctx) => {
    const id = ctx.params.id ?? '';
    // Unknown id first (404), then the body (422): the order scripts expect.
    deps.store.spec(id);
    const parsed = paramSetBody.safeParse(await ctx.body());
    if (!parsed.success) {
      throw new BridgeError('E_PARAM_TYPE', `body must be {"value": <number>}: ${parsed.error.issues.map((i) => i.message).join('; ')}`, {
        details: { id },
      });
    }
    const v = parsed.data.value;
    const stored = deps.store.set(id, typeof v === 'boolean' ? (v ? 1 : 0) : v, 'api');
    return { id, value: stored };
  });
}

export function paramList(store: ParamStore) {
  return store.list().map((p) => ({
    id: p.id,
    label: p.label,
    value: p.value,
    kind: p.kind,
    unit: p.unit,
    min: p.min,
    max: p.max,
    default: p.default,
    taper: p.taper,
    steps: p.steps ?? null,
    choices: p.choices ?? null,
    group: p.group ?? null,
  }));
}
