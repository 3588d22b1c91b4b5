import { describe, expect, it } from 'vitest';
import { formatRequest, isRetryableNak, NAK, parseDump, parseIdentity, parseUnitMessage } from '../../../src/devices/serial/protocol.ts';

describe('protocol v1 messages', () => {
  it('parses acknowledgements with their tag, verb and arguments', () => {
    expect(parseUnitMessage('0A ACK SET 16 14')).toEqual({ type: 'ack', tag: 10, verb: 'SET', args: ['16', '14'] });
    expect(parseUnitMessage('FF ACK PING')).toEqual({ type: 'ack', tag: 255, verb: 'PING', args: [] });
  });

  it('parses NAKs, notifications, meters and the boot banner', () => {
    expect(parseUnitMessage('03 NAK 06 BAD_VALUE')).toEqual({ type: 'nak', tag: 3, code: 6, reason: 'BAD_VALUE' });
    expect(parseUnitMessage('00 NAK 01 CHECKSUM')).toEqual({ type: 'nak', tag: 0, code: 1, reason: 'CHECKSUM' });
    expect(parseUnitMessage('00 NTF 1A -3')).toEqual({ type: 'ntf', address: 0x1a, raw: -3 });
    expect(parseUnitMessage('00 MTR F0 45')).toEqual({ type: 'mtr', address: 0xf0, raw: 45 });
    expect(parseUnitMessage('00 BOOT model=HB-BC2 vendor=H fw=2.1.0 serial=BC-1 proto=1 params=8 boot=4 future=yes')).toEqual({
      type: 'boot',
      identity: { model: 'HB-BC2', vendor: 'H', firmware: '2.1.0', serial: 'BC-1', protocol: 1, params: 8, boot: 4 },
    });
  });

  it('refuses malformed bodies instead of guessing', () => {
    for (const body of ['', 'ACK', '0g ACK PING', '00 ACK PING', '01 NAK x', '05 NTF 10 1', '00 NTF 1 1', '00 NTF 10 1.5', '00 BOOT model=x', '01 HELLO']) {
      expect(parseUnitMessage(body), body).toBeUndefined();
    }
  });

  it('identity needs model, serial and proto; unknown fields are ignored', () => {
    expect(parseIdentity(['serial=A', 'proto=1'])).toBeUndefined();
    expect(parseIdentity(['model=M', 'serial=A', 'proto=1', 'x=y'])).toMatchObject({ model: 'M', serial: 'A', protocol: 1, params: -1, boot: -1 });
  });

  it('dump answers map addresses to raw values', () => {
    expect(parseDump(['01=0', '1E=20', '02=-100'])).toEqual(
      new Map([
        [1, 0],
        [0x1e, 20],
        [2, -100],
      ]),
    );
    expect(parseDump(['01=x'])).toBeUndefined();
  });

  it('only line trouble is retried; an untagged SYNTAX is line noise, a tagged one a host bug', () => {
    expect(isRetryableNak(NAK.checksum, true)).toBe(true);
    expect(isRetryableNak(NAK.overflow, true)).toBe(true);
    expect(isRetryableNak(NAK.busy, false)).toBe(true);
    expect(isRetryableNak(NAK.syntax, true)).toBe(true);
    expect(isRetryableNak(NAK.syntax, false)).toBe(false);
    for (const c of [NAK.unknownVerb, NAK.badAddress, NAK.badValue, NAK.readOnly, NAK.tooLarge]) expect(isRetryableNak(c, false)).toBe(false);
  });

  it('formats requests with a 2-digit hex tag', () => {
    expect(formatRequest(10, 'SET', ['16', 14])).toBe('0A SET 16 14');
    expect(formatRequest(1, 'IDN', [])).toBe('01 IDN');
  });
});
