{
  "targets": [
    {
      "target_name": "hybrid_dsp",
      "sources": ["addon.cc", "biquad_cascade.cc", "limiter_detect.cc", "compressor_linked.cc", "true_peak.cc", "loudness_k.cc"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-O3", "-ffp-contract=off", "-fno-fast-math", "-Wall", "-Wextra", "-Wno-psabi"],
      "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-std=c++17", "-O3", "-ffp-contract=off"] }
    }
  ]
}
