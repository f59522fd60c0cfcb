// Element types. float32 is what models compute in; float64 exists so gradient checks can use
// central differences without drowning in rounding. Half types exist only in files (io/).
#pragma once
#include <cstddef>
#include <cstdint>

namespace attnscope {

enum class DType : uint8_t { f32, f64 };

constexpr size_t dtype_size(DType d) { return d == DType::f64 ? 8 : 4; }
constexpr const char* dtype_name(DType d) { return d == DType::f64 ? "f64" : "f32"; }

template <class T> constexpr DType dtype_of();
template <> constexpr DType dtype_of<float>() { return DType::f32; }
template <> constexpr DType dtype_of<double>() { return DType::f64; }

// Calls f.template operator()<T>() with T the C++ type of d:
//   dispatch_dtype(x.dtype(), [&]<class T>() { ... x.data<T>() ... });
template <class F>
decltype(auto) dispatch_dtype(DType d, F&& f) {
  if (d == DType::f64) return f.template operator()<double>();
  return f.template operator()<float>();
}

}  // namespace attnscope
