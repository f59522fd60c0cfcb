#pragma once
namespace attnscope {
inline constexpr const char* kVersion = "0.1.0";
}
