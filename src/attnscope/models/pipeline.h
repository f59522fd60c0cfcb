// Pipeline: a loaded model with its tokenizer, and the steps every front end (CLI verbs, the
// viewer) shares: encoding text the way the model expects, labelling tokens, and turning a
// capture into a trace. The CLI holds no logic; it calls these.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "attnscope/data/tokenizer.h"
#include "attnscope/io/trace.h"
#include "attnscope/attention/recorder.h"
#include "attnscope/models/generate.h"
#include "attnscope/models/model.h"

namespace attnscope::models {

struct Pipeline {
  std::unique_ptr<Model> model;
  std::unique_ptr<data::Tokenizer> tokenizer;
  std::string model_path;
};

// load_model + load_model_tokenizer; ConfigError when the tokenizer's vocabulary does not fit
// the model's.
Pipeline open_pipeline(const std::string& model_path, const std::string& tokenizer_path = "");

// Token ids of text with the model's specials (BOS for Llama, [CLS]/[SEP] for BERT, nothing for
// GPT-2 unless the text is empty: then <|endoftext|>). ValueError when longer than the context.
std::vector<int32_t> encode_input(const Pipeline& p, const std::string& text);
// A sentence pair as BERT reads it: [CLS] a [SEP] b [SEP], segments 0 over "[CLS] a [SEP]" and 1
// over "b [SEP]". ConfigError for a decoder or a tokenizer without [CLS]/[SEP]; ValueError when
// longer than the context.
struct PairInput {
  std::vector<int32_t> ids, segments;
};
PairInput encode_pair(const Pipeline& p, const std::string& a, const std::string& b);
// Readable labels of ids (one per token).
std::vector<std::string> token_labels(const data::Tokenizer& tok, const std::vector<int32_t>& ids);
// The trace of what the recorder captured over ids, with the tokens and model/source metadata.
io::Trace make_trace(const Pipeline& p, const std::vector<int32_t>& ids, attention::Recorder& capture,
                     const std::string& text);

// The trace of a generation: tokens = prompt + generated, minus the last generated token (it was
// never fed back, so it has no attention row); steps = the query positions of generated tokens.
io::Trace generation_trace(const Pipeline& p, const std::vector<int32_t>& prompt, const std::vector<int32_t>& generated,
                           attention::Recorder& capture, const std::string& text);

// Runs text through the model capturing attention (keep), and returns the trace. generate > 0
// (decoders): then generates that many tokens (sampling opt), capturing each step; the trace's
// tokens cover prompt + generation and trace.steps lists the query position of each step, so
// an animation plays the generation step by step.
io::Trace capture_trace(Pipeline& p, const std::string& text, const attention::Keep& keep, int64_t generate = 0,
                        const SamplingOptions& opt = {});
// Runs a sentence pair (encode_pair) through an encoder with its token types, capturing attention;
// the trace's sequence carries the segments (the views split it A | B).
io::Trace capture_pair_trace(Pipeline& p, const std::string& a, const std::string& b, const attention::Keep& keep);

}  // namespace attnscope::models
