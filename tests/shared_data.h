// Where ../shared/data lies, and what of it several tests read. Tests that need it skip with a
// message when it is absent.
#pragma once
#include <filesystem>
#include <string>

namespace attnscope::testing {

inline std::filesystem::path shared_data_path() { return std::filesystem::path(ATTNSCOPE_SOURCE_DIR) / ".." / "shared" / "data"; }
inline std::string shared_data_dir() { return shared_data_path().string(); }

// The stories260K Llama (llama2.c's .bin, tokenizer and the reference outputs beside it).
inline std::string stories_dir() { return shared_data_dir() + "/model_stories260K_llama"; }
inline std::string stories_bin() { return stories_dir() + "/stories260K.bin"; }
// The sentence of its reference attention (reference/attention_golden_sentence.json).
inline constexpr const char* kStoriesSentence = "One day, a clever fox found a shiny key under the old oak tree.";

}  // namespace attnscope::testing
