// Trace: the in-memory form of an attention trace file (NAME.attn.safetensors), the single
// exchange format between running a model and looking at it (seam 4 in docs/ARCHITECTURE.md).
// Everything that shows or analyses attention (focus/, viz/, serve/) reads a Trace, so every
// view works for every model and for traces written by other frameworks.
// The on-disk format is specified in docs/TRACE_FORMAT.md; io/trace_io.h reads and writes it.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace attnscope::io {

// A named token sequence that attention reads from or writes to ("tokens" for self-attention,
// "source"/"target" for encoder-decoder, "image" for a grid of image regions).
struct TraceSequence {
  std::string name;
  std::vector<std::string> tokens;  // for an image: region labels "r,c" (grid_h * grid_w of them)
  int64_t grid_h = 0, grid_w = 0;   // > 0 for an image grid
  // Optional sentence-pair segments (BERT's token types): one id per token, 0 for sentence A,
  // 1 for B (a few more are allowed); empty = one segment. Views split the sequence at changes.
  std::vector<int32_t> segments = {};  // "= {}": brace-initialised sequences may leave it out
};

// How much of each attention row was kept.
enum class TraceKeep { dense, topk, stats };

// One attention site: a layer's self- or cross-attention (or one decoding mechanism).
struct TraceLayer {
  std::string name;          // e.g. "encoder.0.self", "decoder.2.cross", "attn"
  std::string query_seq;     // name of the TraceSequence on the query side
  std::string key_seq;       // name of the TraceSequence on the key side
  std::string mechanism;     // e.g. "scaled_dot", "additive", "sparsemax", "hard_sample"
  int64_t heads = 1, queries = 0, keys = 0;
  TraceKeep keep = TraceKeep::dense;
  // keep == dense: weights [heads, queries, keys], rows sum to 1 over the attended keys.
  std::vector<float> weights;
  // keep == topk: per (head, query) the k largest weights, descending; index -1 pads short rows.
  int64_t k = 0;
  std::vector<int32_t> topk_index;  // [heads, queries, k]
  std::vector<float> topk_weight;   // [heads, queries, k]
  // Row statistics, present for keep == stats (optional otherwise): each [heads, queries].
  std::vector<float> lse, entropy, max_weight;
  std::vector<int32_t> argmax;
  // Mechanism extras with their shapes, e.g. "sentinel_beta" [queries],
  // "span" [heads], "hard_sample" [heads, queries], "bias" [heads, queries, keys]; and the neuron
  // view's "query" [heads, queries, D] and "key" [heads, keys, D] (the vectors whose scaled dot
  // product is the score, as the kernel saw them: after RoPE; --capture ...,qk).
  struct Extra {
    std::vector<int64_t> shape;
    std::vector<float> values;
  };
  std::map<std::string, Extra> extras;
};

// Optional image pixels embedded in the trace: u8, row-major [height, width, channels],
// channels 1 (grey), 3 (RGB) or 4 (RGBA).
struct TraceImage {
  int64_t height = 0, width = 0, channels = 0;
  std::vector<uint8_t> pixels;
  bool empty() const { return pixels.empty(); }
};

// Optional next-token predictions of a language model over one sequence (Ecco's view): per
// position q, the k most probable next tokens and where the token that actually follows
// (position q + 1, or the generated one) ranks. Shapes: [Q, k] and [Q], Q the sequence's length.
struct TracePredictions {
  std::string seq;                  // the sequence the positions index ("tokens")
  int64_t k = 0;                    // candidates per position
  std::vector<std::string> labels;  // [Q, k] display text of each candidate, most probable first
  std::vector<int32_t> index;       // [Q, k] their token ids
  std::vector<float> prob;          // [Q, k] their probabilities (softmax of the logits), descending
  std::vector<float> target_prob;   // [Q] probability of the token that follows (0 when none)
  std::vector<int32_t> target_rank; // [Q] its rank, 1 = most probable; 0 when no token follows
  bool empty() const { return seq.empty(); }
};

// Attention at one training step (focus across training): the trace's sequences, with layers
// shaped like the trace's own. Animations show one frame per snapshot.
struct TraceSnapshot {
  std::string label;  // e.g. "epoch 3"
  int64_t step = 0;   // training step
  std::vector<TraceLayer> layers;
};

// A whole trace: sequences, attention sites, and free-form metadata (model, step, ...).
struct Trace {
  std::vector<TraceSequence> sequences;
  std::vector<TraceLayer> layers;
  std::map<std::string, std::string> meta;  // "model", "task", "step", "source_text", ...
  std::string image_path;                   // optional: the image an "image" sequence covers
  // Optional generation order: step s produced query position steps[s] (animations play it).
  std::vector<int64_t> steps;
  TraceImage image;                       // optional embedded pixels (image_path may be set too)
  std::vector<TraceSnapshot> snapshots;   // optional, in training order
  TracePredictions predictions;           // optional (decoders, --capture ...,next:K)

  const TraceLayer* find_layer(const std::string& name) const {
    for (const auto& l : layers)
      if (l.name == name) return &l;
    return nullptr;
  }

  const TraceSequence* find_sequence(const std::string& name) const {
    for (const auto& s : sequences)
      if (s.name == name) return &s;
    return nullptr;
  }
};

}  // namespace attnscope::io
