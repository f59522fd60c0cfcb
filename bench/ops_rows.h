// Shared by bench/ops_softmax and bench/ops_layer_norm: the ISA argument (0 scalar, 1 avx2,
// 2 avx512; skipped when the CPU lacks it) and the GB/s counter over the bytes an op must move.
#pragma once
#include <benchmark/benchmark.h>

#include <string>

#include "attnscope/kernels/isa.h"

namespace attnscope::bench {

// Activates the ISA of argument `arg`; false (and the state skipped) when unsupported.
inline bool use_isa(benchmark::State& state, int arg) {
  const auto isa = static_cast<kernels::Isa>(state.range(arg));
  if (!kernels::isa_supported(isa)) {
    state.SkipWithError("ISA not supported by this CPU");
    return false;
  }
  kernels::set_active_isa(isa);
  state.SetLabel(kernels::isa_name(isa));
  return true;
}

inline void report_bytes(benchmark::State& state, double bytes_per_iter) {
  state.counters["GBps"] = benchmark::Counter(bytes_per_iter * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace attnscope::bench
