// Sentence classifier for sentiment: embedding -> encoder -> pooling over words -> linear.
// Encoders: a bidirectional GRU/LSTM (arch birnn), or a pre-LN Transformer encoder (arch
// transformer: learned positions, `layers` x multi-head self-attention through the fused kernel,
// every layer and head recorded as encoder.<l>.self); cls pooling reads a [CLS] token (<bos>)
// put before the words. Pooling is what the seeds' sentiment example is about:
//   attention  word-level attention of hierarchical attention networks (Yang et al. 2016):
//              a_t = normalize(v . tanh(W h_t + U u + b)) with a learned query u, so the model
//              weighs the words that carry the sentiment; normalize = softmax, sparsemax,
//              entmax15 (sparse rationales) or topk:K (hard: only the K best words, softmax over
//              them, the gradient flows through the kept scores)
//   mean, max  over the valid words; last: the final states of both directions (no attention:
//              the baselines)
// Attention keys: `states` scores the encoder states (a_t from h_t, the usual form); `words` scores
// a local window of word embeddings [x_{t-W}; ..; x_{t+W}] (a width-(2W+1) convolution inside the
// additive score) while the values stay the encoder states: the score can then rank words only by
// what they (and their neighbours) are, not by a state that already holds the whole verdict.
// (On the built-in reviews it still ranks the negator above the sentiment word: docs/RESULTS.md.)
// R > 1 learned queries (structured self-attention, Lin et al. 2017) pool R times; their
// contexts are concatenated, and the weights reported per word are the mean over queries.
// Regularisation for small data: dropout on embeddings and before the classifier, word dropout
// (a word replaced by <unk> with probability p while training).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "attnscope/attention/hard.h"
#include "attnscope/attention/recorder.h"
#include "attnscope/attention/soft.h"
#include "attnscope/data/vocab.h"
#include "attnscope/io/trace.h"
#include "attnscope/models/transformer_block.h"
#include "attnscope/nn/dropout.h"
#include "attnscope/nn/embedding.h"
#include "attnscope/nn/linear.h"
#include "attnscope/nn/recurrent.h"

namespace attnscope::models {

struct ClassifierConfig {
  std::string arch = "birnn";        // birnn | transformer
  std::string cell = "gru";          // gru | lstm (birnn)
  std::string pooling = "attention"; // attention | mean | max | last (birnn) | cls (transformer)
  int64_t layers = 2, heads = 4, ff = 0, max_len = 512;  // transformer (ff 0: 4 x hidden)
  std::string normalizer = "softmax";// softmax | sparsemax | entmax15 | topk
  int64_t queries = 1;               // R learned queries (Lin et al. 2017): each can pick other words
  int64_t topk = 0;                  // k of the topk normalizer
  int64_t embed = 128, hidden = 128; // E; H per direction (transformer: width C = hidden = E)
  int64_t attn_dim = 0;              // A of the attention score (0: 2H)
  std::string attention_keys = "states"; // states | words: what attention pooling scores (values stay the states)
  int64_t key_window = 1;            // words keys: W words either side of each word (0: the word alone)
  double dropout = 0.5, word_dropout = 0.1;
  std::vector<std::string> labels;   // class names (K = size)
  std::string to_json() const;
  static ClassifierConfig from_json(const std::string& text);  // FormatError on bad fields
  void validate() const;                                        // ConfigError
};

// Word ids [B, T] right-padded with <pad>, and the lengths.
struct ClassifierBatch {
  std::vector<int64_t> ids;
  std::vector<int64_t> lengths;
  int64_t B = 0, T = 0;
};
// T = max(longest row, min_T) (top-k pooling needs at least k columns). Empty rows are an error.
ClassifierBatch make_classifier_batch(const std::vector<std::vector<int64_t>>& rows, int64_t min_T = 1);

struct ClassifierOutput {
  Tensor logits;   // [B, K]
  Tensor weights;  // [B, T] attention over words (mean over queries), else undefined
};

// One classified sentence with what the model looked at.
struct Classification {
  int64_t label = 0;
  std::vector<double> probs;     // [K]
  std::vector<double> weights;   // [T] attention over the words (empty without attention)
};

class SentimentClassifier : public nn::Module {
 public:
  SentimentClassifier(const ClassifierConfig& cfg, data::Vocab vocab, Rng& rng);
  std::string type_name() const override { return "SentimentClassifier"; }
  // "sentiment-birnn" / "sentiment-transformer": the checkpoint's model_type.
  std::string model_type() const { return "sentiment-" + cfg_.arch; }
  // JSON {"model": config, "vocab": [...]} — what a checkpoint needs to rebuild this model.
  std::string config_json() const;
  static std::unique_ptr<SentimentClassifier> load(const std::string& path);  // FormatError on other models

  const ClassifierConfig& config() const { return cfg_; }
  const data::Vocab& vocab() const { return vocab_; }
  int64_t min_columns() const { return cfg_.normalizer == "topk" ? cfg_.topk : 1; }

  // Embedded words [B, T, E] (word dropout in training mode).
  Tensor embed(const ClassifierBatch& b);
  // Logits and pooling weights from embedded words (split from embed() so that gradient x input
  // can take the gradient at the embeddings).
  ClassifierOutput classify(const Tensor& embedded, const ClassifierBatch& b) const;
  ClassifierOutput forward(const ClassifierBatch& b) { return classify(embed(b), b); }

  // Word ids (with the [CLS] id first under cls pooling).
  std::vector<int64_t> encode(const std::vector<std::string>& words) const;
  // Eval mode, no gradients; one result per sentence (words). Empty sentences are an error.
  std::vector<Classification> predict(const std::vector<std::vector<std::string>>& sentences);
  // The trace of one sentence: sequences "words" and "class" (the predicted label), layer
  // "pool" [1 head, R queries, T keys] (attention pooling), the Transformer's encoder.<l>.self
  // [heads, T, T] layers, meta label/probability.
  io::Trace trace(const std::vector<std::string>& words, attention::Keep keep = attention::Keep::dense());

 private:
  ClassifierConfig cfg_;
  data::Vocab vocab_;
  Rng word_rng_;
  mutable Rng dropout_rng_;  // transformer blocks' dropout (registered for transformers only)
  std::shared_ptr<nn::Embedding> embedding_;
  std::shared_ptr<nn::Dropout> embed_dropout_, out_dropout_;
  std::shared_ptr<nn::RecurrentBase> rnn_;
  std::shared_ptr<nn::Embedding> positions_;                   // transformer
  std::shared_ptr<nn::ModuleList<TransformerBlock>> blocks_;   // transformer
  std::shared_ptr<nn::LayerNorm> final_norm_;                  // transformer
  Tensor encode_words(const Tensor& embedded, const ClassifierBatch& b) const;  // [B, T, D]
  // Each word's window of W embeddings either side, concatenated: [B, T, (2W+1) E].
  Tensor word_keys(const Tensor& embedded, const ClassifierBatch& b, int64_t W) const;
  void attach(attention::Recorder* rec);
  Tensor query_;  // [1, R, 2H] learned queries u of attention pooling
  std::shared_ptr<attention::SoftAttention> soft_;
  std::shared_ptr<attention::HardAttention> hard_;
  std::shared_ptr<nn::Linear> out_;
};

}  // namespace attnscope::models
