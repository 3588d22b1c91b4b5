// BS.1770-4 Annex 2 true peak, native: the same memory layout and exports as
// src/engine/dsp/wasm/true-peak.wat (`block`, `peak4`, `peak2`), and per output instant the same
// single-precision arithmetic as the WAT and its JS references (meters/true-peak-meter.ts peak4f /
// peak2f), in the same order, without fused multiply-adds (-ffp-contract=off): bit-identical.
//
// Speed: the instants are independent, so the interpolators run eight of them per f32x8 (the WAT
// four per f32x4; at 2 lanes, kernels.h DoubleLanes, four per f32x4 too), then the WAT's
// remaining quads four per f32x4 and its scalar tail one by one: each instant goes through the
// same lane of the same splatted coefficient vector as in the WAT (lane (j - start) mod 4 in the
// vector loops, lane 0 in the scalar tail), so even unsplatted coefficients would give the same
// values. The conversion (scrub, sample peak, chunk maxima) runs a vector of samples at a time
// too. The skip decisions are the WAT's, chunk by chunk, on the exact running peak.
// AVX-512 CPUs run the f32x8 code too: on Zen 4 (512-bit operations in two halves) f32x16 was
// slower, every instant computed, 1.04 against 0.98 ns per sample at 4x and 0.89 against 0.78 at
// 2x, the conversion alone 0.20 against 0.15 (the unaligned 64-byte loads all split cache lines).
//
// Reductions: every sum is the WAT's, term by term in the same order. The maxima (the running
// peak `if (h > run) run = h`, the chunk maxima `if (a > cm) cm = a`) take their lanes in another
// order than the WAT, which gives the same result: a strict `>` never lets a NaN in, and the
// candidates are all >= +0 (|.| of a value, or a sum of two: never -0), a set where equal values
// have equal bits, so the result is the largest candidate above the start value, else the start
// value itself (whatever it is, NaN or -0 included), in any order. The non-finite count adds 1.0
// per sample, as the WAT does.
//
// Memory (one per meter): at 0, 24 f32x4 coefficients (sym0, anti0, sym1, anti1, 6 each, each
// splatted to 4 lanes); at 384 the 12 half-sample taps, splatted; at 576 the f64 scalars of
// `block`: 576 the running peak, 584 the sample peak, 592 the non-finite count, 600 the skip
// bound. Channel buffers, chunk maxima and input anywhere after (the glue: from 640).
//
// Differences from the WAT, all outside what the glue does: a negative frames, history or start,
// or an offset not a multiple of its element size throws RangeError (WASM would compute, or wrap);
// `block` needs its input, buffer and chunk maxima apart from each other and from the first 608
// bytes (the vector conversion reads a vector of samples before it writes them): a call where they
// overlap throws RangeError instead of computing something else.
#include <cstring>

#include "kernels.h"
#include "vectors.h"

namespace hb {
namespace {

// The integer twin of each float vector width (f32x8: AVX2 and AVX-512 CPUs; f32x4: SSE2).
template <typename V>
struct IntOf;
template <>
struct IntOf<v8f> {
  using I = v8i;
};
template <>
struct IntOf<v4f> {
  using I = v4i;
};

// Byte offsets of the fixed part of the memory.
constexpr size_t kCoef4At = 0;
constexpr size_t kCoef2At = 384;
constexpr size_t kPeakAt = 576;
constexpr size_t kSamplePeakAt = 584;
constexpr size_t kBadAt = 592;
constexpr size_t kBoundAt = 600;
constexpr size_t kFixedEnd = 608;
constexpr long long kChunk = 64;
// Samples after an instant's index its window reaches (peak4: 12 taps; peak2: 24).
constexpr long long kReach4 = 11;
constexpr long long kReach2 = 23;

// The helpers take and give vectors by reference: a 32-byte vector passed or returned by value
// has a different ABI with and without AVX (GCC warns), although these are always inlined.
template <typename V>
HB_INLINE void loadu(V& v, const float* p) {
  std::memcpy(&v, p, sizeof v);
}

template <typename V>
HB_INLINE void storeu(float* p, const V& v) {
  std::memcpy(p, &v, sizeof v);
}

// f32.abs / f32x4.abs: the sign bit cleared.
HB_INLINE void absf(float& x) { x = __builtin_fabsf(x); }
template <typename V>
HB_INLINE void absf(V& x) {
  using I = typename IntOf<V>::I;
  x = reinterpret_cast<V>(reinterpret_cast<I>(x) & 0x7fffffff);
}

// b = a > b ? a : b (v128.bitselect on f32x4.gt; NaN compares false).
template <typename V>
HB_INLINE void raise(const V& a, V& b) {
  b = a > b ? a : b;
}

// The largest lane of a and b (strict `>` at every step: see Reductions above), into r: a tree
// of halves instead of a chain of dependent scalar steps.
HB_INLINE void halve(v4f& m, const v4f& a) { m = a; }
HB_INLINE void halve(v4f& m, const v8f& a) {
  m = __builtin_shufflevector(a, a, 0, 1, 2, 3);
  raise(v4f(__builtin_shufflevector(a, a, 4, 5, 6, 7)), m);
}

template <typename V>
HB_INLINE void lanesMax(float& r, const V& a, const v4f& b) {
  v4f m4;
  halve(m4, a);
  raise(b, m4);
  raise(v4f(__builtin_shufflevector(m4, m4, 2, 3, 2, 3)), m4);
  r = m4[1] > m4[0] ? m4[1] : m4[0];
}

// The WAT's f32x4 coefficient (lane l for instant start + 4q + l) repeated across a wider vector.
HB_INLINE void repeat(v4f& out, const v4f& q) { out = q; }
HB_INLINE void repeat(v8f& out, const v4f& q) { out = __builtin_shufflevector(q, q, 0, 1, 2, 3, 0, 1, 2, 3); }

// The coefficients of one filter as each vector width sees them: the WAT's f32x4, repeated for
// the wide vectors V (whose lane l is instant start + l mod 4 of its group), and lane 0 for the
// scalar tail.
template <int N, typename V>
struct Coefs {
  V cw[N];
  v4f c4[N];
  float c1[N];
};

template <int N, typename V>
HB_INLINE void loadCoefs(const float* at, Coefs<N, V>& c) {
  for (int k = 0; k < N; k++) {
    v4f q;
    loadu(q, at + 4 * k);
    c.c4[k] = q;
    repeat(c.cw[k], q);
    c.c1[k] = q[0];
  }
}

// The folded 4x ITU filter's largest |value| of the four phases at the instants x[0..11] (peak4's
// quad body / scalar tail), into h.
template <typename V>
HB_INLINE void instant4(V& h, const float* x, const V* c) {
  V x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11;
  loadu(x0, x + 0), loadu(x1, x + 1), loadu(x2, x + 2), loadu(x3, x + 3);
  loadu(x4, x + 4), loadu(x5, x + 5), loadu(x6, x + 6), loadu(x7, x + 7);
  loadu(x8, x + 8), loadu(x9, x + 9), loadu(x10, x + 10), loadu(x11, x + 11);
  const V p0 = x0 + x11, m0 = x0 - x11;
  const V p1 = x1 + x10, m1 = x1 - x10;
  const V p2 = x2 + x9, m2 = x2 - x9;
  const V p3 = x3 + x8, m3 = x3 - x8;
  const V p4 = x4 + x7, m4 = x4 - x7;
  const V p5 = x5 + x6, m5 = x5 - x6;
  V a = ((((c[0] * p0 + c[1] * p1) + c[2] * p2) + c[3] * p3) + c[4] * p4) + c[5] * p5;
  V b = ((((c[6] * m0 + c[7] * m1) + c[8] * m2) + c[9] * m3) + c[10] * m4) + c[11] * m5;
  V cc = ((((c[12] * p0 + c[13] * p1) + c[14] * p2) + c[15] * p3) + c[16] * p4) + c[17] * p5;
  V d = ((((c[18] * m0 + c[19] * m1) + c[20] * m2) + c[21] * m3) + c[22] * m4) + c[23] * m5;
  absf(a), absf(b), absf(cc), absf(d);
  const V e = a + b;
  h = cc + d;  // g
  raise(e, h);  // h = e > g ? e : g
}

// The 2x half-sample interpolator's |value| between x[11] and x[12] (peak2's quad body / tail),
// into h: sum over k of g_k (x[11 - k] + x[12 + k]), from k = 0.
template <typename V>
HB_INLINE void instant2(V& h, const float* x, const V* g) {
  V lo, hi;
  loadu(lo, x + 11), loadu(hi, x + 12);
  h = g[0] * (lo + hi);
  for (int k = 1; k < 12; k++) {
    loadu(lo, x + 11 - k), loadu(hi, x + 12 + k);
    h = h + g[k] * (lo + hi);
  }
  absf(h);
}

template <int Factor, typename V>
HB_INLINE void instant(V& h, const float* x, const V* c) {
  if constexpr (Factor == 4) instant4<V>(h, x, c);
  else instant2<V>(h, x, c);
}

// peak4 / peak2 on the instants [start, end) of buf, from and into the running peak `srun`: the
// wide vectors V, then the WAT's remaining quads, then its scalar tail.
template <int Factor, int N, typename V>
HB_INLINE float peakRun(const Coefs<N, V>& c, const float* buf, long long start, long long end, float srun) {
  constexpr long long kWidth = sizeof(V) / sizeof(float);
  V runW = V{} + srun;
  v4f run4 = v4f{} + srun;
  long long j = start;
  for (; j + kWidth <= end; j += kWidth) {
    V h;
    instant<Factor>(h, buf + j, c.cw);
    raise(h, runW);
  }
  for (; j + 4 <= end; j += 4) {
    v4f h;
    instant<Factor>(h, buf + j, c.c4);
    raise(h, run4);
  }
  float r;
  lanesMax(r, runW, run4);
  if (r > srun) srun = r;
  for (; j < end; j++) {
    float h;
    instant<Factor>(h, buf + j, c.c1);
    if (h > srun) srun = h;
  }
  return srun;
}

// The f64 running peak through one call of peak4 / peak2: demoted, raised, promoted.
template <typename V>
HB_INLINE double peakWidth(const uint8_t* base, const float* buf, long long start, long long end, double peak, int factor) {
  if (factor == 4) {
    Coefs<24, V> c;
    loadCoefs(reinterpret_cast<const float*>(base + kCoef4At), c);
    return static_cast<double>(peakRun<4>(c, buf, start, end, static_cast<float>(peak)));
  }
  Coefs<12, V> c;
  loadCoefs(reinterpret_cast<const float*>(base + kCoef2At), c);
  return static_cast<double>(peakRun<2>(c, buf, start, end, static_cast<float>(peak)));
}

// One sample of the conversion, as the WAT's loop body (v - v != 0: NaN or Inf).
HB_INLINE void convertOne(const float* in, float* dst, long long i, float& cm, long long& bad) {
  float v = in[i];
  if ((v - v) != 0.0f) {
    v = 0.0f;
    bad++;
  }
  dst[i] = v;
  absf(v);
  if (v > cm) cm = v;
}

// The conversion: in -> dst scrubbed, the chunk maxima, the sample peak and the non-finite count
// (the maxima compared in f32: promotion to f64 is exact and keeps the order; the count is only
// stored after the whole conversion, so it is added up once, 1.0 at a time as the WAT does).
template <typename V>
HB_INLINE void convert(const float* in, float* dst, long long frames, double* chunkMax, double& sp, double& bad) {
  using I = typename IntOf<V>::I;
  constexpr long long kWidth = sizeof(V) / sizeof(float);
  I nbad = I{};  // -1 per non-finite sample, per lane
  long long count = 0;
  for (long long start = 0, chunk = 0; start < frames; start += kChunk, chunk++) {
    const long long end = start + kChunk < frames ? start + kChunk : frames;
    V m = V{};
    long long i = start;
    for (; i + kWidth <= end; i += kWidth) {
      V v;
      loadu(v, in + i);
      const I nonFinite = (v - v) != 0.0f;
      v = nonFinite ? V{} : v;
      nbad += nonFinite;
      storeu(dst + i, v);
      absf(v);
      raise(v, m);
    }
    float cm;
    lanesMax(cm, m, v4f{});
    for (; i < end; i++) convertOne(in, dst, i, cm, count);
    const double cmd = static_cast<double>(cm);
    chunkMax[chunk] = cmd;
    if (cmd > sp) sp = cmd;
  }
  for (int l = 0; l < static_cast<int>(kWidth); l++) count -= nbad[l];
  for (long long k = 0; k < count; k++) bad = bad + 1.0;
}

template <typename V>
HB_INLINE void blockWidth(uint8_t* base, const float* in, float* buf, long long frames, double* chunkMax, long long history, int factor) {
  double* scalars = reinterpret_cast<double*>(base + kPeakAt);
  double sp = scalars[(kSamplePeakAt - kPeakAt) / 8];
  double bad = scalars[(kBadAt - kPeakAt) / 8];
  const double l1 = scalars[(kBoundAt - kPeakAt) / 8];
  convert<V>(in, buf + history, frames, chunkMax, sp, bad);
  scalars[(kSamplePeakAt - kPeakAt) / 8] = sp;
  scalars[(kBadAt - kPeakAt) / 8] = bad;
  // the skip test and the interpolation
  double peak = scalars[0];
  double previousMax = 0.0;
  for (long long i = 0; i < history; i++) {
    float x = buf[i];
    absf(x);
    const double a = static_cast<double>(x);
    if (a > previousMax) previousMax = a;
  }
  Coefs<24, V> c4;
  Coefs<12, V> c2;
  if (factor == 4) loadCoefs(reinterpret_cast<const float*>(base + kCoef4At), c4);
  else loadCoefs(reinterpret_cast<const float*>(base + kCoef2At), c2);
  for (long long start = 0, chunk = 0; start < frames; start += kChunk, chunk++) {
    const double own = chunkMax[chunk];
    const double reach = own > previousMax ? own : previousMax;
    previousMax = own;
    const long long end = start + kChunk < frames ? start + kChunk : frames;
    if (reach * l1 > peak) {
      const float srun = static_cast<float>(peak);
      peak = static_cast<double>(factor == 4 ? peakRun<4>(c4, buf, start, end, srun) : peakRun<2>(c2, buf, start, end, srun));
    }
  }
  scalars[0] = peak;
  // keep the last `history` samples as the next block's history (forward, as the WAT: overlap-safe
  // since the source is after the destination)
  for (long long i = 0; i < history; i++) buf[i] = buf[frames + i];
}

// One entry per vector width (each multi-versioned), picked by the instance's lanes: f32x8 at 4
// and 8, f32x4 at 2.
HB_TARGETS void block8(uint8_t* base, const float* in, float* buf, long long frames, double* chunkMax, long long history, int factor) {
  blockWidth<v8f>(base, in, buf, frames, chunkMax, history, factor);
}
HB_TARGETS void block4(uint8_t* base, const float* in, float* buf, long long frames, double* chunkMax, long long history, int factor) {
  blockWidth<v4f>(base, in, buf, frames, chunkMax, history, factor);
}
HB_TARGETS double peak8(const uint8_t* base, const float* buf, long long start, long long end, double peak, int factor) {
  return peakWidth<v8f>(base, buf, start, end, peak, factor);
}
HB_TARGETS double peak4(const uint8_t* base, const float* buf, long long start, long long end, double peak, int factor) {
  return peakWidth<v4f>(base, buf, start, end, peak, factor);
}

// [a, a + an) and [b, b + bn) (bytes) share a byte.
bool overlaps(const void* a, long long an, const void* b, long long bn) {
  const uint8_t* pa = static_cast<const uint8_t*>(a);
  const uint8_t* pb = static_cast<const uint8_t*>(b);
  return an > 0 && bn > 0 && pa < pb + bn && pb < pa + an;
}

// block(in, buf, frames, chunkMax, history, factor)
napi_value Block(napi_env env, napi_callback_info info) {
  Args<6> a(env, info);
  const long long frames = a.i(2);
  const long long history = a.i(4);
  const long long factor = a.i(5);
  const Memory* mem = a.memory();
  a.check(mem != nullptr && mem->size >= kFixedEnd, "memory too small for the true-peak scalars");
  a.check(frames >= 0 && history >= 0, "negative frames or history");
  if (a.failed()) return a.fail();
  const long long reach = factor == 4 ? kReach4 : kReach2;
  const long long bufCount = frames + (history > reach ? history : reach);
  const long long chunks = (frames + kChunk - 1) / kChunk;
  const float* in = a.at<float>(0, frames);
  float* buf = a.at<float>(1, bufCount);
  double* chunkMax = a.at<double>(3, chunks);
  if (a.failed()) return a.fail();
  if (frames == 0) return nullptr;  // the WAT changes nothing either
  const uint8_t* base = mem->base;
  a.check(!overlaps(in, 4 * frames, buf, 4 * bufCount) && !overlaps(in, 4 * frames, chunkMax, 8 * chunks) &&
              !overlaps(buf, 4 * bufCount, chunkMax, 8 * chunks) && !overlaps(base, kFixedEnd, in, 4 * frames) &&
              !overlaps(base, kFixedEnd, buf, 4 * bufCount) && !overlaps(base, kFixedEnd, chunkMax, 8 * chunks),
          "true-peak block: in, buf and chunkMax must not overlap each other or the first 608 bytes");
  if (a.failed()) return a.fail();
  if (mem->lanes >= 4) block8(mem->base, in, buf, frames, chunkMax, history, static_cast<int>(factor));
  else block4(mem->base, in, buf, frames, chunkMax, history, static_cast<int>(factor));
  return nullptr;
}

// peak4(buf, start, end) / peak2(buf, start, end): raise the f64 at 576 (through f32, as the WAT,
// even when start >= end).
template <int Factor>
napi_value Peak(napi_env env, napi_callback_info info) {
  Args<3> a(env, info);
  const long long start = a.i(1);
  const long long end = a.i(2);
  const Memory* mem = a.memory();
  a.check(mem != nullptr && mem->size >= kFixedEnd, "memory too small for the true-peak scalars");
  a.check(start >= 0, "negative start");
  if (a.failed()) return a.fail();
  const long long count = end > start ? end + (Factor == 4 ? kReach4 : kReach2) : 0;
  const float* buf = a.at<float>(0, count);
  if (a.failed()) return a.fail();
  double* peak = reinterpret_cast<double*>(mem->base + kPeakAt);
  if (mem->lanes >= 4) *peak = peak8(mem->base, buf, start, end, *peak, Factor);
  else *peak = peak4(mem->base, buf, start, end, *peak, Factor);
  return nullptr;
}

}  // namespace

const KernelExport kTruePeak[] = {
    {"block", Block},
    {"peak4", Peak<4>},
    {"peak2", Peak<2>},
    {nullptr, nullptr},
};

}  // namespace hb
