import type { FakeDevice } from '../../../../src/devices/serial/fake-serial.ts';
import { encodeFrame } from '../../../../src/devices/serial/frame-codec.ts';
import { FrameDecoder } from '../../../../src/devices/serial/frame-decoder.ts';

export interface HostRequest {
  readonly tag: string;
  readonly verb: string;
  readonly args: readonly string[];
}

/**
 * A unit played by the test on a fake port: it sees each request the host sends and answers as the
 * test's handler says (by default, an ACK echoing the request).
 */
export class ScriptedUnit {
  readonly requests: HostRequest[] = [];
  handler: (r: HostRequest, unit: ScriptedUnit) => void = (r, u) => u.send(`${r.tag} ACK ${r.verb}${r.args.length ? ' ' + r.args.join(' ') : ''}`);
  readonly #device: FakeDevice;
  readonly #decoder = new FrameDecoder();

  constructor(device: FakeDevice) {
    this.#device = device;
    device.onWrite = (bytes) => {
      for (const e of this.#decoder.push(bytes)) {
        if (e.kind !== 'frame') continue;
        const [tag = '', verb = '', ...args] = e.body.split(' ');
        const r = { tag, verb, args };
        this.requests.push(r);
        this.handler(r, this);
      }
    };
  }

  send(body: string): void {
    this.#device.send(encodeFrame(body));
  }

  /** A frame with a wrong CRC. */
  sendCorrupt(body: string): void {
    const f = Uint8Array.from(encodeFrame(body));
    f[f.length - 3] = (f[f.length - 3] as number) === 0x30 ? 0x31 : 0x30;
    this.#device.send(f);
  }

  sendRaw(bytes: Uint8Array | string): void {
    this.#device.send(bytes);
  }
}
