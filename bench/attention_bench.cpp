// bench/attention: the fused attention kernel vs the reference GEMM + softmax + GEMM path.
// Batch 1, 12 heads, head_dim 64 and 128, N in {128 ... 8192} (T = N), causal or not, forward and
// forward+backward, each capture mode, f32 and bf16 storage; and KV-cache decoding (T = 1 query
// against N cached keys, causal), where the fused kernel's query tile is mostly padding. Counters per row:
//   GFLOPS    4 B H N^2 d for the forward (halved when causal), x3.5 for forward+backward
//   pct_peak  % of the FP32 FMA peak measured at start-up by bench/peak's function (all threads)
//   extra_MB  scratch the path allocates besides inputs/outputs (+ capture buffers)
// bench/attention.sh runs it and prints the table (with the ratio to the reference) and the
// summary line. Names: attention/<impl>/<dtype>/<pass>/<capture>/hs:<d>/n:<N>/causal:<0|1>.
#include <benchmark/benchmark.h>

#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "attnscope/core/parallel.h"
#include "attnscope/core/rng.h"
#include "attnscope/core/half.h"
#include "attnscope/kernels/attention/flash_attention.h"
#include "attnscope/kernels/isa.h"
#include "peak.h"

namespace {

using namespace attnscope::kernels;

constexpr int64_t kHeads = 12;
double g_peak_gflops = 0;
// --clock=cpu (or ATTNSCOPE_BENCH_CLOCK=cpu): time = process CPU seconds / threads, for a machine
// shared with other jobs (wall time then measures the neighbours). Default: wall time.
bool g_cpu_clock = false;

double process_cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

struct Config {
  bool fused = true, bf16 = false, backward = false, causal = false;
  CaptureMode capture = CaptureMode::none;
  int64_t HS = 64, N = 128;
  int64_t T = 0;  // queries; 0: T = N
};

const char* capture_name(CaptureMode m) {
  switch (m) {
    case CaptureMode::none: return "none";
    case CaptureMode::stats: return "stats";
    case CaptureMode::topk: return "topk8";
    case CaptureMode::dense: return "dense_f16";
  }
  return "?";
}

std::string name(const Config& c) {
  return std::string("attention/") + (c.fused ? "flash" : "ref") + "/" + (c.bf16 ? "bf16" : "f32") + "/" +
         (c.backward ? "fwdbwd" : "fwd") + "/" + capture_name(c.capture) + "/hs:" + std::to_string(c.HS) +
         "/n:" + std::to_string(c.N) + (c.T ? "/t:" + std::to_string(c.T) : std::string()) +
         "/causal:" + std::to_string(c.causal ? 1 : 0);
}

void run(benchmark::State& state, Config cfg) {
  const int64_t N = cfg.N, HS = cfg.HS, T = cfg.T ? cfg.T : N, rows = kHeads * T;
  attnscope::Rng rng(7);
  std::vector<float> q(rows * HS), k(kHeads * N * HS), v(kHeads * N * HS), o(rows * HS), lse(rows), dout(rows * HS);
  for (auto* x : {&q, &k, &v, &dout})
    for (float& e : *x) e = static_cast<float>(rng.normal());
  std::vector<uint16_t> q16(q.size()), k16(k.size()), v16(v.size());
  for (size_t i = 0; i < q.size(); ++i) q16[i] = attnscope::f32_to_bf16(q[i]);
  for (size_t i = 0; i < k.size(); ++i) {
    k16[i] = attnscope::f32_to_bf16(k[i]);
    v16[i] = attnscope::f32_to_bf16(v[i]);
  }
  AttentionBackwardParams p;
  p.B = 1; p.NH = kHeads; p.NKV = kHeads; p.T = T; p.N = N; p.HS = HS;
  p.causal = cfg.causal;
  p.dtype = cfg.bf16 ? StorageType::bf16 : StorageType::f32;
  p.q = cfg.bf16 ? static_cast<const void*>(q16.data()) : q.data();
  p.k = cfg.bf16 ? static_cast<const void*>(k16.data()) : k.data();
  p.v = cfg.bf16 ? static_cast<const void*>(v16.data()) : v.data();
  p.o = o.data();
  p.lse = lse.data();
  std::vector<float> dq(q.size()), dk(k.size()), dv(v.size());
  p.dout = dout.data();
  p.dq = dq.data(); p.dk = dk.data(); p.dv = dv.data();
  set_contiguous_strides(p);

  AttentionCapture cap;
  cap.mode = cfg.capture;
  std::vector<float> s_lse, s_ent, s_max, tk_w;
  std::vector<int32_t> s_arg, tk_i;
  std::vector<uint16_t> dense;
  double capture_bytes = 0;
  if (cfg.capture == CaptureMode::stats) {
    s_lse.resize(rows); s_ent.resize(rows); s_max.resize(rows); s_arg.resize(rows);
    cap.lse = s_lse.data(); cap.entropy = s_ent.data(); cap.max_weight = s_max.data(); cap.argmax = s_arg.data();
    capture_bytes = 16.0 * rows;
  } else if (cfg.capture == CaptureMode::topk) {
    cap.k = 8;
    tk_w.resize(rows * 8); tk_i.resize(rows * 8);
    cap.topk_index = tk_i.data(); cap.topk_weight = tk_w.data();
    capture_bytes = 64.0 * rows;
  } else if (cfg.capture == CaptureMode::dense) {
    dense.resize(static_cast<size_t>(rows * N));
    cap.dense = dense.data();
    cap.dense_type = DenseType::f16;
    capture_bytes = 2.0 * rows * N;
  }

  const double threads = attnscope::num_threads();
  double elapsed = 0;  // seconds on the clock in use, summed over iterations
  for (auto _ : state) {
    const auto w0 = std::chrono::steady_clock::now();
    const double c0 = process_cpu_seconds();
    if (cfg.fused) {
      flash_attention_forward(p, cap);
      if (cfg.backward) flash_attention_backward(p);
    } else {
      attention_ref_forward(p, cap);
      if (cfg.backward) attention_ref_backward(p);
    }
    benchmark::ClobberMemory();
    const double dt = g_cpu_clock ? (process_cpu_seconds() - c0) / threads
                                  : std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
    if (g_cpu_clock) state.SetIterationTime(dt);
    elapsed += dt;
  }

  double flops = 4.0 * kHeads * T * N * HS * (cfg.causal && T == N ? 0.5 : 1.0);
  if (cfg.backward) flops *= 3.5;
  double extra;
  if (cfg.fused) {
    extra = static_cast<double>(flash_attention_workspace_bytes(p, false));
    if (cfg.backward) extra = std::max(extra, static_cast<double>(flash_attention_workspace_bytes(p, true)));
  } else {
    // one head's T x N probabilities (+ dP for the backward) and f32 copies of q, k, v (+ dout)
    extra = 4.0 * T * N * (cfg.backward ? 2 : 1) + 4.0 * (T + 2 * N) * HS * (cfg.backward ? 2 : 1);
  }
  const double gflops = flops * 1e-9 * static_cast<double>(state.iterations()) / elapsed;
  state.counters["GFLOPS"] = gflops;
  state.counters["pct_peak"] = 100.0 * gflops / g_peak_gflops;
  state.counters["extra_MB"] = (extra + capture_bytes) / (1 << 20);
}

void register_all() {
  for (int64_t HS : {64, 128})
    for (int64_t N : {128, 512, 1024, 2048, 4096, 8192})
      for (bool causal : {false, true}) {
        auto add = [&](Config c) {
          c.HS = HS; c.N = N; c.causal = causal;
          auto* b = benchmark::RegisterBenchmark(name(c).c_str(), run, c)->Unit(benchmark::kMillisecond);
          if (g_cpu_clock) b->UseManualTime();
          else b->UseRealTime();
        };
        for (CaptureMode m : {CaptureMode::none, CaptureMode::stats, CaptureMode::topk, CaptureMode::dense}) {
          if (m == CaptureMode::dense && N > 4096) continue;  // 12 x 8192^2 f16 = 1.6 GB of output
          add({.capture = m});
        }
        add({.bf16 = true});
        add({.backward = true});
        add({.fused = false});
        add({.fused = false, .backward = true});
        if (causal && N <= 2048)  // decoding: a few new queries against the cache
          for (int64_t T : {1, 4, 8, 16}) {
            add({.T = T});
            add({.fused = false, .T = T});
          }
      }
}

}  // namespace

int main(int argc, char** argv) {
  if (const char* env = std::getenv("ATTNSCOPE_BENCH_CLOCK")) g_cpu_clock = std::strcmp(env, "cpu") == 0;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--clock=cpu") == 0) g_cpu_clock = true;
    else if (std::strcmp(argv[i], "--clock=wall") == 0) g_cpu_clock = false;
    else argv[kept++] = argv[i];
  }
  argc = kept;
  benchmark::Initialize(&argc, argv);
  const attnscope::bench::Peak pk = attnscope::bench::measure_fp32_peak(0.2, g_cpu_clock);
  g_peak_gflops = pk.all_gflops;
  std::fprintf(stderr, "fp32 fma peak (%s): single-thread %.1f GFLOP/s, %d threads %.1f GFLOP/s; kernels isa %s\n",
               pk.isa.c_str(), pk.single_gflops, pk.threads, pk.all_gflops, isa_name(active_isa()));
  benchmark::AddCustomContext("peak_single_gflops", std::to_string(pk.single_gflops));
  benchmark::AddCustomContext("peak_all_gflops", std::to_string(pk.all_gflops));
  benchmark::AddCustomContext("peak_threads", std::to_string(pk.threads));
  benchmark::AddCustomContext("kernels_isa", isa_name(active_isa()));
  benchmark::AddCustomContext("clock", g_cpu_clock ? "cpu" : "wall");
  register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
