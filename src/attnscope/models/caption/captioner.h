// Image captioner with attention over a grid of CNN features (Show, Attend and Tell; Knowing When
// to Look). Encoder, trained from scratch: four 3x3 convolutions with ReLU and two 2x2 max pools
// (or one, for cells of 2 px), so a side x side RGB image becomes a (side/cell)^2 grid of feature
// vectors, plus a learned position
// per cell, layer-normalised. Decoder: an LSTM writing one word per step from a zero state, fed
// the previous word and WHERE the previous step looked (the alpha-weighted cell centre), never
// what it saw: the image reaches a word only through that word's own attention, so each word has
// to look (feeding the context back let the kind word ride on the colour word's look).
// Attention scores either the grid features themselves or (keys "pixels") a feature of each
// cell's own pixels, while the context always reads the grid features.
// Attention, selectable:
//   soft      Xu et al. 2015, with the query after the LSTM step (Luong-style: h_t, which has read
//             the previous word, not Xu's h_{t-1}): alpha over
//             the cells (additive score), context gated by sigmoid(f_beta(h_t)); the doubly
//             stochastic regulariser lambda * sum_i (1 - sum_t alpha_ti)^2 is CaptionOutput::coverage.
//   hard      Xu et al. 2015: one cell sampled from alpha (argmax in eval mode), trained with
//             REINFORCE (the task adds attention::reinforce_loss with its baseline and entropy bonus).
//   adaptive  Lu et al. 2017: the LSTM runs first (without Lu's mean feature in its input, which
//             would tell it the image without looking); a visual sentinel s_t = g_t * tanh(m_t) competes
//             with the cells (attention::SentinelAttention, its score offset starting at -4 so that
//             beta starts near 0); beta_t = weight on the sentinel.
//   none      the mean feature as a fixed context (and the initial state): the baseline.
// Every step's alpha (and beta) reaches an attention::Recorder as layer "decoder.cross", query
// sequence "target" (the words), key sequence "image" (the grid).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "attnscope/attention/hard.h"
#include "attnscope/attention/recorder.h"
#include "attnscope/attention/sentinel.h"
#include "attnscope/attention/soft.h"
#include "attnscope/data/image.h"
#include "attnscope/data/vocab.h"
#include "attnscope/io/trace.h"
#include "attnscope/nn/conv2d.h"
#include "attnscope/nn/dropout.h"
#include "attnscope/nn/embedding.h"
#include "attnscope/nn/linear.h"
#include "attnscope/nn/norm.h"
#include "attnscope/nn/recurrent.h"

namespace attnscope::models {

struct CaptionerConfig {
  std::string attention = "soft";  // soft | hard | adaptive | none
  int64_t image_side = 32;         // input images are resized to side x side (a multiple of 4)
  int64_t channels = 64;           // C, feature width (the first two convolutions have C/2)
  std::string pool = "max";        // max | avg: the encoder's two 2x2 poolings
  int64_t last_kernel = 3;         // 3 | 1: the last convolution's kernel (1 keeps a cell's view to its own pixels' neighbourhood)
  int64_t cell = 4;                // 4 | 2: pixels per grid cell (2: the second pooling is skipped, a finer grid)
  std::string normalizer = "softmax";  // soft attention's weights: softmax | sparsemax | entmax15
  // Soft/hard: the score also reads, per cell, the previous word's weight and the caption's
  // cumulative weight so far (location-aware attention, Chorowski et al. 2015; coverage, Tu et
  // al. 2016): "stay on this object" and "move on to one not yet described" become easy to say.
  bool location_aware = false;
  // zero | image: where soft, hard and adaptive decoders start. zero keeps the image out of the
  // state, so each word must look; image is Xu et al.'s h0, c0 = tanh(W mean feature), which gives
  // the first words the whole image (on photos, the scene's gist). none always starts from the image.
  std::string init_state = "zero";
  // cells | pixels: what soft, hard and adaptive attention score. cells: the grid features
  // themselves (each sees 20 px around its cell, so a cell beside an object scores like one on
  // it). pixels: a 1x1 convolution of each pixel, averaged over the cell's own pixels, plus a
  // learned position, so a cell scores by how much of it an object covers; the context still
  // reads the grid features. (The caption task picks pixels for the scenes.)
  std::string keys = "cells";
  // Soft/hard: the LSTM also reads the previous word's gated context (Xu et al. feed the context
  // into the LSTM; Luong's input feeding). The caption task turns it on for photos only: on the
  // scenes a word then rides on an earlier look instead of looking itself; on photos the LSTM
  // otherwise never sees the image.
  bool feed_context = false;
  // A word detector on every cell (multiple-instance learning, Fang et al. 2015): an image's
  // score for a word is its best cell's, trained to say which words the image's captions use.
  // It gives the encoder a direct signal per image (and per word) besides the decoder's; the
  // caption task adds its loss when `concepts` > 0. Decoding does not read it.
  bool concepts = false;
  int64_t embed = 64, hidden = 128, attn_dim = 64;
  double dropout = 0.1;
  int64_t max_words = 20;          // greedy decoding stops here without <eos>
  int64_t grid() const { return image_side / cell; }
  std::string to_json() const;
  static CaptionerConfig from_json(const std::string& text);  // FormatError on bad fields
  void validate() const;                                       // ConfigError
};

// Teacher-forced batch: images [B, 3, S, S] (normalised), inputs <bos> w1..wn and targets
// w1..wn <eos>, both [B, T] right-padded (targets with ops::kIgnore).
struct CaptionBatch {
  Tensor images;
  std::vector<int64_t> inputs, targets, lengths;
  // Per image, the ids of the words any of its captions uses (for the concept loss; may be empty).
  std::vector<std::vector<int64_t>> bags;
  int64_t B = 0, T = 0;
};

struct CaptionOutput {
  Tensor logits;    // [B, T, V]
  Tensor alpha;     // [B, T, K] (undefined for none)
  Tensor coverage;  // scalar sum_b sum_i (1 - sum_{valid t} alpha_bti)^2 (soft, hard, adaptive)
  Tensor log_prob, entropy;  // [B, T] hard attention in training mode
  Tensor beta;      // [B, T] adaptive
  Tensor concepts;  // scalar: the concept detector's loss (config concepts, and a batch with bags)
};

// One generated caption and where each word looked.
struct GeneratedCaption {
  std::vector<std::string> words;          // without <eos>
  double log_prob = 0;                     // sum over the steps of log p(chosen word or <eos>)
  std::vector<std::vector<float>> alpha;   // per word (and the <eos> step) [K]; empty for none
  std::vector<float> beta;                 // adaptive: per word (and <eos>)
};

// A caption's words as one line, separated by spaces.
inline std::string caption_text(const std::vector<std::string>& words) {
  std::string s;
  for (const auto& w : words) s += (s.empty() ? "" : " ") + w;
  return s;
}

// The concept detector's loss: binary cross-entropy with logits between `scores` [B, V] (an
// image's score per word) and each image's bag of word ids, summed over the words (the special
// ids' scores are left out) and averaged over the images.
Tensor concept_loss(const Tensor& scores, const std::vector<std::vector<int64_t>>& bags);

class Captioner : public nn::Module {
 public:
  Captioner(const CaptionerConfig& cfg, data::Vocab vocab, Rng& rng);
  std::string type_name() const override { return "Captioner"; }
  std::string model_type() const { return "caption-" + cfg_.attention; }
  std::string config_json() const;  // {"model": config, "vocab": [...]}
  // FormatError naming the file for checkpoints of other models.
  static std::unique_ptr<Captioner> load(const std::string& path);

  const CaptionerConfig& config() const { return cfg_; }
  const data::Vocab& vocab() const { return vocab_; }

  // [n, 3, S, S]: each image resized (bilinear) to the model's side and normalised.
  Tensor image_tensor(const std::vector<const data::Image*>& images) const;
  CaptionBatch make_batch(const std::vector<const data::Image*>& images,
                          const std::vector<std::vector<std::string>>& captions) const;
  CaptionOutput forward(const CaptionBatch& b);
  // Hard attention in training: read the expected context (alpha-weighted, as soft attention)
  // instead of a sampled cell. Xu et al. 2015 (section 4.1) do so with probability 0.5 per step
  // of training: the scorer then gets a direct gradient besides REINFORCE's. No effect otherwise.
  void use_expected_location(bool on) { hard_expected_ = on; }

  // Decoding (eval mode, no gradients), one result per image: greedy for beam 1 (the images
  // batched), else beam search with `beam` hypotheses per image whose beam shrinks as hypotheses
  // end (as Xu et al.'s released decoder does), scored by the sum of log-probabilities; the best
  // ended hypothesis wins, with the alpha (and beta) of its own steps. Beam 1 is greedy exactly.
  // <pad>, <unk> and <bos> are never written.
  std::vector<GeneratedCaption> generate(const std::vector<const data::Image*>& images, int64_t beam = 1);
  // One image's beam search (what generate() runs per image for beam > 1; width 1 gives greedy's
  // caption by the beam code path). `ended`, when given, receives every hypothesis that ended
  // (each with its own steps' alpha and beta), the winner among them.
  GeneratedCaption beam_search(const data::Image& image, int64_t beam, std::vector<GeneratedCaption>* ended = nullptr);
  // The trace of one image's caption: sequences "target" (words + <eos>) and "image" (the grid),
  // layer "decoder.cross" (none: no layers), the image's pixels, meta model/task/caption (and
  // beam when > 1: the chosen hypothesis is replayed with the recorder on).
  io::Trace trace(const data::Image& image, int64_t beam = 1);
  // The trace of a given caption, teacher-forced (then <eos> when `eos`): one row per word, the
  // same rows whatever the model would write (focus snapshots follow one fixed example).
  io::Trace trace_caption(const data::Image& image, const std::vector<std::string>& words, bool eos = true);

 private:
  struct Features {
    Tensor cells;  // [B, K, C]
    Tensor mean;   // [B, C]
    Tensor pixels;  // [B, K, C] keys "pixels": what each cell's own pixels hold (else undefined)
  };
  Features encode(const Tensor& images);
  // One decoder step: attention, LSTM, logits [B, 1, V]; alpha/beta/log_prob/entropy of the step.
  struct State {
    Tensor h, c;        // [1, B, H]
    Tensor regions;     // [B, K, D] what attention reads (C, or H for adaptive)
    Tensor keys;        // [B, K, A] the attention's projection of the regions, once per image
    Tensor mean;        // [B, C]
    Tensor where;       // [B, 1, 2] where the previous step looked: alpha-weighted cell (x, y)
    Tensor last, covered;  // [B, K, 1] location-aware: the previous step's alpha, and the sum of all before
    Tensor context;        // [B, 1, C] feed_context: the previous step's gated context
  };
  struct Step {
    Tensor logits, alpha, beta, log_prob, entropy;
  };
  // emb: prev's embeddings [B, 1, E] when the caller has them (teacher forcing embeds every
  // input word in one call, so the embedding's gradient is scattered once, not once per word).
  Step step(State& st, const std::vector<int64_t>& prev, int64_t t, const Tensor& emb = {});
  State start(const Features& f);
  // Runs the decoder along `ids` (words, then <eos> if it ended so) for one image: the recorder
  // sees exactly that hypothesis's steps.
  void replay(const data::Image& image, const std::vector<int64_t>& ids);
  void attach(attention::Recorder* rec);

  CaptionerConfig cfg_;
  data::Vocab vocab_;
  std::shared_ptr<nn::Conv2d> conv1_, conv2_, conv3_, conv4_;
  Tensor positions_;  // [1, K, C]
  Tensor coords_;     // [K, 2] cell centres in [-1, 1] (a constant)
  std::shared_ptr<nn::LayerNorm> norm_;
  // keys "pixels": a 1x1 convolution 3 -> C/2, averaged per cell, then C/2 -> C, a position, a norm.
  std::shared_ptr<nn::Conv2d> pixel_conv_;
  std::shared_ptr<nn::Linear> pixel_proj_;
  Tensor pixel_positions_;  // [1, K, C]
  std::shared_ptr<nn::LayerNorm> pixel_norm_;
  std::shared_ptr<nn::Embedding> embed_;
  std::shared_ptr<nn::LSTM> lstm_;
  std::shared_ptr<nn::Linear> init_h_, init_c_, gate_, sentinel_x_, sentinel_h_, region_proj_, out_;
  std::shared_ptr<nn::Linear> location_in_, location_out_;  // location-aware: [last, covered] -> a score per cell
  std::shared_ptr<nn::Linear> concept_;                      // concepts: a cell's feature -> a score per word
  std::shared_ptr<attention::SoftAttention> soft_;
  std::shared_ptr<attention::HardAttention> hard_;
  std::shared_ptr<attention::SentinelAttention> sentinel_;
  std::shared_ptr<nn::Dropout> dropout_;
  bool hard_expected_ = false;
};

}  // namespace attnscope::models
