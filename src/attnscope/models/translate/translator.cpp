#include "attnscope/models/translate/translator.h"
#include "attnscope/io/json_parse.h"

#include <nlohmann/json.hpp>

#include "attnscope/autograd/graph.h"
#include "attnscope/core/error.h"
#include "attnscope/models/translate/rnn_seq2seq.h"
#include "attnscope/models/translate/transformer_seq2seq.h"
#include "attnscope/nn/eval_mode.h"

namespace attnscope::models {

Translator::Translator(std::string kind, nlohmann::json model_config, TextCodec codec, uint64_t seed)
    : kind_(std::move(kind)), model_config_(model_config.dump()), codec_(std::move(codec)) {
  Rng rng(seed);
  model_ = make_seq2seq(kind_, model_config, codec_, rng);
}

Translator Translator::load(const std::string& path) {
  return load(io::SafetensorsFile::open(path), path);
}

Translator Translator::load(const io::SafetensorsFile& file, const std::string& path) {
  nn::CheckpointMeta meta = nn::read_checkpoint_meta(file);
  if (meta.model_type.rfind("translate-", 0) != 0)
    throw FormatError("'" + path + "' is a '" + meta.model_type + "' checkpoint, not a translation model");
  nlohmann::json cfg;
  cfg = io::parse_json(meta.config, "'" + path + "': config");
  if (!cfg.contains("kind") || !cfg.contains("model") || !cfg.contains("codec"))
    throw FormatError("'" + path + "': config lacks kind/model/codec");
  Translator t(cfg["kind"].get<std::string>(), cfg["model"], TextCodec::from_json(cfg["codec"]), 0);
  nn::load_checkpoint(file, *t.model_, t.model_type());
  return t;
}

void Translator::save(const std::string& path, int64_t step, const std::string& training,
                      const nn::Optimizer* optimizer, const nn::NamedRngs& rngs) const {
  nn::CheckpointMeta meta;
  meta.model_type = model_type();
  meta.config = config_json();
  meta.step = step;
  meta.training = training;
  nn::save_checkpoint(path, *model_, meta, optimizer, rngs);
}

std::string Translator::config_json() const {
  return nlohmann::json{{"kind", kind_}, {"model", nlohmann::json::parse(model_config_)}, {"codec", codec_.to_json()}}.dump();
}

std::vector<Translation> Translator::translate(const std::vector<std::string>& texts, const DecodeOptions& opt) {
  std::vector<Translation> out;
  if (texts.empty()) return out;
  std::vector<std::vector<int64_t>> src;
  for (const auto& t : texts) {
    Translation tr;
    tr.source_tokens = codec_.tokenize_source(t);
    src.push_back(codec_.source_vocab.encode(tr.source_tokens));
    out.push_back(std::move(tr));
  }
  auto ids = decode(*model_, make_batch(src), opt);
  for (size_t i = 0; i < out.size(); ++i) {
    out[i].target_ids = ids[i];
    out[i].target_tokens = codec_.target_vocab.decode(ids[i]);
    out[i].text = codec_.detokenize_target(out[i].target_tokens);
  }
  return out;
}

io::Trace Translator::trace_pair(const std::vector<std::string>& source_tokens,
                                 const std::vector<std::string>& target_tokens, attention::Keep keep) {
  attention::Recorder rec(keep);
  std::vector<std::string> src_tokens = source_tokens;
  if (src_tokens.empty()) src_tokens = {"<pad>"};
  rec.set_sequence({"source", src_tokens});
  // Decoder queries: one per produced token, the last producing <eos>.
  std::vector<std::string> tgt = target_tokens;
  tgt.push_back("<eos>");
  rec.set_sequence({"target", tgt});
  Batch b = make_batch({codec_.source_vocab.encode(source_tokens)}, {codec_.target_vocab.encode(target_tokens)});
  {
    autograd::NoGrad ng;
    const nn::EvalMode eval_mode(*model_);
    model_->set_recorder(&rec);
    try {
      model_->forward(b);
    } catch (...) {
      model_->set_recorder(nullptr);
      throw;
    }
    model_->set_recorder(nullptr);
  }
  rec.meta()["model"] = model_type();
  io::Trace trace = rec.to_trace(0);
  return trace;
}

io::Trace Translator::trace(const std::string& text, const DecodeOptions& opt, attention::Keep keep) {
  Translation tr = translate({text}, opt).front();
  io::Trace t = trace_pair(tr.source_tokens, tr.target_tokens, keep);
  t.meta["source_text"] = text;
  t.meta["target_text"] = tr.text;
  for (int64_t s = 0; s <= static_cast<int64_t>(tr.target_tokens.size()); ++s) t.steps.push_back(s);
  return t;
}

std::unique_ptr<Seq2SeqModel> make_seq2seq(const std::string& kind, nlohmann::json config, const TextCodec& codec, Rng& rng) {
  config["src_vocab"] = codec.source_vocab.size();
  config["tgt_vocab"] = codec.target_vocab.size();
  if (kind == "rnn") return std::make_unique<RnnSeq2Seq>(RnnSeq2SeqConfig::from_json(config), rng);
  if (kind == "transformer") return std::make_unique<TransformerSeq2Seq>(TransformerSeq2SeqConfig::from_json(config), rng);
  throw ConfigError("unknown translation model '" + kind + "' (expected rnn or transformer)");
}

}  // namespace attnscope::models
