// The compressor's stereo, fully linked, peak-detecting path, native: the same memory layout and
// export as src/engine/dsp/wasm/compressor-linked.wat, and per frame the same operations in the
// same order (the JS reference engine/compressor.ts #processLinkedStereo with dsp/fast-math.ts's
// log2 and exp2), without fused multiply-adds (built with -ffp-contract=off): bit-identical.
//
// Per frame: level max(l^2, r^2), its dB (fast-math log2), the soft-knee static curve -> gc; the
// smoother e = gc > e ? aA e + (1 - aA) gc : aR e + (1 - aR) gc, its running maximum; the gain
// g = makeup 2^(-e log2(10)/20) (makeup where e = 0); l, r *= g.
//
// Speed. The gain computer and the gain are per frame: N frames per vector operation, f64 x 8
// with AVX-512, x 4 with AVX2, x 2 otherwise (GCC splits vectors wider than the hardware's badly:
// Run picks the width for the CPU). The smoother is a serial recursion (7 cycles a frame on Zen 4:
// multiply, add, select), run scalar and branch-free (a branch on attack / release would be
// mispredicted on real signals). The WebAssembly kernel runs three passes over the block; here one
// loop over chunks of N frames overlaps them, software-pipelined (runChunks), so the vector work
// fills the cycles the chain leaves. Each frame still sees the same operations in the same order:
// only the schedule changes. On Zen 4 the loop is then bound by the two pipes the float multiplies,
// compares and divides share (the adds, maxima and conversions have two others), hence the odd
// integer spellings below of what could be a multiply or a compare.
//
// Memory, as the WebAssembly kernel's: at byte 0, f64 each: the envelope e and the largest e so
// far (read, written back), the knee start (level squared), threshold, slope, knee, makeup, alpha
// attack, alpha release. f32 frames at l and r, f64 scratch at s, each with room for one frame
// past the end: the WebAssembly kernel works on pairs, so an odd block's last pair computes the
// frame past the end too (gain computer into s, and then, unsmoothed, the gain on l and r there).
// This kernel does the same, so the memory afterwards is the same, byte for byte.
#include <cstring>
#include <utility>

#include "kernels.h"
#include "vectors.h"

// The helpers below take and return vectors; all are always inlined into the multi-versioned
// functions, so no vector crosses a call boundary (GCC's -Wpsabi warnings are moot).
#pragma GCC diagnostic ignored "-Wpsabi"

namespace hb {
namespace {

using v2d = double __attribute__((vector_size(16)));

constexpr int kHeaderDoubles = 9;

template <class V, class T, std::size_t... I>
HB_INLINE V splatOf(T x, std::index_sequence<I...>) {
  return V{((void)I, x)...};
}

// x in every lane.
template <int N>
HB_INLINE typename Lanes<N>::D splat(double x) {
  return splatOf<typename Lanes<N>::D>(x, std::make_index_sequence<N>{});
}

// x in every lane, a value GCC cannot see through (see Consts).
template <int N>
HB_INLINE typename Lanes<N>::D opaqueSplat(double x) {
  long long bits;
  std::memcpy(&bits, &x, sizeof bits);
  asm("" : "+r"(bits));
  return (typename Lanes<N>::D)splatOf<typename Lanes<N>::L>(bits, std::make_index_sequence<N>{});
}

template <int N, std::size_t... I>
HB_INLINE typename Lanes<N>::D loadOf(const float* p, std::index_sequence<I...>) {
  return typename Lanes<N>::D{p[I]...};
}

// f64x2.promote_low_f32x4 (cvtps2pd). Spelt lane by lane: GCC 12 compiles that to one AVX-512
// vcvtps2pd, but __builtin_convertvector to two halves, an extract and an insert.
template <int N>
HB_INLINE typename Lanes<N>::D loadF(const float* p) {
  return loadOf<N>(p, std::make_index_sequence<N>{});
}

// f32x4.demote_f64x2_zero (cvtpd2ps).
template <int N>
HB_INLINE void storeF(float* p, const typename Lanes<N>::D& v) {
  const typename Lanes<N>::F f = __builtin_convertvector(v, typename Lanes<N>::F);
  std::memcpy(p, &f, sizeof f);
}

template <int N>
struct Consts {
  using D = typename Lanes<N>::D;
  D kst, thr, slope, knee, negKnee, halfKnee, twoKnee, makeup;
  // +0, -1022 and 1023, opaque to the optimiser: with these as constants GCC would merge two
  // selects (see GainComputer::stage4) and clamp with a compare and a blend, not maxpd / minpd
  D zero, lo, hi;

  explicit Consts(const double* hdr) {
    const double k = hdr[5];
    kst = splat<N>(hdr[2]);
    thr = splat<N>(hdr[3]);
    slope = splat<N>(hdr[4]);
    knee = splat<N>(k);
    negKnee = -knee;
    halfKnee = splat<N>(k / 2.0);
    twoKnee = splat<N>(2.0 * k);
    makeup = splat<N>(hdr[6]);
    zero = opaqueSplat<N>(0.0);
    lo = opaqueSplat<N>(-1022.0);
    hi = opaqueSplat<N>(1023.0);
  }
};

// Pass 1 of the .wat for N frames: gc (dB of gain reduction, 0 below the knee), in four stages
// (the loop runs each on a different chunk; see runChunks).
template <int N>
struct GainComputer {
  using D = typename Lanes<N>::D;
  using L = typename Lanes<N>::L;
  using U = typename Lanes<N>::U;
  D lvl{}, k{}, f{}, f2{}, x{};

  HB_INLINE void stage1(const float* l, const float* r) {
    const D inL = loadF<N>(l);
    const D inR = loadF<N>(r);
    const D vl = inL * inL;
    const D vr = inR * inR;
    lvl = vr > vl ? vr : vl;
    // log2(lvl): the exponent k, the mantissa m folded to [sqrt(1/2), sqrt(2)). The .wat takes k
    // from the high word with an arithmetic shift; a logical one differs only where lvl has its
    // sign bit set, a NaN, for which the result is lvl itself (stage3). k - 1023 as a double: the
    // exponent as the low bits of 2^52, less 2^52 + 1023, exactly (no int64 conversions before
    // AVX-512).
    const L bits = (L)lvl;
    k = (D)((L)((U)bits >> 52) | 0x4330000000000000LL) -
        splat<N>(4503599627371519.0);
    const L mb = (bits & 0x000fffffffffffffLL) | 0x3ff0000000000000LL;
    D m = (D)mb;
    const L big = m > splat<N>(1.4142135623730951);
    // m * 0.5, exact for m in [1, 2): the exponent one less, in the integer pipes (Zen 4's float
    // multiplies and compares share two of the four, the busier half)
    m = big ? (D)(mb - 0x0010000000000000LL) : m;
    k = big ? k + splat<N>(1.0) : k;
    f = (m - splat<N>(1.0)) / (m + splat<N>(1.0));
  }
  HB_INLINE void stage2() {
    f2 = f * f;
    x = splat<N>(0.5770780163555853) + f2 * (splat<N>(0.41219858311113244) + f2 * splat<N>(0.3205988979753252));
  }
  HB_INLINE void stage3() {
    x = k + f * (splat<N>(2.8853900817779268) + f2 * (splat<N>(0.9617966939259757) + f2 * x));
    // +inf stays +inf (and NaN is itself)
    x = lvl < splat<N>(__builtin_inf()) ? x : lvl;
    x = splat<N>(3.010299956639812) * x;
  }
  HB_INLINE D stage4(const Consts<N>& c) const {
    const D over = x - c.thr;
    const D two = splat<N>(2.0) * over;
    const D t = over + c.halfKnee;
    D gr = two < c.knee ? c.slope * t * t / c.twoKnee : c.slope * over;
    // +0 at and below the knee's bottom and below the knee start (the .wat's andnot, and). Two
    // selects, the second's +0 one GCC cannot see is the first's: it would merge them into one
    // select on the and of two compares, which it does lane by lane with AVX-512 (GCC 12).
    gr = two <= c.negKnee ? D{} : gr;
    return lvl > c.kst ? gr : c.zero;
  }
};

// x * g, NaN in both giving x's (quieted by the promotion already), as the WebAssembly kernel's
// f64x2.mul(x, g) does on x86; GCC may swap a product's operands, which x86 would answer with g's.
template <class D>
HB_INLINE D timesGain(const D& x, const D& g) {
  const D p = x * g;
  return x != x ? x : p;
}

// Pass 3 of the .wat for N frames: the gain for the envelope ev at s, applied to l and r; in
// four stages too.
template <int N>
struct Gain {
  using D = typename Lanes<N>::D;
  using L = typename Lanes<N>::L;
  D ev{}, n{}, t{}, g{};

  HB_INLINE void stage1(const double* s, const Consts<N>& c) {
    std::memcpy(&ev, s, sizeof ev);
    // fast-math.ts exp2(-e log2(10)/20). -e as f64x2.neg, a flip of the sign bit, spelt out: GCC
    // folds (-a) * b into a * (-b), which differs where e is NaN (the sign of the NaN).
    const L negBits = (L)ev ^ (L)splat<N>(-0.0);
    D y = (D)negBits * splat<N>(0.1660964047443681);
    // the clamps, pmax and pmin (NaN stays NaN): c > y ? c : y is x86's maxpd(c, y), the same
    // as pmax(y, c); likewise minpd
    y = c.lo > y ? c.lo : y;
    y = c.hi < y ? c.hi : y;
    const D h = y + splat<N>(0.5);
    // n = floor(h) (GCC leaves __builtin_floor lane by lane): h rounded to the nearest integer by
    // adding and taking away 1.5 * 2^52 (exact for |h| < 2^51; h is in [-1021.5, 1023.5] or
    // NaN), one less where that rounded up. The same bits as floor: h is never -0 (y + 0.5 is +0
    // where y = -0.5), and NaN passes through both.
    const D near = (h + splat<N>(6755399441055744.0)) - splat<N>(6755399441055744.0);
    n = near > h ? near - splat<N>(1.0) : near;
    t = (y - n) * splat<N>(0.6931471805599453);
  }
  HB_INLINE void stage2() {
    g = splat<N>(0.008333333333333333) +
        t * (splat<N>(0.001388888888888889) + t * (splat<N>(0.0001984126984126984) + t * splat<N>(0.0000248015873015873)));
  }
  HB_INLINE void stage3(const Consts<N>& c) {
    const D one = splat<N>(1.0);
    g = one + t * (one + t * (splat<N>(0.5) +
                              t * (splat<N>(0.16666666666666666) + t * (splat<N>(0.041666666666666664) + t * g))));
    // times 2^n: bits (n + 1023) << 52, n by i32x4.trunc_sat_f64x2_s_zero (NaN -> 0, so 2^n = 1;
    // n is in [-1022, 1023] otherwise: no saturation nor i32 wraparound), then times makeup. n +
    // 1023 as the low bits of 2^52 + n + 1023, exactly (no int64 conversions before AVX-512).
    const L sb = n == n ? (L)(n + splat<N>(4503599627371519.0)) << 52 : (L)splat<N>(1.0);
    g = g * (D)sb * c.makeup;
    g = ev == D{} ? c.makeup : g;
  }
  HB_INLINE void stage4(float* l, float* r) const {
    storeF<N>(l, timesGain(loadF<N>(l), g));
    storeF<N>(r, timesGain(loadF<N>(r), g));
  }
};

// The smoother, frame by frame. The chain per frame is a multiply, an add and a select; the
// compare and the running maximum hang off it, and (1 - alpha) gc, which does not depend on e,
// is done beforehand, N at a time. Scalar, in lane 0 of a 128-bit vector: a vector select
// compiles to a compare and a blend, where a scalar ternary becomes a branch. The operands come
// from memory, broadcast by the loads: few operations, so the core keeps room for the vector
// work that overlaps the chain.
template <int N>
struct Smoother {
  using D = typename Lanes<N>::D;
  // one chunk's gc and (1 - alpha) gc, in memory of their own (the smoother's state stays in
  // registers: GCC keeps a struct with a member in memory all in memory)
  struct Chunk {
    double g[N], bgA[N], bgR[N];
  };
  v2d aA, aR, e, maxGr;
  D bA, bR;

  explicit Smoother(const double* hdr)
      : aA{hdr[7], hdr[7]},
        aR{hdr[8], hdr[8]},
        e{hdr[0], hdr[0]},
        maxGr{hdr[1], hdr[1]},
        bA(splat<N>(1.0 - hdr[7])),
        bR(splat<N>(1.0 - hdr[8])) {}

  HB_INLINE void load(const D& gc, Chunk& in) const {
    const D pA = bA * gc;
    const D pR = bR * gc;
    std::memcpy(in.g, &gc, sizeof in.g);
    std::memcpy(in.bgA, &pA, sizeof in.bgA);
    std::memcpy(in.bgR, &pR, sizeof in.bgR);
    // through memory for real: GCC would otherwise pick lanes out of the vectors with permutes
    asm("" : "+m"(in));
  }
  HB_INLINE void step(const Chunk& in, int j, double* s) {
    v2d up = aA * e + v2d{in.bgA[j], in.bgA[j]};
    v2d down = aR * e + v2d{in.bgR[j], in.bgR[j]};
    // Both sums in registers before the select: left alone, GCC folds the select into the second
    // add (masked, AVX-512), which then waits on the first: 3 cycles more per frame than a blend.
    asm("" : "+x"(up), "+x"(down));
    e = v2d{in.g[j], in.g[j]} > e ? up : down;
    maxGr = e > maxGr ? e : maxGr;
    s[j] = e[0];
    asm("" : : "m"(s[j]));  // stored as is (GCC would gather them with shuffles)
  }
};

// The block's whole chunks of N frames, software-pipelined: the iteration for chunk k runs the
// smoother on chunk k, frame by frame, and in between the eight stages of the vector work, each
// on a different chunk: the gain computer's on chunks k + 4 down to k + 1 (whose gc the next
// iteration smooths), the gain's on k - 1 down to k - 4. So each stage starts from results an
// iteration old and does not wait; and the chain's operations come spread out, not all together,
// where, waiting on their inputs, they would fill the core's window and starve the vector work.
// Chunks outside the block (the pipeline filling and draining) work on zeros in a scratch
// chunk, their results unused.
template <int N>
HB_INLINE void runChunks(const Consts<N>& c, Smoother<N>& sm, float* l, float* r, double* s, long long chunks) {
  using D = typename Lanes<N>::D;
  float zl[N] = {}, zr[N] = {};
  double zs[N] = {};
  const auto inL = [&](long long k) { return k >= 0 && k < chunks ? l + N * k : zl; };
  const auto inR = [&](long long k) { return k >= 0 && k < chunks ? r + N * k : zr; };
  const auto inS = [&](long long k) { return k >= 0 && k < chunks ? s + N * k : zs; };
  // fill: gc of chunk 0, and chunks 1, 2, 3 three, two and one stage on
  GainComputer<N> q4, q3, q2;
  Gain<N> w4, w3, w2;
  q4.stage1(inL(0), inR(0));
  q3.stage1(inL(1), inR(1));
  q2.stage1(inL(2), inR(2));
  q4.stage2();
  q3.stage2();
  q4.stage3();
  D cur = q4.stage4(c);
  q4 = q3;
  q4.stage3();
  q3 = q2;
  q3.stage2();
  q2.stage1(inL(3), inR(3));
  w4.stage1(zs, c);
  w4.stage2();
  w4.stage3(c);
  w3 = w4;
  w2 = w4;
  typename Smoother<N>::Chunk in;
  for (long long k = 0; k < chunks; k++) {
    double* sk = s + N * k;
    GainComputer<N> q1;
    Gain<N> w1;
    float* const lOut = k >= 4 ? l + N * (k - 4) : zl;
    float* const rOut = k >= 4 ? r + N * (k - 4) : zr;
    sm.load(cur, in);
    // the eight stages, after frames 0 .. N - 1 of the smoother (one, or two, after each)
    if constexpr (N == 8) {
      sm.step(in, 0, sk);
      q1.stage1(inL(k + 4), inR(k + 4));
      sm.step(in, 1, sk);
      w1.stage1(inS(k - 1), c);
      sm.step(in, 2, sk);
      q2.stage2();
      sm.step(in, 3, sk);
      w2.stage2();
      sm.step(in, 4, sk);
      q3.stage3();
      sm.step(in, 5, sk);
      w3.stage3(c);
      sm.step(in, 6, sk);
      cur = q4.stage4(c);
      sm.step(in, 7, sk);
      w4.stage4(lOut, rOut);
    } else if constexpr (N == 2) {
      sm.step(in, 0, sk);
      q1.stage1(inL(k + 4), inR(k + 4));
      w1.stage1(inS(k - 1), c);
      q2.stage2();
      w2.stage2();
      sm.step(in, 1, sk);
      q3.stage3();
      w3.stage3(c);
      cur = q4.stage4(c);
      w4.stage4(lOut, rOut);
    } else {
      static_assert(N == 4, "two, four or eight lanes");
      sm.step(in, 0, sk);
      q1.stage1(inL(k + 4), inR(k + 4));
      w1.stage1(inS(k - 1), c);
      sm.step(in, 1, sk);
      q2.stage2();
      w2.stage2();
      sm.step(in, 2, sk);
      q3.stage3();
      w3.stage3(c);
      sm.step(in, 3, sk);
      cur = q4.stage4(c);
      w4.stage4(lOut, rOut);
    }
    q4 = q3;
    q3 = q2;
    q2 = q1;
    w4 = w3;
    w3 = w2;
    w2 = w1;
  }
  // drain: the gains of the last four chunks, one, two, three and four stages from done
  const long long k = chunks;
  w4.stage4(k >= 4 ? l + N * (k - 4) : zl, k >= 4 ? r + N * (k - 4) : zr);
  w3.stage3(c);
  w3.stage4(k >= 3 ? l + N * (k - 3) : zl, k >= 3 ? r + N * (k - 3) : zr);
  w2.stage2();
  w2.stage3(c);
  w2.stage4(k >= 2 ? l + N * (k - 2) : zl, k >= 2 ? r + N * (k - 2) : zr);
  Gain<N> w1;
  w1.stage1(inS(k - 1), c);
  w1.stage2();
  w1.stage3(c);
  w1.stage4(l + N * (k - 1), r + N * (k - 1));
}

template <int N>
HB_INLINE void run(double* hdr, float* l, float* r, double* s, long long frames) {
  using D = typename Lanes<N>::D;
  const Consts<N> c(hdr);
  Smoother<N> sm(hdr);
  const long long chunks = frames / N;
  if (chunks > 0) runChunks<N>(c, sm, l, r, s, chunks);
  // The tail: the frames after the last chunk, rounded up to a pair as the .wat does.
  const long long at = chunks * N;
  const int rest = static_cast<int>(frames - at);
  if (rest > 0) {
    const int width = (rest + 1) & ~1;
    float tl[N] = {}, tr[N] = {};
    double ts[N] = {};
    std::memcpy(tl, l + at, width * sizeof(float));
    std::memcpy(tr, r + at, width * sizeof(float));
    GainComputer<N> q;
    q.stage1(tl, tr);
    q.stage2();
    q.stage3();
    const D gc = q.stage4(c);
    std::memcpy(ts, &gc, sizeof ts);
    typename Smoother<N>::Chunk in;
    sm.load(gc, in);
    for (int j = 0; j < rest; j++) sm.step(in, j, ts);
    Gain<N> w;
    w.stage1(ts, c);
    w.stage2();
    w.stage3(c);
    w.stage4(tl, tr);
    std::memcpy(s + at, ts, width * sizeof(double));
    std::memcpy(l + at, tl, width * sizeof(float));
    std::memcpy(r + at, tr, width * sizeof(float));
  }
  hdr[0] = sm.e[0];
  hdr[1] = sm.maxGr[0];
}

// Eight lanes (one AVX-512 register), four (one AVX2 register) and two (one SSE2 register): each
// built for every instruction set (HB_TARGETS), Run picks the one for the CPU's widest vectors
// (GCC splits vectors wider than the hardware's badly: the others run at half the speed or less).
HB_TARGETS void run8(double* hdr, float* l, float* r, double* s, long long frames) { run<8>(hdr, l, r, s, frames); }
HB_TARGETS void run4(double* hdr, float* l, float* r, double* s, long long frames) { run<4>(hdr, l, r, s, frames); }
HB_TARGETS void run2(double* hdr, float* l, float* r, double* s, long long frames) { run<2>(hdr, l, r, s, frames); }

using RunFn = void (*)(double*, float*, float*, double*, long long);

// The width the instance runs with (kernels.h DoubleLanes, or forced by instantiate for tests).
RunFn RunFor(int lanes) {
  return lanes >= 8 ? run8 : lanes >= 4 ? run4 : run2;
}

napi_value Run(napi_env env, napi_callback_info info) {
  Args<4> a(env, info);
  const long long frames = a.i(3);
  if (a.failed()) return a.fail();
  if (frames <= 0) return nullptr;  // the .wat writes e and maxGr back unchanged
  const long long width = frames + (frames & 1);
  float* l = a.at<float>(0, width);
  float* r = a.at<float>(1, width);
  double* s = a.at<double>(2, width);
  // The header is at a fixed address (byte 0), not an argument: the memory itself.
  const Memory* mem = a.memory();
  a.check(mem != nullptr && mem->size >= kHeaderDoubles * sizeof(double), "memory access out of bounds");
  if (a.failed()) return a.fail();
  RunFor(mem->lanes)(reinterpret_cast<double*>(mem->base), l, r, s, frames);
  return nullptr;
}

}  // namespace

const KernelExport kCompressorLinked[] = {
    {"run", Run},
    {nullptr, nullptr},
};

}  // namespace hb
