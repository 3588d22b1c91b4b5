// Stereo TDF-II biquad cascade, native: the same memory layout and exports as
// src/engine/dsp/wasm/biquad-cascade.wat, and the same arithmetic per section and channel (the JS
// reference dsp/biquad-kernels.ts staticSections, y substituted: y = b0 x + z1,
// z1' = (c x - a1 z1) + z2, z2' = d x - a2 z1), in the same order, without fused multiply-adds
// (built with -ffp-contract=off): bit-identical to both.
//
// Speed: a cascade is a chain: section j needs section j-1's output of the same frame. The
// kernel runs up to eight sections as a wavefront: at step t section j works on frame t - j, so
// the eight sections' recursions are independent within a step and run side by side in vectors
// of [L, R] pairs (four sections per AVX-512 register, two per AVX2 one, one per SSE2 one). Each
// section still sees every frame once, in order, with the same operations: only the schedule
// changes. The first and
// last G - 1 steps (the wavefront filling and draining) keep the state of the lanes whose frame
// is outside the block.
//
// Memory (one per EQ instance): sections of 112 bytes: b0, c, d, a1, a2 (each for both
// channels), z1 (L, R), z2 (L, R); buf: the block as (L, R) f64 frames; l, r: the block as f32.
#include <cstring>

#include "kernels.h"
#include "vectors.h"

namespace hb {
namespace {

// Vectors of W doubles and their masks (vectors.h).
template <int W>
using VecD = typename Lanes<W>::D;
template <int W>
using VecL = typename Lanes<W>::L;

constexpr int kSectionDoubles = 14;
constexpr int kGroup = 8;  // sections per wavefront

// The wavefront's vectors of W doubles: W / 2 sections ([L, R] each) per vector, NV vectors for
// the group's G sections (section j in vector j / (W / 2), lanes 2 (j mod W / 2) and + 1).
template <int W, int G>
struct Group {
  static constexpr int kPer = W / 2;
  static constexpr int kNV = (G + kPer - 1) / kPer;
  VecD<W> b0[kNV] = {}, c[kNV] = {}, d[kNV] = {}, a1[kNV] = {}, a2[kNV] = {}, z1[kNV] = {}, z2[kNV] = {};
};

template <int W, int G>
HB_INLINE void loadGroup(const double* sec, Group<W, G>& q) {
  constexpr int NV = Group<W, G>::kNV;
  // Lanes gathered in plain arrays, then copied into the vectors whole (lane by lane inserts
  // into a vector make GCC see reads of it before it is written).
  double lanes[7][NV * W] = {};
  for (int j = 0; j < G; j++) {
    const double* s = sec + j * kSectionDoubles;
    for (int k = 0; k < 2; k++) {
      for (int p = 0; p < 7; p++) lanes[p][2 * j + k] = s[2 * p + k];
    }
  }
  VecD<W>* dst[7] = {q.b0, q.c, q.d, q.a1, q.a2, q.z1, q.z2};
  for (int p = 0; p < 7; p++) std::memcpy(dst[p], lanes[p], sizeof lanes[p]);
}

template <int W, int G>
HB_INLINE void storeGroup(double* sec, const Group<W, G>& q) {
  for (int j = 0; j < G; j++) {
    double* s = sec + j * kSectionDoubles;
    const int v = j / Group<W, G>::kPer;
    const int l = (j % Group<W, G>::kPer) * 2;
    for (int k = 0; k < 2; k++) {
      s[10 + k] = q.z1[v][l + k];
      s[12 + k] = q.z2[v][l + k];
    }
  }
}

// The inputs of one vector's sections: the frame the previous section (the last two lanes of
// `prev`, the previous vector's outputs or the new frame) handed on, then this vector's own
// outputs moved up by one section.
template <int W>
HB_INLINE VecD<W> shifted(const VecD<W>& prev, const VecD<W>& own) {
  if constexpr (W == 2) {
    return prev;
  } else {
    return __builtin_shuffle(prev, own, VecL<4>{2, 3, 4, 5});
  }
}

// One step of the wavefront over the group: `in` carries the new frame in its last two lanes;
// y holds the previous step's outputs and receives this step's. With Masked, lanes whose section
// has no frame at this step (mask 0) keep their state.
template <int W, int G, bool Masked>
HB_INLINE void step(Group<W, G>& q, const VecD<W>& in, VecD<W>* y, const VecL<W>* m) {
  constexpr int NV = Group<W, G>::kNV;
  VecD<W> x[NV];
  x[0] = shifted<W>(in, y[0]);
  for (int v = 1; v < NV; v++) x[v] = shifted<W>(y[v - 1], y[v]);
  for (int v = 0; v < NV; v++) {
    y[v] = q.b0[v] * x[v] + q.z1[v];
    const VecD<W> t = (q.c[v] * x[v] - q.a1[v] * q.z1[v]) + q.z2[v];
    const VecD<W> u = q.d[v] * x[v] - q.a2[v] * q.z1[v];
    if constexpr (Masked) {
      q.z1[v] = m[v] ? t : q.z1[v];
      q.z2[v] = m[v] ? u : q.z2[v];
    } else {
      q.z1[v] = t;
      q.z2[v] = u;
    }
  }
}

template <int W>
HB_INLINE VecD<W> frameIn(const double* buf, long long t) {
  VecD<W> in = VecD<W>{};
  in[W - 2] = buf[2 * t];
  in[W - 1] = buf[2 * t + 1];
  return in;
}

template <int W, int G>
HB_INLINE void storeOut(double* buf, long long f, const VecD<W>* y) {
  constexpr int v = (G - 1) / Group<W, G>::kPer;
  constexpr int l = ((G - 1) % Group<W, G>::kPer) * 2;
  buf[2 * f] = y[v][l];
  buf[2 * f + 1] = y[v][l + 1];
}

template <int W, int G>
HB_INLINE void maskFor(long long t, long long frames, VecL<W>* m) {
  for (int j = 0; j < Group<W, G>::kNV * Group<W, G>::kPer; j++) {
    const long long f = t - j;
    const long long on = (j < G && f >= 0 && f < frames) ? -1 : 0;
    const int v = j / Group<W, G>::kPer;
    const int l = (j % Group<W, G>::kPer) * 2;
    m[v][l] = on;
    m[v][l + 1] = on;
  }
}

template <int W, int G>
HB_INLINE void wavefront(double* sec, double* buf, long long frames) {
  constexpr int NV = Group<W, G>::kNV;
  Group<W, G> q{};
  loadGroup<W, G>(sec, q);
  VecD<W> y[NV] = {};
  VecL<W> m[NV] = {};
  const long long last = frames + G - 1;  // steps 0 .. last - 1
  const long long fullFrom = G - 1;
  const long long fullTo = frames;  // steps [G - 1, frames) have every section on a frame
  for (long long t = 0; t < last; t++) {
    if (t == fullFrom && fullFrom < fullTo) {
      for (; t < fullTo; t++) {
        step<W, G, false>(q, frameIn<W>(buf, t), y, m);
        storeOut<W, G>(buf, t - (G - 1), y);
      }
      if (t >= last) break;
    }
    maskFor<W, G>(t, frames, m);
    step<W, G, true>(q, t < frames ? frameIn<W>(buf, t) : VecD<W>{}, y, m);
    if (t - (G - 1) >= 0) storeOut<W, G>(buf, t - (G - 1), y);
  }
  storeGroup<W, G>(sec, q);
}

template <int W>
HB_INLINE void passWidth(double* sec, int n, double* buf, long long frames) {
  for (int s = 0; s < n; s += kGroup) {
    double* group = sec + s * kSectionDoubles;
    switch (n - s < kGroup ? n - s : kGroup) {
      case 1: wavefront<W, 1>(group, buf, frames); break;
      case 2: wavefront<W, 2>(group, buf, frames); break;
      case 3: wavefront<W, 3>(group, buf, frames); break;
      case 4: wavefront<W, 4>(group, buf, frames); break;
      case 5: wavefront<W, 5>(group, buf, frames); break;
      case 6: wavefront<W, 6>(group, buf, frames); break;
      case 7: wavefront<W, 7>(group, buf, frames); break;
      default: wavefront<W, 8>(group, buf, frames); break;
    }
  }
}

// Four lanes (AVX2, and AVX-512 CPUs too: on Zen 4 eight lanes ran at 0.24 ms per second of
// 48 kHz stereo against four lanes' 0.21, eight sections, 4096-frame blocks) or two (SSE2): vectors
// the hardware has (GCC splits wider ones badly), each built for every instruction set.
HB_TARGETS void pass4(double* sec, int n, double* buf, long long frames) { passWidth<4>(sec, n, buf, frames); }
HB_TARGETS void pass2(double* sec, int n, double* buf, long long frames) { passWidth<2>(sec, n, buf, frames); }

void passImpl(int lanes, double* sec, int n, double* buf, long long frames) {
  if (lanes >= 4) pass4(sec, n, buf, frames);
  else pass2(sec, n, buf, frames);
}

HB_TARGETS void loadImpl(const float* l, const float* r, double* buf, long long frames) {
  for (long long i = 0; i < frames; i++) {
    buf[2 * i] = l[i];
    buf[2 * i + 1] = r[i];
  }
}

HB_TARGETS void storeImpl(const double* buf, float* l, float* r, long long frames) {
  for (long long i = 0; i < frames; i++) {
    l[i] = static_cast<float>(buf[2 * i]);
    r[i] = static_cast<float>(buf[2 * i + 1]);
  }
}

// load(l, r, buf, frames)
napi_value Load(napi_env env, napi_callback_info info) {
  Args<4> a(env, info);
  const long long frames = a.i(3);
  if (frames <= 0) return nullptr;
  float* l = a.at<float>(0, frames);
  float* r = a.at<float>(1, frames);
  double* buf = a.at<double>(2, frames * 2);
  if (a.failed()) return a.fail();
  loadImpl(l, r, buf, frames);
  return nullptr;
}

// store(buf, l, r, frames)
napi_value Store(napi_env env, napi_callback_info info) {
  Args<4> a(env, info);
  const long long frames = a.i(3);
  if (frames <= 0) return nullptr;
  double* buf = a.at<double>(0, frames * 2);
  float* l = a.at<float>(1, frames);
  float* r = a.at<float>(2, frames);
  if (a.failed()) return a.fail();
  storeImpl(buf, l, r, frames);
  return nullptr;
}

// pass(sec, n, buf, frames): sections [sec, sec + n * 112) in series over buf, any n >= 1.
napi_value Pass(napi_env env, napi_callback_info info) {
  Args<4> a(env, info);
  const long long frames = a.i(3);
  const long long n = a.i(1);
  if (frames <= 0 || n <= 0) return nullptr;
  double* sec = a.at<double>(0, n * kSectionDoubles);
  double* buf = a.at<double>(2, frames * 2);
  if (a.failed()) return a.fail();
  passImpl(a.memory()->lanes, sec, static_cast<int>(n), buf, frames);
  return nullptr;
}

}  // namespace

const KernelExport kBiquadCascade[] = {
    {"load", Load},
    {"store", Store},
    {"pass", Pass},
    {nullptr, nullptr},
};

}  // namespace hb
