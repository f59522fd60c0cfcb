#include "attnscope/kernels/isa.h"

#include <cpuid.h>

#include <atomic>
#include <cstdlib>
#include <string>

#include "attnscope/core/error.h"

namespace attnscope::kernels {
namespace {

// F16C and AVX512_BF16 straight from cpuid: clang 14's __builtin_cpu_supports knows neither
// (the fuzz build uses clang).
bool cpu_has_f16c() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  return __get_cpuid(1, &a, &b, &c, &d) && ((c >> 29) & 1u);
}
bool cpuid_avx512_bf16() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  return __get_cpuid_count(7, 1, &a, &b, &c, &d) && ((a >> 5) & 1u);
}

bool probe(Isa isa) {
  switch (isa) {
    case Isa::scalar: return true;
    case Isa::avx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && cpu_has_f16c();
    case Isa::avx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
             __builtin_cpu_supports("fma") && cpu_has_f16c();
  }
  return false;
}

Isa initial_isa() {
  if (const char* env = std::getenv("ATTNSCOPE_ISA"); env && *env) {
    const Isa want = parse_isa(env);
    ATTNSCOPE_CHECK(isa_supported(want), ConfigError,
                    std::string("ATTNSCOPE_ISA=") + env + ": this CPU does not support it (best: " +
                        isa_name(detected_isa()) + ")");
    return want;
  }
  return detected_isa();
}

std::atomic<int>& active_slot() {
  static std::atomic<int> slot{static_cast<int>(initial_isa())};
  return slot;
}

}  // namespace

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::scalar: return "scalar";
    case Isa::avx2: return "avx2";
    case Isa::avx512: return "avx512";
  }
  return "?";
}

Isa parse_isa(std::string_view name) {
  if (name == "scalar") return Isa::scalar;
  if (name == "avx2") return Isa::avx2;
  if (name == "avx512") return Isa::avx512;
  throw ConfigError("unknown ISA '" + std::string(name) + "' (expected scalar, avx2 or avx512)");
}

bool isa_supported(Isa isa) {
  static const bool ok[3] = {probe(Isa::scalar), probe(Isa::avx2), probe(Isa::avx512)};
  return ok[static_cast<int>(isa)];
}

bool cpu_has_avx512_bf16() {
  static const bool ok = isa_supported(Isa::avx512) && cpuid_avx512_bf16();
  return ok;
}

std::vector<Isa> supported_isas() {
  std::vector<Isa> out;
  for (Isa isa : {Isa::scalar, Isa::avx2, Isa::avx512})
    if (isa_supported(isa)) out.push_back(isa);
  return out;
}

Isa detected_isa() {
  if (isa_supported(Isa::avx512)) return Isa::avx512;
  if (isa_supported(Isa::avx2)) return Isa::avx2;
  return Isa::scalar;
}

Isa active_isa() { return static_cast<Isa>(active_slot().load(std::memory_order_relaxed)); }

void set_active_isa(Isa isa) {
  ATTNSCOPE_CHECK(isa_supported(isa), ConfigError,
                  std::string("ISA ") + isa_name(isa) + " is not supported by this CPU");
  active_slot().store(static_cast<int>(isa), std::memory_order_relaxed);
}

}  // namespace attnscope::kernels
