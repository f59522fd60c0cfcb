// Reading and writing trace files (NAME.attn.safetensors), specified in docs/TRACE_FORMAT.md:
// a safetensors file whose __metadata__ key "attnscope.trace" holds a versioned JSON description
// (sequences with their tokens, layers, generation steps, image, snapshots) and whose tensors
// hold the attention: "layers.<i>.weights" [heads, queries, keys] (F16 or F32), or
// "layers.<i>.topk_index" / "layers.<i>.topk_weight" [heads, queries, k], row statistics
// "layers.<i>.{lse,entropy,max_weight,argmax}" [heads, queries], "layers.<i>.extras.<name>",
// "image.pixels" [h, w, c] and "snapshots.<s>.layers.<i>.*".
#pragma once
#include <string>

#include "attnscope/io/safetensors.h"
#include "attnscope/io/trace.h"

namespace attnscope::io {

inline constexpr const char* kTraceMetadataKey = "attnscope.trace";
inline constexpr int kTraceVersion = 1;

struct TraceWriteOptions {
  // Dense weights and top-k weights as F16 (half the bytes; ~3 significant digits, enough to
  // look at) or F32. Statistics and extras are always F32.
  bool f16_weights = true;
};

// Checks the structure: unique names, sequences referenced by layers exist, queries/keys equal
// the referenced sequences' token counts, every array has the size its shape says, top-k
// indices in [-1, keys), weights finite, steps in range, image pixels match their shape.
// Throws ShapeError (sizes disagree) or FormatError (anything else), naming the layer and field.
void validate_trace(const Trace& t);
// The checks of validate_trace for one layer (or snapshot layer) of t: the one rule for a trace
// layer, applied where a trace enters (reading, writing, the viewer, every picture).
void validate_layer(const Trace& t, const TraceLayer& layer);

// Parses a trace from an opened safetensors file (FormatError / ShapeError, prefixed with the
// file name). Validates as validate_trace does.
Trace parse_trace(const SafetensorsFile& file);
Trace read_trace(const std::string& path);
// True when the file's metadata says it is a trace (no validation).
bool is_trace(const SafetensorsFile& file);

// Validates, then builds the safetensors writer / bytes / file (atomic).
SafetensorsWriter trace_writer(const Trace& t, const TraceWriteOptions& opt = {});
std::string serialize_trace(const Trace& t, const TraceWriteOptions& opt = {});
void write_trace(const Trace& t, const std::string& path, const TraceWriteOptions& opt = {});

}  // namespace attnscope::io
