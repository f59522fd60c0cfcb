#include "attnscope/data/token_offsets.h"

#include <gtest/gtest.h>

using attnscope::data::token_offsets;
using Spans = std::vector<std::pair<int64_t, int64_t>>;

// Issue 16 (`tokenize`): each token's byte offsets in the text.
TEST(TokenOffsets, WordStartsBytesCaseAndSpecials) {
  // SentencePiece pieces (word starts "▁"), a special with no surface, a lower-cased word.
  EXPECT_EQ(token_offsets("Once upon a", {"", "\xE2\x96\x81Once", "\xE2\x96\x81up", "on", " a"}),
            (Spans{{-1, -1}, {0, 4}, {5, 7}, {7, 9}, {10, 11}}));
  EXPECT_EQ(token_offsets("The CAT", {"the", "cat"}), (Spans{{0, 3}, {4, 7}}));
  // Bytes of one UTF-8 character split over two tokens (byte-level BPE).
  EXPECT_EQ(token_offsets("\xC3\xA9t\xC3\xA9", {"\xC3", "\xA9t", "\xC3\xA9"}), (Spans{{0, 1}, {1, 3}, {3, 5}}));
  // A surface the normalizer changed (accents stripped) is not found; the next tokens still are.
  EXPECT_EQ(token_offsets("caf\xC3\xA9 au lait", {"cafe", "au", "lait"}), (Spans{{-1, -1}, {6, 8}, {9, 13}}));
  EXPECT_EQ(token_offsets("x  y", {"x", "zz", "y"}), (Spans{{0, 1}, {-1, -1}, {3, 4}}));
}
