// The true-peak limiter's kernel, native: the same exports, arguments, memory layout and
// arithmetic as src/engine/dsp/wasm/limiter-detect.wat (ingest, detect, gains, apply), so the
// same bits in memory afterwards (built with -ffp-contract=off: no fused multiply-adds).
//
// detect (BS.1770-4 Annex 2, 4x, the 48-tap filter folded, f32): every sample's lane is
// independent, so it runs sixteen samples per float vector (AVX-512, or two AVX2 halves) where
// the WAT runs four, each lane with the WAT lane's operations in the same order (the coefficient
// vectors are the WAT's v128 coefficients repeated, lane l using the WAT's lane l mod 4), the
// remaining whole quads four at a time, and the last count mod 4 samples with the WAT's scalar
// operations (its tail's comparisons differ from the vector ones on Inf / NaN peaks).
// ingest's writes are per sample identical whatever the width (pmin / pmax against +-65536 are
// the scalar comparisons of $bounded); its quiet test is a maximum of non-negative values with
// NaN ignored, the same value in any order; when the block fits in the history with room (always,
// from the glue) the whole block is written before the chunks are tested (see ingestImpl).
// gains is the WAT's serial recursion as it is (a deque, a release recursion and a running sum:
// nothing to overlap but what the CPU does), its ceiling-ramp samples in a loop of their own;
// apply runs eight samples per double vector between the history's wraps.
// Differences from the WebAssembly module, on arguments the glue never passes: an argument range
// outside the memory, a misaligned offset or a history shorter than 12 samples throws a
// RangeError (the WAT reads below a short history); a deque entry or scalar of `gains` that is no
// integer in range throws where the WAT traps.
#include <cstring>

#include "kernels.h"
#include "vectors.h"

// The helpers below return vectors by value; GCC warns that such a return's ABI differs with and
// without AVX (binding.gyp passes -Wno-psabi; this keeps a plain g++ build quiet too). They are
// always inlined into the multi-versioned functions and have internal linkage: no call ever
// crosses that ABI.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

namespace hb {
namespace {


// Byte layout at the start of the memory: 24 v128 coefficients (limiter-detect.wat header).
constexpr int kCoefFloats = 96;
constexpr long long kCoefBytes = 4LL * kCoefFloats;
// Coefficient v128 index of tap k of each folded part.
constexpr int kSym0 = 0, kAnti0 = 6, kSym1 = 12, kAnti1 = 18;

template <typename V>
HB_INLINE V loadu(const float* p) {
  V v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <typename V>
HB_INLINE void storeu(float* p, const V& v) {
  std::memcpy(p, &v, sizeof v);
}

// Vector type of W floats and its integer mask type.
template <int W>
struct Vec;
template <>
struct Vec<16> {
  using F = v16f;
  using I = v16i;
};
template <>
struct Vec<4> {
  using F = v4f;
  using I = v4i;
};

// f32x4.abs: the sign bit cleared (NaN included).
template <typename F, typename I>
HB_INLINE F vabs(const F& v) {
  return reinterpret_cast<F>(reinterpret_cast<I>(v) & 0x7fffffff);
}

// f32x4.pmax(a, b) = a < b ? b : a.
template <typename F>
HB_INLINE F pmax(const F& a, const F& b) {
  return a < b ? b : a;
}

// The 24 coefficient vectors, W lanes each: lane l holds the WAT's lane l mod 4.
template <int W>
struct Coef {
  typename Vec<W>::F c[24];
};

template <int W>
HB_INLINE void loadCoef(const float* coef, Coef<W>& q) {
  for (int k = 0; k < 24; k++) {
    for (int l = 0; l < W; l++) q.c[k][l] = coef[4 * k + (l & 3)];
  }
}

// W samples' peaks from the WAT's quad code, lane by lane: x points at the first sample's newest
// history sample (s_0), peaks at its peak.
template <int W>
HB_INLINE void detectVec(const float* x, float* peaks, const Coef<W>& q) {
  using F = typename Vec<W>::F;
  using I = typename Vec<W>::I;
  F A, B, C, D;
  {
    const F sa = loadu<F>(x);
    const F sb = loadu<F>(x - 11);
    const F p = sa + sb;
    const F m = sa - sb;
    A = q.c[kSym0] * p;
    C = q.c[kSym1] * p;
    B = q.c[kAnti0] * m;
    D = q.c[kAnti1] * m;
  }
#pragma GCC unroll 5
  for (int k = 1; k < 6; k++) {
    const F sa = loadu<F>(x - k);
    const F sb = loadu<F>(x - 11 + k);
    const F p = sa + sb;
    const F m = sa - sb;
    A = A + q.c[kSym0 + k] * p;
    C = C + q.c[kSym1 + k] * p;
    B = B + q.c[kAnti0 + k] * m;
    D = D + q.c[kAnti1 + k] * m;
  }
  F pk = vabs<F, I>(loadu<F>(x - 6));
  pk = pmax(pk, vabs<F, I>(A) + vabs<F, I>(B));
  pk = pmax(pk, vabs<F, I>(C) + vabs<F, I>(D));
  // v128.and(pk, pk < inf): pk where finite, else +0.
  const F inf = F{} + __builtin_inff();
  const F kept = reinterpret_cast<F>(reinterpret_cast<I>(pk) & (pk < inf));
  storeu(peaks, pmax(loadu<F>(peaks), kept));
}

// One sample through the WAT's scalar tail (coefficients from lane 0).
HB_INLINE void detectScalar(const float* x, float* peaks, const float* coef) {
  float A, B, C, D;
  {
    const float sa = x[0];
    const float sb = x[-11];
    const float p = sa + sb;
    const float m = sa - sb;
    A = coef[4 * kSym0] * p;
    C = coef[4 * kSym1] * p;
    B = coef[4 * kAnti0] * m;
    D = coef[4 * kAnti1] * m;
  }
  for (int k = 1; k < 6; k++) {
    const float sa = x[-k];
    const float sb = x[-11 + k];
    const float p = sa + sb;
    const float m = sa - sb;
    A = A + coef[4 * (kSym0 + k)] * p;
    C = C + coef[4 * (kSym1 + k)] * p;
    B = B + coef[4 * (kAnti0 + k)] * m;
    D = D + coef[4 * (kAnti1 + k)] * m;
  }
  float tk = __builtin_fabsf(x[-6]);
  float ta = __builtin_fabsf(A) + __builtin_fabsf(B);
  tk = tk < ta ? ta : tk;
  ta = __builtin_fabsf(C) + __builtin_fabsf(D);
  tk = tk < ta ? ta : tk;
  if (tk > *peaks && tk < __builtin_inff()) *peaks = tk;
}

// The WAT's $detect: `count` consecutive samples, x at the first one's newest history sample.
HB_INLINE void detectRun(const float* x, float* peaks, int count, const float* coef, const Coef<16>& q16, const Coef<4>& q4) {
  const int quads = count & -4;
  int i = 0;
  for (; i + 16 <= quads; i += 16) detectVec<16>(x + i, peaks + i, q16);
  for (; i < quads; i += 4) detectVec<4>(x + i, peaks + i, q4);
  for (; i < count; i++) detectScalar(x + i, peaks + i, coef);
}

// The WAT's $run: samples [from, to) of the block, split where the history wraps.
HB_INLINE void run(const float* x, int xLen, int mask, int n0, int from, int to, float* peaks, const float* coef, const Coef<16>& q16,
                   const Coef<4>& q4) {
  const int first = static_cast<int>((static_cast<uint32_t>(n0) + static_cast<uint32_t>(from)) & static_cast<uint32_t>(mask));
  const int count = to - from;
  const int head = xLen - first < count ? xLen - first : count;
  detectRun(x + first + xLen, peaks + from, head, coef, q16, q4);
  if (head < count) detectRun(x + xLen, peaks + from + head, count - head, coef, q16, q4);
}

// fround($bounded(input * drive)), the WAT's per-sample write (scalar and pmin / pmax alike).
HB_INLINE float driven(float in, double drv) {
  double v = static_cast<double>(in) * drv;
  v = v > 65536.0 ? 65536.0 : v;
  v = v < -65536.0 ? -65536.0 : v;
  return static_cast<float>(v);
}

HB_INLINE v8f driven8(const v8f& in, const v8d& drv) {
  v8d v = __builtin_convertvector(in, v8d) * drv;
  const v8d hi = v8d{} + 65536.0;
  const v8d lo = v8d{} - 65536.0;
  v = hi < v ? hi : v;
  v = v < lo ? lo : v;
  return __builtin_convertvector(v, v8f);
}

// The largest |x| of x[from .. from + len) (12 <= len <= 27), NaN ignored, +0 when all are NaN.
HB_INLINE float quietMax(const float* x, int len) {
  if (len >= 16) {
    v16f m = pmax(v16f{}, vabs<v16f, v16i>(loadu<v16f>(x)));
    m = pmax(m, vabs<v16f, v16i>(loadu<v16f>(x + len - 16)));
    v8f h = pmax(__builtin_shufflevector(m, m, 0, 1, 2, 3, 4, 5, 6, 7), __builtin_shufflevector(m, m, 8, 9, 10, 11, 12, 13, 14, 15));
    v4f f = pmax(__builtin_shufflevector(h, h, 0, 1, 2, 3), __builtin_shufflevector(h, h, 4, 5, 6, 7));
    f = pmax(f, __builtin_shufflevector(f, f, 2, 3, 0, 1));
    f = pmax(f, __builtin_shufflevector(f, f, 1, 0, 3, 2));
    return f[0];
  }
  v8f m = pmax(v8f{}, vabs<v8f, v8i>(loadu<v8f>(x)));
  m = pmax(m, vabs<v8f, v8i>(loadu<v8f>(x + len - 8)));
  v4f f = pmax(__builtin_shufflevector(m, m, 0, 1, 2, 3), __builtin_shufflevector(m, m, 4, 5, 6, 7));
  f = pmax(f, __builtin_shufflevector(f, f, 2, 3, 0, 1));
  f = pmax(f, __builtin_shufflevector(f, f, 1, 0, 3, 2));
  return f[0];
}

struct IngestArgs {
  const float* in;
  float* x;
  int xLen, n0, frames, ramp, drvR;
  double* sc;
  float* peaks;
  const float* coef;
};

// The block's samples [from, to) into the history at dst (the run never straddles the history's
// end), as the WAT writes them: on the drive ramp one at a time, past it at the constant drive.
HB_INLINE void writeSamples(const IngestArgs& a, int from, int to, float* dst, double& drvV, double step, double target) {
  const int xLen = a.xLen;
  const float* src = a.in + from;
  int i = from;
  const int rampEnd = a.ramp < to ? a.ramp : to;
  for (; i < rampEnd; i++, src++, dst++) {
    drvV = i + 1 == a.drvR ? target : drvV + step;
    const float v = driven(*src, drvV);
    dst[0] = v;
    dst[xLen] = v;
  }
  const v8d d = v8d{} + drvV;
  for (; i + 16 <= to; i += 16, src += 16, dst += 16) {
    const v8f v0 = driven8(loadu<v8f>(src), d);
    const v8f v1 = driven8(loadu<v8f>(src + 8), d);
    storeu(dst, v0);
    storeu(dst + 8, v1);
    storeu(dst + xLen, v0);
    storeu(dst + xLen + 8, v1);
  }
  for (; i + 8 <= to; i += 8, src += 8, dst += 8) {
    const v8f v = driven8(loadu<v8f>(src), d);
    storeu(dst, v);
    storeu(dst + xLen, v);
  }
  for (; i < to; i++, src++, dst++) {
    const float v = driven(*src, drvV);
    dst[0] = v;
    dst[xLen] = v;
  }
}

// The WAT's `ingest`. Per chunk of 16 (cut at the history's end) it writes the chunk, takes the
// largest |x| under the chunk's windows and runs `detect` over the runs of loud chunks. When the
// block and the 11 samples before it fit in the history (frames + 11 <= xLen: always, from
// limiter-detector.ts), no chunk's reads (its test, its run's detect: positions n0 + start - 11
// .. n0 + end - 1) can meet a later chunk's writes (n0 + end ..), so the whole block is written
// first: the same memory afterwards, and the test's loads no longer wait on the stores just made.
HB_TARGETS void ingestImpl(const IngestArgs& a) {
  Coef<16> q16;
  Coef<4> q4;
  loadCoef(a.coef, q16);
  loadCoef(a.coef, q4);
  const int xLen = a.xLen;
  const int mask = xLen - 1;
  const int frames = a.frames;
  float* const x = a.x;
  double drvV = a.sc[0];
  const double step = a.sc[1];
  const double target = a.sc[2];
  const double l1 = a.sc[3];
  const double limit = a.sc[4];
  const bool writeFirst = frames + 11 <= xLen;
  if (writeFirst) {
    for (int i = 0; i < frames;) {
      const int p = static_cast<int>((static_cast<uint32_t>(a.n0) + static_cast<uint32_t>(i)) & static_cast<uint32_t>(mask));
      const int end = frames - i < xLen - p ? frames : i + xLen - p;
      writeSamples(a, i, end, x + p, drvV, step, target);
      i = end;
    }
  }
  int loudFrom = -1;
  for (int start = 0; start < frames;) {
    const int w0 = static_cast<int>((static_cast<uint32_t>(a.n0) + static_cast<uint32_t>(start)) & static_cast<uint32_t>(mask));
    int end = start + 16 < frames ? start + 16 : frames;
    if (end - start > xLen - w0) end = start + xLen - w0;
    if (!writeFirst) writeSamples(a, start, end, x + w0, drvV, step, target);
    // largest |x| under the chunk's windows, x[w0 + xLen - 11 .. w0 + xLen + end - start)
    const float m = quietMax(x + w0 + xLen - 11, end - start + 11);
    if (static_cast<double>(m) * l1 > limit) {
      if (loudFrom < 0) loudFrom = start;
    } else if (loudFrom >= 0) {
      run(x, xLen, mask, a.n0, loudFrom, start, a.peaks, a.coef, q16, q4);
      loudFrom = -1;
    }
    start = end;
  }
  if (loudFrom >= 0) run(x, xLen, mask, a.n0, loudFrom, frames, a.peaks, a.coef, q16, q4);
  a.sc[0] = drvV;
}

HB_TARGETS void detectImpl(const float* x, float* peaks, int count, const float* coef) {
  Coef<16> q16;
  Coef<4> q4;
  loadCoef(coef, q16);
  loadCoef(coef, q4);
  detectRun(x, peaks, count, coef, q16, q4);
}

// i64.trunc_f64_s / i32.trunc_f64_s: false where the WebAssembly conversion traps.
HB_INLINE bool trunc64(double v, int64_t& out) {
#if defined(__x86_64__) && defined(__GNUC__)
  // cvttsd2si: the truncation where it is in range, else INT64_MIN ("integer indefinite"),
  // which is in range only for -2^63 itself: one compare on the hot path.
  using v2d = double __attribute__((vector_size(16)));
  out = __builtin_ia32_cvttsd2si64(v2d{v, 0.0});
  return out != INT64_MIN || v == -9223372036854775808.0;
#else
  if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0)) return false;
  out = static_cast<int64_t>(v);
  return true;
#endif
}
HB_INLINE bool trunc32(double v, int32_t& out) {
  if (!(v > -2147483649.0 && v < 2147483648.0)) return false;
  out = static_cast<int32_t>(v);
  return true;
}
// i64 arithmetic wraps, as the WAT's does.
HB_INLINE int64_t add64(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
// A ring position: the index's low 32 bits and the mask (i32.wrap_i64, i32.and).
HB_INLINE uint32_t ring(int64_t idx, uint32_t mask) {
  return static_cast<uint32_t>(idx) & mask;
}

struct GainsArgs {
  double* sc;
  const float* peaks;
  double* gains;
  int frames;
  double* g;
  uint32_t gm;
  double* dq;
  uint32_t dm;
  double* r;
  uint32_t rm;
  int delta, win, l;
};

// The state the WAT keeps in locals across its loop.
struct GainsState {
  double ceilV;
  int32_t ceilR;
  double rPrev, sum, minGain;
  int64_t n, head, tail;
};

// The WAT's `gains` loop over samples [from, to), in its order. Ramp: the ceiling still moves
// (ceilR > 0 on entry to every sample but the last of the ramp may end it); without, the ceiling
// and so `limit` are the same every sample (computed once: the same product).
template <bool Ramp>
HB_INLINE bool gainsLoop(const GainsArgs& a, GainsState& st, int from, int to) {
  double* const sc = a.sc;
  const float* const peaks = a.peaks;
  double* const gains = a.gains;
  double* const g = a.g;
  double* const dq = a.dq;
  double* const r = a.r;
  const uint32_t gm = a.gm, dm = a.dm, rm = a.rm;
  const int64_t delta = a.delta, win = a.win, l = a.l;
  const double step = sc[1];
  const double target = sc[2];
  const double safety = sc[4];
  const double aR = sc[5];
  const double invL = sc[6];
  double ceilV = st.ceilV;
  int32_t ceilR = st.ceilR;
  double rPrev = st.rPrev, sum = st.sum, minGain = st.minGain;
  int64_t n = st.n, head = st.head, tail = st.tail;
  double limit = ceilV * safety;
  bool ok = true;
  for (int i = from; i < to; i++) {
    if (Ramp) {
      if (ceilR > 0) {
        ceilV = ceilV + step;
        ceilR = ceilR - 1;
        if (ceilR == 0) ceilV = target;
      }
      limit = ceilV * safety;
    }
    const double peak = static_cast<double>(peaks[i]);
    g[ring(n, gm)] = peak > limit ? limit / peak : 1.0;
    // sliding minimum over [tap - W + 1, tap]
    const int64_t tap = add64(n, -delta);
    const double gv = g[ring(tap, gm)];
    int64_t k;
    while (tail > head) {
      if (!trunc64(dq[ring(add64(tail, -1), dm)], k)) {
        ok = false;
        break;
      }
      if (!(g[ring(k, gm)] >= gv)) break;
      tail = add64(tail, -1);
    }
    if (!ok) break;
    dq[ring(tail, dm)] = static_cast<double>(tap);
    tail = add64(tail, 1);
    const int64_t oldest = add64(tap, -win);
    for (;;) {
      if (!trunc64(dq[ring(head, dm)], k)) {
        ok = false;
        break;
      }
      if (k > oldest) break;
      head = add64(head, 1);
    }
    if (!ok) break;
    const double h = g[ring(k, gm)];
    // release towards unity, never above the hold
    double rv = 1.0 - aR * (1.0 - rPrev);
    if (h < rv) rv = h;
    rPrev = rv;
    const uint32_t ri = ring(n, rm);
    sum = sum + (rv - r[ring(add64(n, -l), rm)]);
    r[ri] = rv;
    if (ri == 0) {
      // re-sum exactly once per history length
      sum = 0;
      for (int64_t j = add64(add64(n, -l), 1); j <= n; j++) sum = sum + r[ring(j, rm)];
    }
    const double s = sum * invL;
    if (s < minGain) minGain = s;
    gains[i] = s;
    n = add64(n, 1);
  }
  st = GainsState{ceilV, ceilR, rPrev, sum, minGain, n, head, tail};
  return ok;
}

// The WAT's `gains`; false where the WebAssembly code traps (a scalar or a deque entry that is no
// integer in range: only corrupted state), leaving memory as the trap would (the scalars unstored).
HB_TARGETS bool gainsImpl(const GainsArgs& a) {
  double* const sc = a.sc;
  GainsState st{};
  st.ceilV = sc[0];
  if (!trunc32(sc[3], st.ceilR)) return false;
  st.rPrev = sc[7];
  st.sum = sc[8];
  if (!trunc64(sc[9], st.n) || !trunc64(sc[10], st.head) || !trunc64(sc[11], st.tail)) return false;
  st.minGain = 1;
  // the ceiling's ramp: the first ceilR samples (it ends on the last of them)
  const int ramp = st.ceilR <= 0 ? 0 : st.ceilR < a.frames ? st.ceilR : a.frames;
  if (ramp > 0 && !gainsLoop<true>(a, st, 0, ramp)) return false;
  if (!gainsLoop<false>(a, st, ramp > 0 ? ramp : 0, a.frames)) return false;
  sc[0] = st.ceilV;
  sc[3] = static_cast<double>(st.ceilR);
  sc[7] = st.rPrev;
  sc[8] = st.sum;
  sc[9] = static_cast<double>(st.n);
  sc[10] = static_cast<double>(st.head);
  sc[11] = static_cast<double>(st.tail);
  sc[12] = st.minGain;
  return true;
}

HB_INLINE void applySpan(float* out, const float* x, const double* gains, int count) {
  int i = 0;
  for (; i + 8 <= count; i += 8) {
    v8d gv;
    std::memcpy(&gv, gains + i, sizeof gv);
    const v8d v = __builtin_convertvector(loadu<v8f>(x + i), v8d) * gv;
    storeu(out + i, __builtin_convertvector(v, v8f));
  }
  for (; i < count; i++) out[i] = static_cast<float>(static_cast<double>(x[i]) * gains[i]);
}

HB_TARGETS void applyImpl(float* out, const float* x, int start, int mask, const double* gains, int frames) {
  const uint32_t um = static_cast<uint32_t>(mask);
  if ((um & (um + 1)) != 0) {
    // not a power of two less one: the WAT's indexing as it is
    for (int i = 0; i < frames; i++) {
      const uint32_t p = (static_cast<uint32_t>(start) + static_cast<uint32_t>(i)) & um;
      out[i] = static_cast<float>(static_cast<double>(x[p]) * gains[i]);
    }
    return;
  }
  // (start + i) & mask runs contiguously up to the wrap
  int i = 0;
  while (i < frames) {
    const uint32_t p = (static_cast<uint32_t>(start) + static_cast<uint32_t>(i)) & um;
    const long long room = static_cast<long long>(um) + 1 - p;
    const int span = frames - i < room ? frames - i : static_cast<int>(room);
    applySpan(out + i, x + p, gains + i, span);
    i += span;
  }
}

// An i32 argument, converted as WebAssembly's ToInt32 does (modulo 2^32).
template <int N>
HB_INLINE int i32(Args<N>& a, int k) {
  return static_cast<int>(static_cast<uint32_t>(static_cast<uint64_t>(a.i(k))));
}

// The coefficients at byte 0 of the memory, when it holds them.
HB_INLINE const float* coefficients(const Memory* mem) {
  if (mem == nullptr || mem->size < static_cast<size_t>(kCoefBytes)) return nullptr;
  return reinterpret_cast<const float*>(mem->base);
}

// ingest(in, x, xLen, n0, frames, ramp, drvR, sc, peaks)
napi_value Ingest(napi_env env, napi_callback_info info) {
  Args<9> a(env, info);
  const int xLen = i32(a, 2);
  const int n0 = i32(a, 3);
  const int frames = i32(a, 4);
  const int ramp = i32(a, 5);
  const int drvR = i32(a, 6);
  // xLen >= 12: the quiet test and the filter look 11 samples back from the second copy.
  a.check(xLen >= 12, "history length under 12 samples");
  if (a.failed()) return a.fail();
  IngestArgs g{};
  g.in = a.at<float>(0, frames > 0 ? frames : 0);
  g.x = a.at<float>(1, 2LL * xLen);
  g.sc = a.at<double>(7, 5);
  g.peaks = a.at<float>(8, frames > 0 ? frames : 0);
  g.coef = coefficients(a.memory());
  a.check(g.coef != nullptr, "memory access out of bounds");
  if (a.failed()) return a.fail();
  g.xLen = xLen;
  g.n0 = n0;
  g.frames = frames;
  g.ramp = ramp;
  g.drvR = drvR;
  ingestImpl(g);
  return nullptr;
}

// detect(x, peaks, count): x the first sample's newest history sample (reads from x - 11).
napi_value Detect(napi_env env, napi_callback_info info) {
  Args<3> a(env, info);
  const int count = i32(a, 2);
  if (a.failed()) return a.fail();
  if (count <= 0) return nullptr;
  const long long xOff = a.i(0);
  float* peaks = a.at<float>(1, count);
  const Memory* mem = a.memory();
  const float* coef = coefficients(mem);
  // the history read: x - 11 .. x + count - 1
  a.check(coef != nullptr && xOff >= 44 && xOff % 4 == 0 &&
              static_cast<unsigned long long>(xOff) + 4ULL * static_cast<unsigned long long>(count) <= mem->size,
          "memory access out of bounds");
  if (a.failed()) return a.fail();
  detectImpl(reinterpret_cast<const float*>(mem->base + xOff), peaks, count, coef);
  return nullptr;
}

// gains(sc, peaks, gains, frames, g, gm, dq, dm, r, rm, delta, win, l)
napi_value Gains(napi_env env, napi_callback_info info) {
  Args<13> a(env, info);
  const int frames = i32(a, 3);
  const int gm = i32(a, 5);
  const int dm = i32(a, 7);
  const int rm = i32(a, 9);
  GainsArgs g{};
  g.delta = i32(a, 10);
  g.win = i32(a, 11);
  g.l = i32(a, 12);
  a.check(gm >= 0 && dm >= 0 && rm >= 0, "memory access out of bounds");
  if (a.failed()) return a.fail();
  const int count = frames > 0 ? frames : 0;
  g.sc = a.at<double>(0, 13);
  g.peaks = a.at<float>(1, count);
  g.gains = a.at<double>(2, count);
  g.frames = frames;
  g.g = a.at<double>(4, static_cast<long long>(gm) + 1);
  g.gm = static_cast<uint32_t>(gm);
  g.dq = a.at<double>(6, static_cast<long long>(dm) + 1);
  g.dm = static_cast<uint32_t>(dm);
  g.r = a.at<double>(8, static_cast<long long>(rm) + 1);
  g.rm = static_cast<uint32_t>(rm);
  if (a.failed()) return a.fail();
  a.check(gainsImpl(g), "integer overflow");
  if (a.failed()) return a.fail();
  return nullptr;
}

// apply(out, x, start, mask, gains, frames)
napi_value Apply(napi_env env, napi_callback_info info) {
  Args<6> a(env, info);
  const int start = i32(a, 2);
  const int mask = i32(a, 3);
  const int frames = i32(a, 5);
  a.check(mask >= 0, "memory access out of bounds");
  if (a.failed()) return a.fail();
  if (frames <= 0) return nullptr;
  float* out = a.at<float>(0, frames);
  const float* x = a.at<float>(1, static_cast<long long>(mask) + 1);
  const double* gains = a.at<double>(4, frames);
  if (a.failed()) return a.fail();
  applyImpl(out, x, start, mask, gains, frames);
  return nullptr;
}

}  // namespace

const KernelExport kLimiterDetect[] = {
    {"ingest", Ingest},
    {"detect", Detect},
    {"gains", Gains},
    {"apply", Apply},
    {nullptr, nullptr},
};

}  // namespace hb
