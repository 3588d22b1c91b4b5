// Stereo TDF-II biquad cascade, native: the same memory layout and exports as
// src/engine/dsp/wasm/biquad-cascade.wat, and the same arithmetic per section and channel (the JS
// reference dsp/biquad-kernels.ts staticSections, y substituted: y = b0 x + z1,
// z1' = (c x - a1 z1) + z2, z2' = d x - a2 z1), in the same order, without fused multiply-adds
// (built with -ffp-contract=off): bit-identical to both.
//
// Speed: a cascade is a chain: section j needs section j-1's output of the same frame. The
// kernel runs up to eight sections as a wavefront: at step t section j works on frame t - j, so
// the eight sections' recursions are independent within a step and run in two 8-lane vectors
// ([L, R] of four sections each; f64x8, AVX-512 or two AVX2 halves). Each section still sees
// every frame once, in order, with the same operations: only the schedule changes. The first and
// last G - 1 steps (the wavefront filling and draining) keep the state of the lanes whose frame
// is outside the block.
//
// Memory (one per EQ instance): sections of 112 bytes: b0, c, d, a1, a2 (each for both
// channels), z1 (L, R), z2 (L, R); buf: the block as (L, R) f64 frames; l, r: the block as f32.
#include "kernels.h"

namespace hb {
namespace {

using v8d = double __attribute__((vector_size(64)));
using v8l = long long __attribute__((vector_size(64)));

constexpr int kSectionDoubles = 14;

struct Group {
  v8d b0[2], c[2], d[2], a1[2], a2[2], z1[2], z2[2];
};

HB_INLINE void loadGroup(const double* sec, int g, Group& q) {
  for (int v = 0; v < 2; v++) {
    q.b0[v] = q.c[v] = q.d[v] = q.a1[v] = q.a2[v] = q.z1[v] = q.z2[v] = v8d{};
  }
  for (int j = 0; j < g; j++) {
    const double* s = sec + j * kSectionDoubles;
    const int v = j >> 2;
    const int l = (j & 3) * 2;
    for (int k = 0; k < 2; k++) {
      q.b0[v][l + k] = s[0 + k];
      q.c[v][l + k] = s[2 + k];
      q.d[v][l + k] = s[4 + k];
      q.a1[v][l + k] = s[6 + k];
      q.a2[v][l + k] = s[8 + k];
      q.z1[v][l + k] = s[10 + k];
      q.z2[v][l + k] = s[12 + k];
    }
  }
}

HB_INLINE void storeGroup(double* sec, int g, const Group& q) {
  for (int j = 0; j < g; j++) {
    double* s = sec + j * kSectionDoubles;
    const int v = j >> 2;
    const int l = (j & 3) * 2;
    for (int k = 0; k < 2; k++) {
      s[10 + k] = q.z1[v][l + k];
      s[12 + k] = q.z2[v][l + k];
    }
  }
}

// One step of the wavefront over G sections. `in` carries the new frame in lanes 0, 1; y0/y1
// hold the previous step's outputs and receive this step's. With Masked, lanes whose section has
// no frame at this step (mask 0) keep their state.
template <int G, bool Masked>
HB_INLINE void step(Group& q, v8d in, v8d& y0, v8d& y1, v8l m0, v8l m1) {
  constexpr bool two = G > 4;
  const v8d x0 = __builtin_shuffle(y0, in, v8l{8, 9, 0, 1, 2, 3, 4, 5});
  const v8d n0 = q.b0[0] * x0 + q.z1[0];
  const v8d t0 = (q.c[0] * x0 - q.a1[0] * q.z1[0]) + q.z2[0];
  const v8d u0 = q.d[0] * x0 - q.a2[0] * q.z1[0];
  v8d n1 = v8d{};
  if constexpr (two) {
    const v8d x1 = __builtin_shuffle(y1, y0, v8l{14, 15, 0, 1, 2, 3, 4, 5});
    n1 = q.b0[1] * x1 + q.z1[1];
    const v8d t1 = (q.c[1] * x1 - q.a1[1] * q.z1[1]) + q.z2[1];
    const v8d u1 = q.d[1] * x1 - q.a2[1] * q.z1[1];
    if constexpr (Masked) {
      q.z1[1] = m1 ? t1 : q.z1[1];
      q.z2[1] = m1 ? u1 : q.z2[1];
    } else {
      q.z1[1] = t1;
      q.z2[1] = u1;
    }
  }
  if constexpr (Masked) {
    q.z1[0] = m0 ? t0 : q.z1[0];
    q.z2[0] = m0 ? u0 : q.z2[0];
  } else {
    q.z1[0] = t0;
    q.z2[0] = u0;
  }
  y0 = n0;
  y1 = n1;
}

template <int G>
HB_INLINE void storeOut(double* buf, long long f, const v8d& y0, const v8d& y1) {
  constexpr int v = (G - 1) >> 2;
  constexpr int l = ((G - 1) & 3) * 2;
  const v8d& y = v == 0 ? y0 : y1;
  buf[2 * f] = y[l];
  buf[2 * f + 1] = y[l + 1];
}

HB_INLINE void maskFor(int g, long long t, long long frames, v8l& m0, v8l& m1) {
  for (int j = 0; j < 8; j++) {
    const long long f = t - j;
    const long long on = (j < g && f >= 0 && f < frames) ? -1 : 0;
    (j < 4 ? m0 : m1)[(j & 3) * 2] = on;
    (j < 4 ? m0 : m1)[(j & 3) * 2 + 1] = on;
  }
}

template <int G>
HB_INLINE void wavefront(double* sec, double* buf, long long frames) {
  Group q{};
  loadGroup(sec, G, q);
  v8d y0 = v8d{}, y1 = v8d{};
  v8l m0 = v8l{}, m1 = v8l{};
  const long long last = frames + G - 1;  // steps 0 .. last - 1
  const long long fullFrom = G - 1;
  const long long fullTo = frames;  // steps [G - 1, frames) have every section on a frame
  long long t = 0;
  for (; t < last; t++) {
    if (t == fullFrom && fullFrom < fullTo) {
      for (; t < fullTo; t++) {
        const v8d in = {buf[2 * t], buf[2 * t + 1]};
        step<G, false>(q, in, y0, y1, m0, m1);
        storeOut<G>(buf, t - (G - 1), y0, y1);
      }
      if (t >= last) break;
    }
    maskFor(G, t, frames, m0, m1);
    const v8d in = t < frames ? v8d{buf[2 * t], buf[2 * t + 1]} : v8d{};
    step<G, true>(q, in, y0, y1, m0, m1);
    if (t - (G - 1) >= 0) storeOut<G>(buf, t - (G - 1), y0, y1);
  }
  storeGroup(sec, G, q);
}

HB_TARGETS void passImpl(double* sec, int n, double* buf, long long frames) {
  for (int s = 0; s < n; s += 8) {
    double* group = sec + s * kSectionDoubles;
    switch (n - s < 8 ? n - s : 8) {
      case 1: wavefront<1>(group, buf, frames); break;
      case 2: wavefront<2>(group, buf, frames); break;
      case 3: wavefront<3>(group, buf, frames); break;
      case 4: wavefront<4>(group, buf, frames); break;
      case 5: wavefront<5>(group, buf, frames); break;
      case 6: wavefront<6>(group, buf, frames); break;
      case 7: wavefront<7>(group, buf, frames); break;
      default: wavefront<8>(group, buf, frames); break;
    }
  }
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
  passImpl(sec, static_cast<int>(n), buf, frames);
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
