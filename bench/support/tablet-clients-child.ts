/**
 * The benchmarks' tablets, in their own process so that their work does not count as the daemon's
 * (forked by TabletClients, bench/support/tablet-clients.ts):
 *
 *   node --import tsx bench/support/tablet-clients-child.ts --url ws://127.0.0.1:<port>/ws --clients 20 --fps 60
 *
 * Each client says hello, waits for the parameter list, then on `subscribe` asks for every meter
 * section at --fps and records, for every binary frame, its seq, the daemon's stamp
 * (publishedAtMs: the snapshot reaching the tablet server) and the receipt time, on the same
 * clock as the daemon (performance.timeOrigin + now()).
 */
import { WebSocket } from 'ws';
import { readFrameHeader } from '../../src/server/ws/meter-frame.ts';
import { benchArg as arg } from './bench-arg.ts';
import type { FromClients, ToClients } from './tablet-clients.ts';

const url = arg('url', '');
const clients = Number(arg('clients', '20'));
const fps = Number(arg('fps', '60'));
const nowMs = (): number => performance.timeOrigin + performance.now();

const sockets: WebSocket[] = [];
const frames: number[] = [];
/** Flat (seq, serverMs, receiptMs) triples, every client's frames. */
let samples: number[] = [];
let measuring = false;

for (let i = 0; i < clients; i++) {
  const ws = new WebSocket(url);
  const idx = i;
  frames.push(0);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.on('message', (data, isBinary) => {
    if (!isBinary) return;
    const t = nowMs();
    if (!measuring) return;
    const h = readFrameHeader(data as Buffer);
    frames[idx] = (frames[idx] ?? 0) + 1;
    samples.push(h.seq, h.publishedAtMs, t);
  });
  const welcomed = new Promise<void>((resolve) => ws.on('message', (d, bin) => !bin && (d as Buffer).toString('utf8').includes('"type":"params"') && resolve()));
  ws.send(JSON.stringify({ type: 'hello', protocol: 1, client: `bench ${i}` }));
  await welcomed;
  sockets.push(ws);
}

const send = (m: FromClients): void => {
  process.send?.(m);
};
process.on('message', (m: ToClients) => {
  if (m.cmd === 'subscribe') {
    for (const ws of sockets) ws.send(JSON.stringify({ type: 'subscribe', meters: ['loudness', 'stages', 'gainReduction', 'phase', 'spectrum'], fps }));
    measuring = true;
    samples = [];
    frames.fill(0);
    send({ subscribed: true });
  } else if (m.cmd === 'report') {
    send({ report: { samples, frames: [...frames] } });
    samples = [];
    frames.fill(0);
  } else {
    for (const ws of sockets) ws.terminate();
    process.exit(0);
  }
});
send({ ready: true });
