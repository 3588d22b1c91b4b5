// Decoder for the binary meter frame, format version 1 (docs/protocol.md "Meter frames";
// the encoder is src/server/ws/meter-frame.ts). Little-endian; sections in mask order.

export const SECTIONS = ['loudness', 'stages', 'gainReduction', 'phase', 'spectrum'];
const HEADER_BYTES = 40;

export function decodeFrame(buffer, layout) {
  const dv = new DataView(buffer);
  if (dv.byteLength < HEADER_BYTES || dv.getUint8(0) !== 1 || dv.getUint8(1) !== 1) return undefined;
  const mask = dv.getUint16(2, true);
  const layoutId = dv.getUint32(4, true);
  if (!layout || layout.layoutId !== layoutId) return undefined;
  const out = {
    mask,
    seq: dv.getUint32(8, true),
    xruns: dv.getUint32(12, true),
    timeS: dv.getFloat64(16, true),
    publishedAtMs: dv.getFloat64(24, true),
    nonFiniteSamples: dv.getUint32(32, true),
  };
  let o = HEADER_BYTES;
  const f = () => {
    const v = dv.getFloat32(o, true);
    o += 4;
    return v;
  };
  if (mask & 1) {
    out.loudness = { m: f(), s: f(), i: f(), lra: f(), mMax: f(), sMax: f(), tp: f(), samplePeak: f(), plr: f(), psr: f() };
  }
  if (mask & 2) {
    out.stages = layout.stages.map((s) => {
      const st = { id: s.id, peak: [], rms: [], hold: [] };
      for (let ch = 0; ch < s.channels; ch++) {
        st.peak.push(f());
        st.rms.push(f());
        st.hold.push(f());
      }
      return st;
    });
  }
  if (mask & 4) out.gainReduction = layout.gainReduction.map((id) => ({ id, db: f() }));
  if (mask & 8) {
    out.correlation = f();
    out.balance = f();
  }
  if (mask & 16) out.spectrum = layout.spectrumHz.map(() => f());
  return out;
}
