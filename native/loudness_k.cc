// The loudness meter's per-sample core for channels 0 and 1, native: the same memory layout and
// export (`run`) as src/engine/dsp/wasm/loudness-k.wat, and per lane the same f64 arithmetic and
// comparisons as the WAT and its JS reference (meters/loudness-meter.ts #filterAndSlide), in the
// same order, without fused multiply-adds (-ffp-contract=off): the same state to the bit.
//
// Speed: the K-weighting is two TDF-II biquads in series, each a recursion whose loop-carried path
// (s1 -> y = b0 v + s1 -> a1 y -> b1 v - a1 y -> + s2 -> s1) is four dependent f64 operations per
// sample, in an order the bit-identity fixes: a sample cannot take less than four latencies
// (about 12 cycles on Zen 4), and everything else (the power, both windows' slides and maxima, the
// ring) overlaps with that. The WAT runs the shelf and then the high-pass on the two channels as
// f64x2; here the two filters run as one wavefront (as the EQ's cascade does): step k runs the
// shelf on sample t and the high-pass on sample t - 1 as the four lanes of one f64x4 [shelf L,
// shelf R, high-pass L, high-pass R], half the instructions for the same per-lane operations, so
// the loop gets closer to the recursion's bound. Each segment of the sample loop (cut, as in the
// WAT, at 100 ms boundaries and flush points) starts with the shelf alone on its first sample and
// ends with the high-pass alone on its last, so both filters stand on the same sample at every
// flush and at the end. That needs f64x4 (instances of 4 lanes and more, kernels.h DoubleLanes);
// at 2 lanes the segments run as the WAT's f64x2 loop. Wider vectors have nothing to work on: the
// channels beyond the first two are filtered in JS by the meter. The NaN/Inf scrub runs eight
// samples per vector.
//
// Memory semantics are the WASM's: every access of the memory goes through may_alias, byte-aligned
// types, in the WAT's order, so even overlapping areas read and write as in WebAssembly; the
// integer state is u32 with wraparound, as the WAT's i32; every area is bounds-checked (per
// segment of the sample loop) before it is touched. A value WebAssembly's trunc_f64_u would trap
// on (NaN, <= -1, too large) throws RangeError, as an access out of bounds does; an address whose
// i32 sum would wrap around is treated as out of bounds. The bounds are checked before each segment
// (the WAT traps at the first bad access, having done the ones before it: after a trap the two
// memories can differ). The wavefront reads sample t's input before it writes sample t - 1's ring
// slot, so it runs only where a segment's ring slots are not its input (always, in the glue's
// layout); elsewhere the segment runs sample by sample in the WAT's order.
//
// NaNs: where two NaNs with different payloads meet in one operation, which payload the result
// carries depends on the operands' order in the machine instruction, which the compiler may swap
// for + and *: the NaN's bits (not its being NaN) can then differ from the WASM's, which the
// WebAssembly spec leaves nondeterministic anyway. The glue's input is scrubbed, so a NaN only
// arises from state or extra power it never writes.
//
// Memory (one per meter; laid out by meters/loudness-kernel.ts):
//   0    10 f64x2 coefficients, each splatted: shelf b0 b1 b2 a1 a2, high-pass b0 b1 b2 a1 a2
//   160  f64x2 channel weights (g0, g1)
//   176  f64 non-finite input counts of channels 0 and 1 (the caller moves them out)
//   192  f64 scalar state: the meter's #s, S_* at 192 + 8 S_* (loudness-meter.ts)
//   384  f64 constants: 400 ms window, 3 s window, 100 ms hop (samples)
//   512  per 100 ms boundary passed in this call: f64 pair (400 ms power, 3 s power)
//   1024 filter state: f64x2 s1, s2, h1, h2 (lane 0 left, lane 1 right)
// the ring (3 s of f64), the other channels' power (f64) and the f32 input at the addresses passed.
#include <cstring>

#include "kernels.h"
#include "vectors.h"

namespace hb {
namespace {

using v2d = double __attribute__((vector_size(16)));
using v4d = double __attribute__((vector_size(32)));
using v4l = long long __attribute__((vector_size(32)));

// The memory's element types as WebAssembly sees them: any alignment, aliasing everything.
using MemF32 = float __attribute__((aligned(1), may_alias));
using MemU32 = uint32_t __attribute__((aligned(1), may_alias));
using MemF64 = double __attribute__((aligned(1), may_alias));
using MemV2d = double __attribute__((vector_size(16), aligned(1), may_alias));
using MemV8i = int __attribute__((vector_size(32), aligned(1), may_alias));

constexpr uint64_t kCoefAt = 0;
constexpr uint64_t kWeightsAt = 160;
constexpr uint64_t kBadAt = 176;
constexpr uint64_t kScalarsAt = 192;
constexpr uint64_t kConstantsAt = 384;
constexpr uint64_t kEventsAt = 512;
constexpr uint64_t kStateAt = 1024;
constexpr uint64_t kFixedEnd = 1088;
constexpr uint32_t kFlushInterval = 1024;
constexpr double kStateFlush = 1e-20;  // STATE_FLUSH of loudness-meter.ts (-400 dB)

HB_INLINE double ldF64(const uint8_t* p) { return *reinterpret_cast<const MemF64*>(p); }
HB_INLINE void stF64(uint8_t* p, double v) { *reinterpret_cast<MemF64*>(p) = v; }
HB_INLINE void ldV2d(v2d& v, const uint8_t* p) { v = *reinterpret_cast<const MemV2d*>(p); }
HB_INLINE void stV2d(uint8_t* p, const v2d& v) { *reinterpret_cast<MemV2d*>(p) = v; }

// i32.trunc_f64_u / i64.trunc_f64_u: false where WebAssembly traps.
HB_INLINE bool truncU32(double v, uint32_t& out) {
  if (!(v > -1.0 && v < 4294967296.0)) return false;
  out = static_cast<uint32_t>(v);
  return true;
}
HB_INLINE bool truncU64(double v, uint64_t& out) {
  if (!(v > -1.0 && v < 18446744073709551616.0)) return false;
  out = static_cast<uint64_t>(v);
  return true;
}

// [at, at + bytes) inside the memory.
HB_INLINE bool inside(uint64_t at, uint64_t bytes, uint64_t size) { return at <= size && bytes <= size - at; }

// $scrub: NaN / Inf (exponent all ones) among `frames` f32 at x become +0; how many (u32, wrapping).
// Eight at a time (32-byte vectors ran faster than 64-byte ones on Zen 4, as in true_peak.cc).
HB_TARGETS uint32_t scrubImpl(uint8_t* x, uint32_t frames) {
  v8i count = v8i{};
  uint32_t k = 0;
  for (; k + 8 <= frames; k += 8) {
    MemV8i* p = reinterpret_cast<MemV8i*>(x + 4 * static_cast<uint64_t>(k));
    const v8i v = *p;
    const v8i bad = (v & 0x7f800000) == 0x7f800000;
    *p = v & ~bad;  // the same bytes where no lane is bad (the WAT skips that store)
    count -= bad;
  }
  uint32_t n = 0;
  for (; k < frames; k++) {
    MemU32* p = reinterpret_cast<MemU32*>(x + 4 * static_cast<uint64_t>(k));
    if ((*p & 0x7f800000u) == 0x7f800000u) {
      *p = 0;
      n++;
    }
  }
  for (int l = 0; l < 8; l++) n += static_cast<uint32_t>(count[l]);
  return n;
}

// `if (x < F && x > -F) x = 0`, per lane (v128.andnot on the two comparisons).
HB_INLINE void flushLanes(v4d& x) {
  const v4d f = v4d{} + kStateFlush;
  const v4l tiny = (x < f) & (x > -f);
  x = reinterpret_cast<v4d>(reinterpret_cast<v4l>(x) & ~tiny);
}

// The two filters, [shelf L, shelf R, high-pass L, high-pass R]: coefficients and state.
struct KFilter {
  v4d b0, b1, b2, a1, a2;
  v4d s1, s2;  // (s1 L, s1 R, h1 L, h1 R), (s2 L, s2 R, h2 L, h2 R)
};

// One TDF-II step of all four lanes on `in`, into `out` (per lane the WAT's operations):
// out = b0 in + s1; s1 = (b1 in - a1 out) + s2; s2 = b2 in - a2 out. With Masked, the lanes where
// `keep` is set keep their state (their filter has no sample at this step).
template <bool Masked>
HB_INLINE void kStep(KFilter& f, const v4d& in, v4d& out, const v4l& keep) {
  out = f.b0 * in + f.s1;
  const v4d s1 = (f.b1 * in - f.a1 * out) + f.s2;
  const v4d s2 = f.b2 * in - f.a2 * out;
  if constexpr (Masked) {
    f.s1 = keep ? f.s1 : s1;
    f.s2 = keep ? f.s2 : s2;
  } else {
    f.s1 = s1;
    f.s2 = s2;
  }
}

// The windows' part of one sample (the WAT's order): z -> p (+ extra[i]), the ring slot's old
// values, the slot written, both sums, fresh sums and maxima.
struct Windows {
  v2d g, sums, fresh, max;
};

template <bool Extra>
HB_INLINE void slide(Windows& s, const v2d& z, const uint8_t* ep, uint32_t i, uint8_t*& wp, const uint8_t*& mp) {
  // p = g0 z0 z0 + g1 z1 z1 (+ the other channels')
  const v2d t = (s.g * z) * z;
  double p = t[0] + t[1];
  if constexpr (Extra) p = p + ldF64(ep + 8 * static_cast<uint64_t>(i));
  // (oldM, oldS) = (ring[m], ring[w]); ring[w] = p; sums += p - old; fresh += p
  const v2d old = {ldF64(mp), ldF64(wp)};
  stF64(wp, p);
  const v2d pp = {p, p};
  s.sums = s.sums + (pp - old);
  s.fresh = s.fresh + pp;
  s.max = s.max < s.sums ? s.sums : s.max;  // f64x2.pmax(max, sums)
  wp += 8;
  mp += 8;
}

HB_INLINE float ldF32(const uint8_t* base, uint64_t at) { return *reinterpret_cast<const MemF32*>(base + at); }

// [a, a + an) and [b, b + bn) share a byte.
HB_INLINE bool overlap(uint64_t a, uint64_t an, uint64_t b, uint64_t bn) { return a < b + bn && b < a + an; }

struct RunArgs {
  uint8_t* base;
  uint64_t size;
  uint32_t ring, extra, l, r, frames, untilFlush;
};

// The WAT's `run` after the scrub; -1 where WebAssembly would trap, else the boundaries passed.
// Wide: the segments run as the f64x4 wavefront (instances of 4 lanes and more); else as the
// WAT's f64x2 loop.
template <bool Extra, bool Wide>
HB_INLINE long long runBody(const RunArgs& a) {
  uint8_t* const base = a.base;
  v2d sb0, sb1, sb2, sa1, sa2, hb0, hb1, hb2, ha1, ha2, g;
  ldV2d(sb0, base + kCoefAt + 0);
  ldV2d(sb1, base + kCoefAt + 16);
  ldV2d(sb2, base + kCoefAt + 32);
  ldV2d(sa1, base + kCoefAt + 48);
  ldV2d(sa2, base + kCoefAt + 64);
  ldV2d(hb0, base + kCoefAt + 80);
  ldV2d(hb1, base + kCoefAt + 96);
  ldV2d(hb2, base + kCoefAt + 112);
  ldV2d(ha1, base + kCoefAt + 128);
  ldV2d(ha2, base + kCoefAt + 144);
  ldV2d(g, base + kWeightsAt);
  // the non-finite samples, counted per channel (once when both lanes read the same input); the
  // count is loaded before the scrub runs, as the WAT's operands are evaluated
  {
    const double before = ldF64(base + kBadAt);
    stF64(base + kBadAt, before + static_cast<double>(scrubImpl(base + a.l, a.frames)));
  }
  if (a.r != a.l) {
    const double before = ldF64(base + kBadAt + 8);
    stF64(base + kBadAt + 8, before + static_cast<double>(scrubImpl(base + a.r, a.frames)));
  }
  const v2d zero = v2d{0.0, 0.0};
  KFilter f;
  f.b0 = v4d{sb0[0], sb0[1], hb0[0], hb0[1]};
  f.b1 = v4d{sb1[0], sb1[1], hb1[0], hb1[1]};
  f.b2 = v4d{sb2[0], sb2[1], hb2[0], hb2[1]};
  f.a1 = v4d{sa1[0], sa1[1], ha1[0], ha1[1]};
  f.a2 = v4d{sa2[0], sa2[1], ha2[0], ha2[1]};
  {
    v2d s1, s2, h1, h2;
    ldV2d(s1, base + kStateAt + 0);
    ldV2d(s2, base + kStateAt + 16);
    ldV2d(h1, base + kStateAt + 32);
    ldV2d(h2, base + kStateAt + 48);
    f.s1 = v4d{s1[0], s1[1], h1[0], h1[1]};
    f.s2 = v4d{s2[0], s2[1], h2[0], h2[1]};
  }
  Windows win;
  win.g = g;
  v2d windows;
  uint32_t w, hopLeft, nM, nS, hop;
  uint64_t hopsInt;
  if (!truncU32(ldF64(base + kScalarsAt + 0), w)) return -1;  // S_WRITE
  ldV2d(win.sums, base + kScalarsAt + 8);                        // S_SUM_M, S_SUM_S
  ldV2d(win.fresh, base + kScalarsAt + 24);                      // S_FRESH_M, S_FRESH_S
  ldV2d(win.max, base + kScalarsAt + 40);                        // S_MAX_M_READ, S_MAX_S_READ
  if (!truncU32(ldF64(base + kScalarsAt + 72), hopLeft)) return -1;  // S_HOP_LEFT
  double hops = ldF64(base + kScalarsAt + 80);                          // S_HOPS
  ldV2d(windows, base + kConstantsAt);
  if (!truncU32(windows[0], nM) || !truncU32(windows[1], nS)) return -1;
  if (!truncU32(ldF64(base + kConstantsAt + 16), hop)) return -1;
  if (!truncU64(hops, hopsInt)) return -1;
  uint32_t phaseM = static_cast<uint32_t>(hopsInt % 4);
  uint32_t phaseS = static_cast<uint32_t>(hopsInt % 30);
  uint32_t untilFlush = a.untilFlush;
  uint32_t events = 0;
  uint32_t i = 0;
  const uint32_t frames = a.frames;
  const v4l keepHigh = {0, 0, -1, -1};
  const v4l keepLow = {-1, -1, 0, 0};
  while (i < frames) {
    // up to the next 100 ms boundary or flush point, whichever is first
    uint32_t n = frames - i;
    if (hopLeft < n) n = hopLeft;
    if (untilFlush < n) n = untilFlush;
    const uint32_t end = i + n;
    // the 400 ms window starts nM samples behind the write position; both wrap only at hop boundaries
    const uint32_t m = w >= nM ? w - nM : (w - nM) + nS;
    // the samples this segment touches (the WAT's do-while runs one even when n is 0)
    const uint64_t count = n == 0 ? 1 : n;
    const uint64_t wAt = a.ring + 8 * static_cast<uint64_t>(w);
    const uint64_t mAt = a.ring + 8 * static_cast<uint64_t>(m);
    if (!inside(wAt, 8 * count, a.size) || !inside(mAt, 8 * count, a.size)) return -1;
    w += n;
    uint8_t* wp = base + wAt;
    const uint8_t* mp = base + mAt;
    const uint8_t* ep = base + a.extra;
    const uint64_t lAt = a.l + 4 * static_cast<uint64_t>(i);
    const uint64_t rAt = a.r + 4 * static_cast<uint64_t>(i);
    if (Wide && !overlap(wAt, 8 * count, lAt, 4 * count) && !overlap(wAt, 8 * count, rAt, 4 * count)) {
      // The wavefront: step k runs the shelf on sample i + k and the high-pass on sample i + k - 1
      // (one 4-lane recursion instead of two chained 2-lane ones), then slides the windows over
      // sample i + k - 1. Sample t's input is read before sample t - 1's ring slot is written (the
      // WAT reads it after), hence only where this segment's ring slots are not the input.
      v4d out;
      v4d in = {ldF32(base, lAt), ldF32(base, rAt), 0.0, 0.0};
      kStep<true>(f, in, out, keepHigh);  // the shelf alone on sample i
      for (uint64_t k = 1; k < count; k++) {
        in = v4d{ldF32(base, lAt + 4 * k), ldF32(base, rAt + 4 * k), out[0], out[1]};
        kStep<false>(f, in, out, keepHigh);
        slide<Extra>(win, v2d{out[2], out[3]}, ep, i, wp, mp);
        i++;
      }
      in = v4d{0.0, 0.0, out[0], out[1]};
      kStep<true>(f, in, out, keepLow);  // the high-pass alone on the last sample
      slide<Extra>(win, v2d{out[2], out[3]}, ep, i, wp, mp);
      i++;
    } else {
      // The WAT's loop: sample by sample, the shelf then the high-pass on (L, R) as f64x2.
      v2d s1 = {f.s1[0], f.s1[1]}, h1 = {f.s1[2], f.s1[3]};
      v2d s2 = {f.s2[0], f.s2[1]}, h2 = {f.s2[2], f.s2[3]};
      do {
        const v2d v = {ldF32(base, a.l + 4 * static_cast<uint64_t>(i)), ldF32(base, a.r + 4 * static_cast<uint64_t>(i))};
        // y = sb0 v + s1; s1 = sb1 v - sa1 y + s2; s2 = sb2 v - sa2 y (the shelf), then z from y (the high-pass)
        const v2d y = sb0 * v + s1;
        s1 = (sb1 * v - sa1 * y) + s2;
        s2 = sb2 * v - sa2 * y;
        const v2d z = hb0 * y + h1;
        h1 = (hb1 * y - ha1 * z) + h2;
        h2 = hb2 * y - ha2 * z;
        slide<Extra>(win, z, ep, i, wp, mp);
        i++;
      } while (i < end);
      f.s1 = v4d{s1[0], s1[1], h1[0], h1[1]};
      f.s2 = v4d{s2[0], s2[1], h2[0], h2[1]};
    }
    // a stream flush point: filter state below the flush level becomes 0 (never denormal)
    untilFlush -= n;
    if (untilFlush == 0) {
      untilFlush = kFlushInterval;
      flushLanes(f.s1);
      flushLanes(f.s2);
    }
    // a 100 ms boundary (#endOfHop): resync the running sums, record the block powers
    hopLeft -= n;
    if (hopLeft == 0) {
      hopLeft = hop;
      if (w == nS) w = 0;
      hops = hops + 1.0;
      phaseM++;
      if (phaseM == 4) {
        phaseM = 0;
        win.sums[0] = win.fresh[0];
        win.fresh[0] = 0.0;
      }
      phaseS++;
      if (phaseS == 30) {
        phaseS = 0;
        win.sums[1] = win.fresh[1];
        win.fresh[1] = 0.0;
      }
      // if (sum < 0) sum = 0; then the block powers sum / window
      win.sums = win.sums < zero ? zero : win.sums;
      const uint64_t at = kEventsAt + 16 * static_cast<uint64_t>(events);
      if (!inside(at, 16, a.size)) return -1;
      stV2d(base + at, win.sums / windows);
      events++;
    }
  }
  stV2d(base + kStateAt + 0, v2d{f.s1[0], f.s1[1]});
  stV2d(base + kStateAt + 16, v2d{f.s2[0], f.s2[1]});
  stV2d(base + kStateAt + 32, v2d{f.s1[2], f.s1[3]});
  stV2d(base + kStateAt + 48, v2d{f.s2[2], f.s2[3]});
  stF64(base + kScalarsAt + 0, static_cast<double>(w));
  stV2d(base + kScalarsAt + 8, win.sums);
  stV2d(base + kScalarsAt + 24, win.fresh);
  stV2d(base + kScalarsAt + 40, win.max);
  stF64(base + kScalarsAt + 72, static_cast<double>(hopLeft));
  stF64(base + kScalarsAt + 80, hops);
  return static_cast<int32_t>(events);
}

// One entry per vector width (each multi-versioned), picked by the instance's lanes.
HB_TARGETS long long runWide(const RunArgs& a) { return a.extra != 0 ? runBody<true, true>(a) : runBody<false, true>(a); }
HB_TARGETS long long runNarrow(const RunArgs& a) { return a.extra != 0 ? runBody<true, false>(a) : runBody<false, false>(a); }

// run(ring, extra, l, r, frames, untilFlush) -> 100 ms boundaries passed. The arguments are i32 as
// WebAssembly takes them (ToInt32 of the number), used unsigned as the WAT does.
napi_value Run(napi_env env, napi_callback_info info) {
  Args<6> args(env, info);
  RunArgs a{};
  a.ring = static_cast<uint32_t>(args.i(0));
  a.extra = static_cast<uint32_t>(args.i(1));
  a.l = static_cast<uint32_t>(args.i(2));
  a.r = static_cast<uint32_t>(args.i(3));
  a.frames = static_cast<uint32_t>(args.i(4));
  a.untilFlush = static_cast<uint32_t>(args.i(5));
  if (args.failed()) return args.fail();
  const Memory* mem = args.memory();
  args.check(mem != nullptr && mem->size >= kFixedEnd, "memory too small for the loudness kernel");
  if (args.failed()) return args.fail();
  a.base = mem->base;
  a.size = mem->size;
  // every input sample and extra power the call reads (the ring and the events: per segment)
  const uint64_t bytes = 4 * static_cast<uint64_t>(a.frames);
  args.check(inside(a.l, bytes, a.size) && inside(a.r, bytes, a.size) && (a.extra == 0 || inside(a.extra, 2 * bytes, a.size)),
             "memory access out of bounds");
  if (args.failed()) return args.fail();
  const long long events = mem->lanes >= 4 ? runWide(a) : runNarrow(a);
  args.check(events >= 0, "loudness kernel: memory access out of bounds or state not an unsigned integer");
  if (args.failed()) return args.fail();
  return Number(env, static_cast<double>(events));
}

}  // namespace

const KernelExport kLoudnessK[] = {
    {"run", Run},
    {nullptr, nullptr},
};

}  // namespace hb
