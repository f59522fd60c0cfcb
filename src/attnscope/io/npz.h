// NumPy .npz archives (numpy.savez / savez_compressed): a zip of .npy files, stored or deflated.
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "attnscope/io/npy.h"

namespace attnscope::io {

// Arrays in archive order, named without the ".npy" suffix ("arr_0", or savez's keyword names).
using NpzArrays = std::vector<std::pair<std::string, NpyArray>>;

// FormatError "'what': ..." when the zip or any member .npy is malformed.
NpzArrays parse_npz(std::string_view bytes, const std::string& what);
NpzArrays read_npz(const std::string& path);

}  // namespace attnscope::io
