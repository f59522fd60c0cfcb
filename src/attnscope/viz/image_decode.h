// Decoding the image a trace points at (an untrusted file): JPEG through libjpeg(-turbo), PNG
// through Cairo's reader (libpng). Both are fuzzed upstream; stb_image was dropped here after
// fuzz_viz found out-of-bounds reads in its JPEG Huffman decoder on malformed input. The
// dimensions are read from the header and checked before any pixel buffer is allocated.
#pragma once
#include <string>

#include "attnscope/viz/frame.h"

namespace attnscope::viz {

// FormatError when not a decodable JPEG/PNG, ValueError past 16384 px a side or 64 Mpx.
// `name` is for messages.
Frame decode_image(const std::string& bytes, const std::string& name);

}  // namespace attnscope::viz
