// Untrusted text on a terminal: names and messages that come from files (layer names, tokens,
// metadata, error text quoting them) may hold escape sequences that move the cursor, recolour or
// retitle the terminal. escape_controls shows every C0/C1 control byte and DEL as a visible
// escape (\n, \t, \xNN; C1 as \u0080..\u009f) and keeps all other UTF-8 as it is.
#pragma once
#include <string>
#include <string_view>

namespace attnscope {

std::string escape_controls(std::string_view text);

}  // namespace attnscope
