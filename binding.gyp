{
  "targets": [
    {
      "target_name": "hybrid_dsp",
      "sources": ["native/addon.cc", "native/biquad_cascade.cc", "native/limiter_detect.cc", "native/compressor_linked.cc", "native/true_peak.cc", "native/loudness_k.cc"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-O3", "-ffp-contract=off", "-fno-fast-math", "-Wall", "-Wextra", "-Wno-psabi"],
      "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-std=c++17", "-O3", "-ffp-contract=off"] }
    }
  ]
}
