import os from 'node:os';
import QRCode from 'qrcode';
import { isLoopbackHost } from './auth.ts';

/**
 * The address a tablet on the LAN can open. For a wildcard listen address (0.0.0.0, ::)
 * that is the first non-internal IPv4 address of this machine; otherwise the listen host.
 */
export function pairingHost(listenHost: string, interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]> = os.networkInterfaces()): string {
  if (listenHost !== '0.0.0.0' && listenHost !== '::' && listenHost !== '') return listenHost.includes(':') ? `[${listenHost}]` : listenHost;
  for (const list of Object.values(interfaces)) {
    for (const i of list ?? []) if (i.family === 'IPv4' && !i.internal) return i.address;
  }
  return '127.0.0.1';
}

/** The URL the tablet opens once: with the token when the daemon requires one. */
export function pairingUrl(listenHost: string, port: number, token: string | undefined): string {
  const host = pairingHost(listenHost);
  const base = `http://${host}:${port}/`;
  return token === undefined ? base : `${base}?token=${encodeURIComponent(token)}`;
}

/** The terminal banner: the URL and the same URL as a QR code for the tablet's camera. */
export async function pairingBanner(url: string, listenHost: string): Promise<string> {
  const qr = await QRCode.toString(url, { type: 'terminal', small: true });
  const lan = isLoopbackHost(listenHost) ? ' (loopback only: start with --host 0.0.0.0 to serve the LAN)' : '';
  return `\nTablet: open ${url}${lan}\nor scan:\n${qr}\n`;
}
