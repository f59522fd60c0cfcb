// The encoder-decoder interface shared by the RNN and Transformer translators: teacher-forced
// training, incremental decoding (greedy / beam search, decode.h), and attention recording.
// Shapes: B batch, S source length, T target length, V target vocabulary, C model width.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "attnscope/attention/recorder.h"
#include "attnscope/nn/module.h"

namespace attnscope::models {

// A padded batch. Padding id is data::Vocab::kPad (0); padded targets are ops::kIgnore.
struct Batch {
  int64_t B = 0, S = 0, T = 0;
  std::vector<int64_t> src;       // [B, S]
  std::vector<int32_t> src_len;   // [B]
  std::vector<int64_t> tgt_in;    // [B, T]  <bos> y1 .. y_n, padded
  std::vector<int64_t> tgt_out;   // [B, T]  y1 .. y_n <eos>, padded with ops::kIgnore
};
// Largest model a config may describe (~1 GiB of fp32 weights): configs come from checkpoint
// files, and a hostile one must fail before allocating.
inline constexpr double kMaxTranslationParams = double(1 << 28);

// Sources (and optionally targets, without <bos>/<eos>) -> a padded batch.
Batch make_batch(const std::vector<std::vector<int64_t>>& src,
                 const std::vector<std::vector<int64_t>>& tgt = {});

// Model state carried between decoding steps (encoder memory, recurrent or cached state).
struct DecodeState {
  virtual ~DecodeState() = default;
  int64_t step = 0;  // target positions produced so far
};

class Seq2SeqModel : public nn::Module {
 public:
  // Teacher-forced logits [B, T, V]. Every attention call reports to the recorder if set.
  virtual Tensor forward(const Batch& batch) = 0;
  // Encodes batch.src for decoding.
  virtual std::unique_ptr<DecodeState> encode(const Batch& batch) = 0;
  // One step: previous tokens [B] -> log-probabilities [B, V].
  virtual Tensor decode_step(DecodeState& state, const std::vector<int64_t>& prev) = 0;
  // Keeps rows `rows` of every batch-shaped state tensor (beam search).
  virtual void reorder(DecodeState& state, const std::vector<int64_t>& rows) = 0;
  // Attaches (nullptr: detaches) a recorder to every attention module.
  virtual void set_recorder(attention::Recorder* recorder) = 0;
  virtual int64_t target_vocab_size() const = 0;
  // A scalar the training loss adds for the model's own regularisers (the adaptive span's
  // penalty); undefined when the model has none.
  virtual Tensor regularizer() const { return {}; }

  // Source-embedding probe (input gradients, models/translate/explain.h): while on, each encode
  // adds a zero leaf to the embedded source [B, S, C]; after backward its grad() is dL/de, and
  // source_embedded() holds e (no history).
  void probe_source(bool on) { probe_on_ = on; probe_ = embedded_ = {}; }
  const Tensor& source_probe() const { return probe_; }
  const Tensor& source_embedded() const { return embedded_; }

  // Supervised attention (a training loss on the attention itself): while on, forward() keeps
  // the cross-attention weights [B, T, S] with their gradient — the RNN's attention, or the head
  // mean of the Transformer's last decoder cross-attention. supports_kept_attention() is false
  // for mechanisms without a differentiable distribution (local window, hard, none).
  void keep_attention(bool on) { keep_on_ = on; kept_ = {}; }
  const Tensor& kept_attention() const { return kept_; }
  virtual bool supports_kept_attention() const { return true; }

 protected:
  bool keeping_attention() const { return keep_on_; }
  void set_kept_attention(Tensor w) const { kept_ = std::move(w); }

  // The encoder's embedded source, with the probe added when it is on.
  Tensor probed_source(const Tensor& embedded) const;

 private:
  bool probe_on_ = false, keep_on_ = false;
  mutable Tensor probe_, embedded_, kept_;
};

}  // namespace attnscope::models
