// Building a trace from attention weights computed elsewhere: an array [layers, heads, queries,
// keys] (NumPy .npy / .npz, any float type) and the tokens as JSON — a list of strings for
// self-attention, or {"queries": [...], "keys": [...]} for cross-attention (optional
// "query_name" / "key_name" name the two sequences, e.g. "target" / "source").
#pragma once
#include <map>
#include <span>
#include <string>
#include <vector>

#include "attnscope/io/npz.h"
#include "attnscope/io/trace.h"

namespace attnscope::io {

struct TraceImportOptions {
  std::string mechanism;          // recorded per layer, e.g. "scaled_dot"
  std::string array;              // .npz member to use (default: the only one, or "attn")
  std::map<std::string, std::string> meta;
};

// `shape` has rank 2 ([queries, keys]), 3 ([heads, queries, keys]) or 4 ([layers, heads, queries,
// keys]); `tokens_json` as above. ShapeError when the array disagrees with the tokens, naming
// both counts; FormatError for malformed tokens JSON; ValueError for non-finite weights.
Trace trace_from_attention(std::span<const int64_t> shape, std::span<const float> weights, const std::string& tokens_json,
                           const TraceImportOptions& opt = {});
// Reads ATTN (.npy, or .npz with opt.array) and TOKENS.json, then as above. Errors name the files.
Trace import_trace(const std::string& attn_path, const std::string& tokens_path, const TraceImportOptions& opt = {});

// Everything a trace can hold (several sequences, image grids, generation steps, training
// snapshots, an embedded image): `description_json` is a trace description in the form of
// docs/TRACE_FORMAT.md whose layers name arrays instead of tensors — per layer "array" (an
// array's name; may be omitted when there is one array) and optional "index" (an integer or a
// list of them, picking leading dimensions, e.g. layer 2 of an [L, H, Q, K] array) leading to
// [heads, queries, keys] or [queries, keys] weights; "heads"/"queries"/"keys" are taken from the
// array, "name" defaults to "layer.<i>"; "image": {"array": NAME} embeds u8 pixels. The result
// is validated as a trace file is on reading (one rule: io::parse_trace). opt.meta is merged
// into the description's "meta" (opt wins); opt.mechanism fills layers that name none.
Trace trace_from_description(const std::string& description_json, const NpzArrays& arrays, const TraceImportOptions& opt = {});
// Reads ARRAYS (.npz, or one .npy whose array is named after the file's stem) and the description.
Trace import_described_trace(const std::string& arrays_path, const std::string& description_path,
                             const TraceImportOptions& opt = {});

}  // namespace attnscope::io
