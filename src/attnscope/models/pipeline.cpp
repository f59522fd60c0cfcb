#include "attnscope/models/pipeline.h"

#include <filesystem>

#include "attnscope/core/error.h"
#include "attnscope/models/generate.h"
#include "attnscope/models/loader.h"
#include "attnscope/models/next_token.h"

namespace attnscope::models {

Pipeline open_pipeline(const std::string& model_path, const std::string& tokenizer_path) {
  Pipeline p;
  p.model = load_model(model_path);
  p.tokenizer = load_model_tokenizer(model_path, tokenizer_path);
  p.model_path = model_path;
  if (p.tokenizer->vocab_size() > p.model->config().vocab)
    throw ConfigError(model_path + ": the tokenizer has " + std::to_string(p.tokenizer->vocab_size()) +
                      " tokens but the model only " + std::to_string(p.model->config().vocab) +
                      " (wrong tokenizer? name the tokenizer file explicitly)");
  return p;
}

namespace {
// ValueError when n tokens do not fit the model's context.
void check_context(const Pipeline& p, size_t n, const char* what) {
  const int64_t ctx = p.model->config().max_seq;
  if (static_cast<int64_t>(n) > ctx)
    throw ValueError(std::string(what) + " is " + std::to_string(n) + " tokens, longer than the model's context of " +
                     std::to_string(ctx));
}
}  // namespace

std::vector<int32_t> encode_input(const Pipeline& p, const std::string& text) {
  std::vector<int32_t> ids = p.tokenizer->encode(text, true, true);
  if (ids.empty()) {
    const int32_t bos = p.tokenizer->specials().bos;
    if (bos < 0) throw ValueError("the text is empty and the tokenizer has no BOS token to start from");
    ids.push_back(bos);
  }
  check_context(p, ids.size(), "the text");
  return ids;
}

PairInput encode_pair(const Pipeline& p, const std::string& a, const std::string& b) {
  if (p.model->is_decoder())
    throw ConfigError("sentence pairs need an encoder with token types (BERT), not a language model");
  const auto& sp = p.tokenizer->specials();
  if (sp.cls < 0 || sp.sep < 0) throw ConfigError("sentence pairs need a tokenizer with [CLS] and [SEP] tokens");
  PairInput in;
  in.ids = p.tokenizer->encode(a, true, true);  // [CLS] a [SEP]
  in.segments.assign(in.ids.size(), 0);
  std::vector<int32_t> second = p.tokenizer->encode(b, false, true);
  second.push_back(sp.sep);
  in.ids.insert(in.ids.end(), second.begin(), second.end());
  in.segments.resize(in.ids.size(), 1);
  check_context(p, in.ids.size(), "the sentence pair");
  return in;
}

std::vector<std::string> token_labels(const data::Tokenizer& tok, const std::vector<int32_t>& ids) {
  std::vector<std::string> out;
  out.reserve(ids.size());
  for (int32_t id : ids) out.push_back(tok.display(id));
  return out;
}

io::Trace make_trace(const Pipeline& p, const std::vector<int32_t>& ids, attention::Recorder& capture,
                     const std::string& text) {
  const ModelConfig& c = p.model->config();
  auto& meta = capture.meta();
  meta["model"] = std::filesystem::path(p.model_path).filename().string();
  meta["architecture"] = arch_name(c.arch);
  meta["source"] = p.model->source();
  meta["tokenizer"] = p.tokenizer->kind();
  meta["source_text"] = text;
  io::TraceSequence seq;
  seq.name = "tokens";
  seq.tokens = token_labels(*p.tokenizer, ids);
  capture.set_sequence(std::move(seq));
  return capture.to_trace();
}

io::Trace generation_trace(const Pipeline& p, const std::vector<int32_t>& prompt, const std::vector<int32_t>& generated,
                           attention::Recorder& capture, const std::string& text) {
  std::vector<int32_t> ids = prompt;
  if (!generated.empty()) ids.insert(ids.end(), generated.begin(), generated.end() - 1);
  io::Trace trace = make_trace(p, ids, capture, text);
  for (int64_t q = static_cast<int64_t>(prompt.size()); q < static_cast<int64_t>(ids.size()); ++q) trace.steps.push_back(q);
  return trace;
}

namespace {
// keep.next > 0: one more forward over the trace's tokens (nothing recorded) for their logits.
// targets: the token after each position; the last one's is `last` (a generation's final
// token, never fed back), or none.
void add_predictions(Pipeline& p, io::Trace& trace, const std::vector<int32_t>& ids, int32_t last, int64_t k) {
  p.model->reset();
  const ModelOutput out = p.model->forward(ids, nullptr);
  std::vector<int32_t> targets(ids.begin() + 1, ids.end());
  targets.push_back(last);
  trace.predictions = next_token_predictions(out, targets, k, *p.tokenizer, "tokens");
}
}  // namespace

io::Trace capture_trace(Pipeline& p, const std::string& text, const attention::Keep& keep, int64_t generate,
                        const SamplingOptions& opt) {
  const std::vector<int32_t> ids = encode_input(p, text);
  // Checked before any work: candidates come from a language model's logits.
  if (keep.next > 0 && !p.model->is_decoder())
    throw ConfigError("next-token candidates need a decoder (language model), not an encoder");
  attention::Recorder capture(keep);
  if (generate > 0) {
    if (!p.model->is_decoder()) throw ConfigError("generating needs a decoder (language model), not an encoder");
    const auto out = models::generate(*p.model, ids, generate, opt, p.tokenizer->specials().eos, nullptr, &capture);
    io::Trace trace = generation_trace(p, ids, out, capture, text);
    if (keep.next > 0 && !out.empty()) {
      std::vector<int32_t> all = ids;
      all.insert(all.end(), out.begin(), out.end() - 1);
      add_predictions(p, trace, all, out.back(), keep.next);
    }
    return trace;
  }
  p.model->reset();
  p.model->forward(ids, &capture);
  io::Trace trace = make_trace(p, ids, capture, text);
  if (keep.next > 0) add_predictions(p, trace, ids, -1, keep.next);
  return trace;
}

io::Trace capture_pair_trace(Pipeline& p, const std::string& a, const std::string& b, const attention::Keep& keep) {
  if (keep.next > 0) throw ConfigError("next-token candidates need a decoder (language model), not an encoder");
  const PairInput in = encode_pair(p, a, b);
  attention::Recorder capture(keep);
  p.model->forward_segments(in.ids, in.segments, &capture);
  capture.meta()["pair_text"] = b;
  io::Trace trace = make_trace(p, in.ids, capture, a);
  trace.sequences.front().segments = in.segments;
  return trace;
}

}  // namespace attnscope::models
