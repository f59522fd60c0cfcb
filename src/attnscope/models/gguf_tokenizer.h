// Tokenizer from a GGUF file's tokenizer.ggml.* metadata: "llama" (SentencePiece BPE with
// scores and byte tokens), "gpt2" (byte-level BPE with merges), "bert" (WordPiece, stored by
// llama.cpp with U+2581 word-start marks instead of "##" continuations).
#pragma once
#include <memory>

#include "attnscope/data/tokenizer.h"
#include "attnscope/io/gguf.h"

namespace attnscope::models {

std::unique_ptr<data::Tokenizer> tokenizer_from_gguf(const io::GgufFile& f);

}  // namespace attnscope::models
