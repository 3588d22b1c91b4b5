// GCC vector types shared by the kernels. Lanes<N>: N doubles (D), their comparison masks (L),
// the same bits unsigned (U) and N floats (F), for kernels built once per vector width
// (kernels.h DoubleLanes); GCC takes no vector_size that depends on a template parameter, hence
// one specialisation per width. The fixed-width names are for kernels with one layout.
#pragma once

namespace hb {

template <int N>
struct Lanes;
template <>
struct Lanes<2> {
  using D = double __attribute__((vector_size(16)));
  using L = long long __attribute__((vector_size(16)));
  using U = unsigned long long __attribute__((vector_size(16)));
  using F = float __attribute__((vector_size(8)));
};
template <>
struct Lanes<4> {
  using D = double __attribute__((vector_size(32)));
  using L = long long __attribute__((vector_size(32)));
  using U = unsigned long long __attribute__((vector_size(32)));
  using F = float __attribute__((vector_size(16)));
};
template <>
struct Lanes<8> {
  using D = double __attribute__((vector_size(64)));
  using L = long long __attribute__((vector_size(64)));
  using U = unsigned long long __attribute__((vector_size(64)));
  using F = float __attribute__((vector_size(32)));
};

using v16f = float __attribute__((vector_size(64)));
using v16i = int __attribute__((vector_size(64)));
using v8f = float __attribute__((vector_size(32)));
using v8i = int __attribute__((vector_size(32)));
using v4f = float __attribute__((vector_size(16)));
using v4i = int __attribute__((vector_size(16)));
using v8d = double __attribute__((vector_size(64)));

}  // namespace hb
