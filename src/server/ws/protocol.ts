import { z } from 'zod';
import type { BridgeErrorCode } from '../../errors.ts';
import type { LiveSheetsView } from '../../state/recall/live-recall-sheets.ts';
import type { DeviceView } from '../api-routes.ts';

/**
 * The tablet protocol, version 1 (docs/protocol.md is the reference; keep the two in step).
 * JSON text messages in both directions, binary meter frames from the daemon only.
 */
export const PROTOCOL_VERSION = 1;
export const WS_PATH = '/ws';

/** Close codes (4000-4999 is the application range of RFC 6455 section 7.4.2). */
export const CLOSE = {
  /** Daemon stopping (RFC 6455 "going away"). */
  goingAway: 1001,
  /** `hello` asked for a protocol version this daemon does not speak. */
  protocolVersion: 4400,
  /** Missing or wrong pairing token. */
  unauthorized: 4401,
  /** No `hello` within the hello timeout. */
  helloTimeout: 4408,
  /** The daemon already serves its maximum number of tablets. */
  tooManyClients: 4429,
} as const;

/** Meter sections a client can subscribe to; also the bit order in the binary frame's section mask. */
export const METER_SECTIONS = ['loudness', 'stages', 'gainReduction', 'phase', 'spectrum'] as const;
export type MeterSection = (typeof METER_SECTIONS)[number];
export const MAX_FPS = 60;

/** A client-chosen request id, echoed in the `result` or `error` that answers the request. */
const ref = z.union([z.string().max(64), z.number().int()]).optional();
const paramId = z.string().min(1).max(200);

const hello = z.strictObject({
  type: z.literal('hello'),
  protocol: z.number().int(),
  token: z.string().max(256).optional(),
  /** A name for logs ("desk iPad"); not an identity. */
  client: z.string().max(64).optional(),
  ref,
});

const paramSet = z.strictObject({ type: z.literal('param.set'), id: paramId, value: z.union([z.number(), z.boolean()]), ref });
const paramLearn = z.strictObject({ type: z.literal('param.learn'), id: paramId, ref });
const paramLearnCancel = z.strictObject({ type: z.literal('param.learn.cancel'), ref });

const subscribe = z.strictObject({
  type: z.literal('subscribe'),
  /** Sections wanted; `[]` stops the frames. */
  meters: z.array(z.enum(METER_SECTIONS)).max(METER_SECTIONS.length),
  fps: z.number().int().min(1).max(MAX_FPS).default(30),
  ref,
});

const transportSimple = z.strictObject({ type: z.enum(['transport.play', 'transport.stop', 'transport.print']), ref });
const transportLocate = z.strictObject({ type: z.literal('transport.locate'), positionS: z.number().finite().min(0), ref });

const snapshotList = z.strictObject({ type: z.literal('snapshot.list'), ref });
const snapshotSave = z.strictObject({
  type: z.literal('snapshot.save'),
  name: z.string().min(1).max(200),
  note: z.string().max(2000).optional(),
  /** Where to save (created when new); omitted: the session's current project and track. */
  project: z.string().min(1).max(200).optional(),
  track: z.string().min(1).max(200).optional(),
  ref,
});
const snapshotRecall = z.strictObject({ type: z.literal('snapshot.recall'), id: z.number().int().positive(), ref });
const snapshotAb = z.strictObject({
  type: z.literal('snapshot.ab'),
  /** Which side to hear; `toggle` switches to the other one. */
  side: z.enum(['a', 'b', 'toggle']),
  /** Set the pair (snapshot ids) before switching; omitted: the current pair. */
  a: z.number().int().positive().optional(),
  b: z.number().int().positive().optional(),
  ref,
});
/** Tick a recall-sheet line by hand (a unit that does not report its front panel), or untick it. */
const recallSheetConfirm = z.strictObject({
  type: z.literal('recall.sheet.confirm'),
  unitId: z.string().min(1).max(64),
  id: paramId,
  confirmed: z.boolean().default(true),
  ref,
});
const recallSheetDismiss = z.strictObject({ type: z.literal('recall.sheet.dismiss'), ref });
/** Liveness from the client's side: a browser cannot see a dead TCP connection otherwise. */
const ping = z.strictObject({ type: z.literal('ping'), ref });
const calibrate = z.strictObject({ type: z.literal('calibrate'), route: z.string().min(1).max(100).optional(), ref });

export const clientMessageSchema = z.discriminatedUnion('type', [
  hello,
  paramSet,
  paramLearn,
  paramLearnCancel,
  subscribe,
  transportSimple,
  transportLocate,
  snapshotList,
  snapshotSave,
  snapshotRecall,
  snapshotAb,
  recallSheetConfirm,
  recallSheetDismiss,
  calibrate,
  ping,
]);

export type ClientMessage = z.infer<typeof clientMessageSchema>;
export type ClientMessageType = ClientMessage['type'];
export type RequestRef = string | number | undefined;

// ---- daemon -> client ----

export interface WelcomeMessage {
  readonly type: 'welcome';
  readonly protocol: number;
  /** This connection's id; its changes reach the ParamStore with source `tablet:<clientId>`. */
  readonly clientId: string;
  readonly tokenRequired: boolean;
  readonly meters: { readonly sections: readonly MeterSection[]; readonly maxFps: number; readonly available: boolean };
}

export interface ActionAvailability {
  readonly learn: boolean;
  readonly transport: boolean;
  readonly snapshots: boolean;
  readonly calibrate: boolean;
}

export interface StateMessage {
  readonly type: 'state';
  readonly state: unknown;
  readonly devices: readonly DeviceView[];
  readonly actions: ActionAvailability;
}

export interface ParamsMessage {
  readonly type: 'params';
  readonly params: readonly unknown[];
}

export interface ParamMessage {
  readonly type: 'param';
  readonly id: string;
  readonly value: number;
  readonly source: string;
}

export interface ParamBatchMessage {
  readonly type: 'param.batch';
  readonly source: string;
  readonly changes: readonly { readonly id: string; readonly value: number }[];
}

/** The value a `param.set` was stored as, sent to its sender only when the store changed it (detent, clamp). */
export interface ParamAckMessage {
  readonly type: 'param.ack';
  readonly id: string;
  readonly value: number;
  readonly ref?: string | number;
}

export interface ResultMessage {
  readonly type: 'result';
  readonly request: ClientMessageType;
  readonly ref?: string | number;
  readonly data: unknown;
}

export interface ErrorMessage {
  readonly type: 'error';
  readonly code: BridgeErrorCode;
  readonly message: string;
  readonly ref?: string | number;
  readonly request?: string;
}

export interface PongMessage {
  readonly type: 'pong';
  readonly ref?: string | number;
}

export interface MetersLayoutMessage {
  readonly type: 'meters.layout';
  /** Matches the layoutId of the binary frames that follow. */
  readonly layoutId: number;
  readonly stages: readonly { readonly id: string; readonly channels: number }[];
  readonly gainReduction: readonly string[];
  readonly spectrumHz: readonly number[];
}

/**
 * The recall sheets in force (hand-set units of the last recall), pushed to every tablet when
 * they change: a recall, a knob reported at (or off) its target, a tick, a dismiss (then
 * `sheets: []`). Also sent after `params` on connect while sheets are in force.
 */
export type RecallSheetsMessage = { readonly type: 'recall.sheets' } & LiveSheetsView;

export type ServerMessage =
  | WelcomeMessage
  | StateMessage
  | ParamsMessage
  | ParamMessage
  | ParamBatchMessage
  | ParamAckMessage
  | ResultMessage
  | ErrorMessage
  | PongMessage
  | MetersLayoutMessage
  | RecallSheetsMessage;

/** Parse one inbound text message; the error text names what is wrong, never echoes the input. */
export function parseClientMessage(text: string): { ok: true; message: ClientMessage } | { ok: false; reason: string; ref: RequestRef; request?: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text) as unknown;
  } catch {
    return { ok: false, reason: 'not valid JSON', ref: undefined };
  }
  const parsed = clientMessageSchema.safeParse(raw);
  if (parsed.success) return { ok: true, message: parsed.data };
  const obj = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const r = obj.ref;
  const refOut = typeof r === 'string' && r.length <= 64 ? r : typeof r === 'number' && Number.isInteger(r) ? r : undefined;
  const t = typeof obj.type === 'string' && obj.type.length <= 40 ? obj.type : undefined;
  const reason = parsed.error.issues
    .slice(0, 3)
    .map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
  return { ok: false, reason, ref: refOut, ...(t !== undefined ? { request: t } : {}) };
}
