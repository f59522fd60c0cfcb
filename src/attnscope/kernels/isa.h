// Run-time instruction-set dispatch for the kernels. The CPU is probed once (cpuid through
// __builtin_cpu_supports); ATTNSCOPE_ISA=scalar|avx2|avx512 overrides the choice, which is how the
// tests run every path this CPU supports. Public headers stay free of intrinsics: per-ISA code
// lives in *_avx2.cpp / *_avx512.cpp files compiled with their own flags (Highway-style).
#pragma once
#include <string_view>
#include <vector>

namespace attnscope::kernels {

enum class Isa { scalar, avx2, avx512 };

// "scalar", "avx2", "avx512".
const char* isa_name(Isa isa);
// Parses a name as above; throws ConfigError naming the accepted values.
Isa parse_isa(std::string_view name);
// True when this CPU (and OS) can run the path. avx2 needs AVX2+FMA+F16C; avx512 needs
// AVX-512 F/BW/VL/DQ (+FMA, F16C).
bool isa_supported(Isa isa);
// AVX-512 BF16 (vdpbf16ps): used by the avx512 path for bf16 storage when present.
bool cpu_has_avx512_bf16();
// Every ISA this CPU supports, scalar first.
std::vector<Isa> supported_isas();
// The best supported ISA, ignoring the environment.
Isa detected_isa();
// The ISA the kernels use: ATTNSCOPE_ISA if set (read once; an unknown or unsupported value
// throws ConfigError on first use), else detected_isa(). Changed by set_active_isa.
Isa active_isa();
// Forces a path (tests, benchmarks); throws ConfigError if this CPU cannot run it.
void set_active_isa(Isa isa);

}  // namespace attnscope::kernels
