// Recorder: the seam through which every attention mechanism reports the weights it computed
// (seam 2/3 in docs/ARCHITECTURE.md). Models, translation, captioning and the viewer all inspect
// attention through it, without any change to model code (like TransformerLens hooks, but for
// every mechanism, not only dot-product heads).
//
// How a module uses it
//   Modules derive from Recordable: they hold an optional Recorder* (nullptr = off = zero cost:
//   one pointer test per call, nothing computed or copied) and a site name. A model sets both:
//     mha.set_recorder(&rec, "decoder.0.self");
//   On each call the module hands the recorder a Site (name, mechanism, kind, which sequences,
//   where the query rows sit) and its weights [B, H, T, N] (or [T, N] / [H, T, N]), plus extras:
//   gate values, span lengths, bias matrices, hard samples.
//
// What is kept (Keep, chosen by the user; spelled like the CLI flag --capture dense|topk:K|stats)
//   dense   every weight                                   [B, H, T, N]
//   topk:K  the K largest positive weights per query row   [B, H, T, K] index + weight
//   stats   per-row entropy (nats), max weight, argmax     [B, H, T]
//   Row statistics are kept in every mode (they are cheap), lse when the mechanism has one.
//   Top-k rows are ordered by descending weight, ties to the lower key; slots past the row's
//   positive weights hold index -1, weight 0 (masked, padded or sparse-zero keys never appear).
//
// Names, steps and merging
//   Site::name is the attention site ("encoder.1.self", "decoder.0.cross", "attn"); a head is a
//   row of H, a decoding step is a call with Site::query_offset = step position. to_trace()
//   merges all calls with the same name into one io::TraceLayer: rows land at their query
//   positions (query_offset + t), columns at key_offset + n; the layer is as large as the union.
//   So step-by-step decoding with a KV cache produces the same trace as one full forward.
//   Extras merge the same way along their query dimension (Extra::query_dim).
//
// Kernel capture (seam 3)
//   The fused kernel writes straight into a record's buffers: open() allocates a Record sized
//   for the keep mode and returns it; the caller points kernels::AttentionCapture at its vectors,
//   runs the kernel, then calls finish() (fills stats from dense/top-k when the kernel did not).
//   attention::KernelCapture (kernel_capture.h) does these steps for every kernel caller: the
//   trainable layers and the imported models record the same way.
//
// Thread safety: record()/open() may be called from several threads (a mutex guards the list);
// a Record returned by open() is owned by the caller until finish().
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "attnscope/io/trace.h"
#include "attnscope/tensor/tensor.h"

namespace attnscope::attention {

// What the user asks to keep: a weight mode ("dense", "topk:K", "stats"), optionally followed
// by comma-separated additions: "qk" (each head's query and key vectors, the neuron view's,
// as layer extras "query"/"key") and "next:K" (a decoder's K most probable next tokens per
// position, io::TracePredictions). E.g. "dense,qk,next:5"; a list without a mode means dense.
struct Keep {
  io::TraceKeep mode = io::TraceKeep::dense;
  int k = 0;  // topk only
  bool qk = false;  // record query/key vectors (sites that have them)
  int next = 0;     // next-token candidates per position (0: none)
  static Keep dense() { return {io::TraceKeep::dense, 0}; }
  static Keep topk(int k);
  static Keep stats() { return {io::TraceKeep::stats, 0}; }
  // Parses the --capture spelling; throws ConfigError naming the bad text.
  static Keep parse(std::string_view text);
  std::string str() const;
};

// The nature of the weights a mechanism produced.
enum class WeightKind : uint8_t {
  soft,    // a dense distribution (softmax family)
  sparse,  // a distribution with exact zeros (sparsemax, entmax, top-k renormalized)
  hard,    // a one-hot selection (argmax, sampled)
};
const char* weight_kind_name(WeightKind k);

// Where a call happened and what it computed.
struct Site {
  std::string name{};               // "decoder.0.cross"
  std::string mechanism{};          // "scaled_dot", "additive", "sparsemax", "hard_sample", ...
  WeightKind kind = WeightKind::soft;
  std::string query_seq = "tokens";  // io::TraceSequence names
  std::string key_seq = "tokens";
  int64_t query_offset = 0;  // position of query row 0 in the query sequence (decoding step)
  int64_t key_offset = 0;    // position of key column 0 in the key sequence
};

// A mechanism-specific array: gate values, spans, bias matrices, hard samples.
struct Extra {
  std::vector<int64_t> shape;  // full shape, batch first when `batched`
  std::vector<float> values;
  bool batched = false;        // dim 0 is the batch (to_trace keeps one batch item)
  int query_dim = -1;          // dim (counted after the batch dim) indexed by query row, or -1
  // From a tensor (any dtype, any strides).
  static Extra of(const Tensor& t, bool batched, int query_dim = -1);
};
using Extras = std::map<std::string, Extra>;

// One call's record. Buffer shapes use the call's B, H, T, N.
struct Record {
  Site site;
  int64_t B = 1, H = 1, T = 0, N = 0;
  Keep keep;
  std::vector<float> dense;           // [B, H, T, N]   keep dense
  std::vector<int32_t> topk_index;    // [B, H, T, k]   keep topk (column index in [0, N))
  std::vector<float> topk_weight;     // [B, H, T, k]
  std::vector<float> entropy;         // [B, H, T]      every mode
  std::vector<float> max_weight;      // [B, H, T]
  std::vector<int32_t> argmax;        // [B, H, T]      -1 for a row with no positive weight
  std::vector<float> lse;             // [B, H, T]      when the mechanism has one, else empty
  Extras extras;
};

class Recorder {
 public:
  explicit Recorder(Keep keep = Keep::dense()) : keep_(keep) {}
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  const Keep& keep() const { return keep_; }
  // Pausing keeps the recorder attached but makes record() a no-op (e.g. during warm-up).
  void set_paused(bool p) { paused_ = p; }
  bool paused() const { return paused_; }

  // Records weights [B, H, T, N], [H, T, N] or [T, N] (rows over valid keys sum to 1 for soft
  // and sparse kinds; masked keys hold 0). lse, when given, is [B, H, T] (same leading dims).
  // Throws ValueError naming the site and shape if a weight is negative or not finite.
  void record(const Site& site, const Tensor& weights, Extras extras = {}, const Tensor& lse = {});

  // Capture seam: a record with buffers allocated for the keep mode (dense or top-k buffers,
  // stats buffers, lse), to be filled by a kernel, then handed to finish().
  Record& open(const Site& site, int64_t B, int64_t H, int64_t T, int64_t N);
  // Completes a record filled by a kernel: derives the stats (entropy from dense or, for top-k,
  // from the kept weights; max/argmax) when the kernel left them empty.
  void finish(Record& r);

  const std::deque<Record>& records() const { return records_; }
  size_t size() const { return records_.size(); }
  void clear();

  // Sequences (tokens) and metadata copied into traces.
  void set_sequence(io::TraceSequence seq);
  std::map<std::string, std::string>& meta() { return meta_; }

  // The trace of one batch item: one layer per site name (first-seen order), calls merged by
  // query/key position. Throws ConfigError for a batch index out of range or inconsistent calls
  // under one name (different keep modes / head counts).
  // Sequences a layer names but set_sequence() did not provide are synthesized with position
  // labels ("0", "1", ...); a provided sequence longer than the recorded rows/columns extends
  // the layer (unrecorded rows are empty: zero weights, argmax -1).
  io::Trace to_trace(int64_t batch = 0) const;
  // Writes to_trace(batch) as a trace file (NAME.attn.safetensors, docs/TRACE_FORMAT.md),
  // atomically; throws the io layer's errors (validation names the layer and field).
  void write(const std::string& path, int64_t batch = 0, bool f16_weights = true) const;

 private:
  Keep keep_;
  bool paused_ = false;
  std::deque<Record> records_;  // deque: references returned by open() stay valid
  std::vector<io::TraceSequence> sequences_;
  std::map<std::string, std::string> meta_;
  mutable std::mutex mu_;
};

// Mixin for modules that report to a recorder. Off by default.
class Recordable {
 public:
  void set_recorder(Recorder* r, std::string name) {
    recorder_ = r;
    record_name_ = std::move(name);
  }
  // The io::TraceSequence names the recorded rows and columns index (e.g. an encoder's
  // self-attention: "source", "source"); empty keeps the module's defaults.
  void set_sequences(std::string query_seq, std::string key_seq) {
    query_seq_ = std::move(query_seq);
    key_seq_ = std::move(key_seq);
  }
  Recorder* recorder() const { return recorder_; }
  const std::string& record_name() const { return record_name_; }
  // True when a call should be recorded.
  bool recording() const { return recorder_ && !recorder_->paused(); }

 protected:
  // The sequence name to record: the one set, else the module's default.
  std::string query_seq_or(const char* fallback) const { return query_seq_.empty() ? fallback : query_seq_; }
  std::string key_seq_or(const char* fallback) const { return key_seq_.empty() ? fallback : key_seq_; }
  Recorder* recorder_ = nullptr;
  std::string record_name_ = "attn";
  std::string query_seq_, key_seq_;
};

// Row statistics of a weight row (length n): entropy in nats over positive weights, max weight,
// first argmax (-1 when no weight is positive). Shared with tests and the top-k path.
void row_stats(const float* w, int64_t n, float* entropy, float* max_weight, int32_t* argmax);
// The k largest positive weights of a row, descending, ties to the lower index; -1/0 padding.
void row_topk(const float* w, int64_t n, int k, int32_t* index, float* weight);

}  // namespace attnscope::attention
