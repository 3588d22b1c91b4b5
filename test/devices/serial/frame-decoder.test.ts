import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc16 } from '../../../src/devices/serial/crc16.ts';
import { encodeFrame, MAX_BODY_BYTES } from '../../../src/devices/serial/frame-codec.ts';
import { FrameDecoder, type FrameEvent } from '../../../src/devices/serial/frame-decoder.ts';
import { FrameParser } from '../../../src/devices/serial/frame-parser.ts';

const text = (s: string): Uint8Array => Buffer.from(s, 'latin1');
const frames = (events: readonly FrameEvent[]): string[] => events.flatMap((e) => (e.kind === 'frame' ? [e.body] : []));
const withoutNoise = (events: readonly FrameEvent[]): FrameEvent[] => events.filter((e) => e.kind !== 'noise');
const noiseBytes = (events: readonly FrameEvent[]): number => events.reduce((n, e) => n + (e.kind === 'noise' ? e.bytes : 0), 0);

/** A valid frame body: printable ASCII without `$` and `*`. */
const bodyArb = fc
  .array(fc.integer({ min: 0x20, max: 0x7e }).filter((c) => c !== 0x24 && c !== 0x2a), { minLength: 1, maxLength: 60 })
  .map((cs) => String.fromCharCode(...cs));

function decodeInChunks(bytes: Uint8Array, cuts: readonly number[]): FrameEvent[] {
  const d = new FrameDecoder();
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: FrameEvent[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    out.push(...d.push(bytes.subarray(prev, p)));
    prev = p;
  }
  return out;
}

describe('CRC-16/CCITT-FALSE', () => {
  it('has the published check value 0x29B1 for "123456789"', () => {
    expect(crc16(text('123456789'))).toBe(0x29b1);
  });
});

describe('frame codec', () => {
  it('encodes $body*CRC CR LF and decodes it back', () => {
    const f = encodeFrame('01 IDN');
    expect(Buffer.from(f).toString('latin1')).toMatch(/^\$01 IDN\*[0-9A-F]{4}\r\n$/);
    expect(new FrameDecoder().push(f)).toEqual([{ kind: 'frame', body: '01 IDN' }]);
  });

  it('refuses bodies it could not frame', () => {
    expect(() => encodeFrame('')).toThrow(expect.objectContaining({ code: 'E_SERIAL_FRAME' }));
    expect(() => encodeFrame('a$b')).toThrow(expect.objectContaining({ code: 'E_SERIAL_FRAME' }));
    expect(() => encodeFrame('x'.repeat(MAX_BODY_BYTES + 1))).toThrow(expect.objectContaining({ code: 'E_SERIAL_FRAME' }));
  });

  it('drops a frame whose CRC does not match, and resynchronises on the next $', () => {
    const good = encodeFrame('02 ACK PING');
    const bad = Uint8Array.from(encodeFrame('01 ACK PING'));
    bad[3] = 0x30 + ((bad[3] as number) === 0x30 ? 1 : 0); // flip a body byte
    const events = new FrameDecoder().push(Buffer.concat([bad, good]));
    expect(events).toEqual([{ kind: 'error', reason: 'checksum' }, { kind: 'frame', body: '02 ACK PING' }]);
  });

  it('accepts LF without CR, and a $ inside a frame restarts it', () => {
    const crcOf = (b: string): string => crc16(text(b)).toString(16).toUpperCase().padStart(4, '0');
    const events = new FrameDecoder().push(text(`$half-a-fr$03 PING*${crcOf('03 PING')}\n`));
    expect(events).toEqual([{ kind: 'error', reason: 'syntax' }, { kind: 'frame', body: '03 PING' }]);
  });

  it('reports noise outside frames and overflow of an endless body', () => {
    const events = new FrameDecoder().push(Buffer.concat([text('\x00\xffjunk'), text('$' + 'x'.repeat(MAX_BODY_BYTES + 5)), encodeFrame('04 PING')]));
    expect(events[0]).toEqual({ kind: 'noise', bytes: 6 });
    expect(events).toContainEqual({ kind: 'error', reason: 'overflow' });
    expect(frames(events)).toEqual(['04 PING']);
  });

  it('the FrameParser Transform yields the same frames from deliberately split chunks', async () => {
    const all = Buffer.concat([encodeFrame('01 ACK IDN model=X serial=S proto=1'), text('~~'), encodeFrame('00 NTF 16 3')]);
    const chunks = [...all].map((b) => Buffer.of(b)); // one byte per chunk
    const out: FrameEvent[] = [];
    for await (const e of Readable.from(chunks).pipe(new FrameParser())) out.push(e as FrameEvent);
    expect(frames(out)).toEqual(['01 ACK IDN model=X serial=S proto=1', '00 NTF 16 3']);
    expect(noiseBytes(out)).toBe(2);
  });
});

describe('frame decoder properties (fast-check)', () => {
  it('any byte stream: never throws, memory-bounded, every frame it yields carries a matching CRC', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.array(fc.nat(), { maxLength: 20 }), (bytes, cuts) => {
        const events = decodeInChunks(bytes, cuts);
        const hay = Buffer.from(bytes).toString('latin1');
        for (const e of events) {
          if (e.kind !== 'frame') continue;
          const crc = crc16(text(e.body)).toString(16).toUpperCase().padStart(4, '0');
          // The frame, with its own correct CRC, is literally in the input.
          expect(hay.includes(`$${e.body}*${crc}`)).toBe(true);
          expect(e.body.length).toBeLessThanOrEqual(MAX_BODY_BYTES);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('junk built from the frame alphabet does not forge frames (the CRC is really checked)', () => {
    // This junk holds many well-shaped `$..*HHHH LF` candidates; each would pass a 16-bit CRC with
    // p = 1/65536. They must all come out as checksum errors, none as frames (fixed seed: reproducible).
    let forged = 0;
    let rejected = 0;
    fc.assert(
      fc.property(fc.array(fc.constantFrom(0x24, 0x2a, 0x0a, 0x30, 0x31, 0x41, 0x46, 0x20, 0x7a), { minLength: 3000, maxLength: 3000 }), (arr) => {
        for (const e of new FrameDecoder().push(Uint8Array.from(arr))) {
          if (e.kind === 'frame') forged++;
          if (e.kind === 'error' && e.reason === 'checksum') rejected++;
        }
      }),
      { numRuns: 100, seed: 20260401 },
    );
    expect(rejected).toBeGreaterThan(10);
    expect(forged).toBe(0);
  });

  it('valid frames with garbage between them are all recovered, however the stream is split', () => {
    const garbageArb = fc.uint8Array({ maxLength: 30 }).map((g) => g.filter((b) => b !== 0x24));
    fc.assert(
      fc.property(fc.array(fc.tuple(bodyArb, garbageArb), { minLength: 1, maxLength: 15 }), fc.array(fc.nat(), { maxLength: 30 }), (items, cuts) => {
        const bytes = Buffer.concat(items.flatMap(([body, garbage]) => [encodeFrame(body), garbage]));
        expect(frames(decodeInChunks(bytes, cuts))).toEqual(items.map(([body]) => body));
      }),
      { numRuns: 300 },
    );
  });

  it('splitting never changes the result (frames, errors and the total noise)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.array(bodyArb, { maxLength: 5 }), fc.array(fc.nat(), { maxLength: 25 }), (noise, bodies, cuts) => {
        const bytes = Buffer.concat([noise, ...bodies.map((b) => encodeFrame(b)), noise]);
        const whole = new FrameDecoder().push(bytes);
        const split = decodeInChunks(bytes, cuts);
        expect(withoutNoise(split)).toEqual(withoutNoise(whole));
        expect(noiseBytes(split)).toBe(noiseBytes(whole));
      }),
      { numRuns: 300 },
    );
  });
});
