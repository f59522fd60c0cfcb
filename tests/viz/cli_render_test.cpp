// The render and animate verbs end to end through the built binary: outputs as asked, bad
// input -> one line on stderr, exit 2 for bad options, 1 for bad files, no partial output.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "attnscope/core/fs.h"
#include "attnscope/io/trace_io.h"
#include "fixtures.h"
#include "viz_test_util.h"

using namespace attnscope;

namespace {
const std::string kBin = std::string(ATTNSCOPE_BINARY_DIR) + "/attnscope";

struct CliRun {
  int code = -1;
  std::string err, out;
};

CliRun run(const std::string& args) {
  // Per process: ctest runs the tests of this file in parallel.
  const std::string errf = fixture::out_path("cli_stderr_" + std::to_string(::getpid()) + ".txt");
  const std::string outf = fixture::out_path("cli_stdout_" + std::to_string(::getpid()) + ".txt");
  const int rc = std::system((kBin + " " + args + " 2> " + errf + " > " + outf).c_str());
  CliRun r;
  r.code = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  r.err = read_file(errf);
  r.out = read_file(outf);
  std::filesystem::remove(errf);  // one pair per process, not one per run left in the build dir
  std::filesystem::remove(outf);
  return r;
}

std::string trace_file() {
  const std::string path = fixture::out_path("cli_" + std::to_string(::getpid()) + ".attn.safetensors");
  io::Trace t = fixture::self_trace(10, 2, 2);
  io::write_trace(t, path);
  return path;
}
}  // namespace

TEST(CliRender, PicturesAndAnimations) {
  if (!std::filesystem::exists(kBin)) GTEST_SKIP() << "attnscope binary not built";
  const std::string tr = trace_file();
  for (const char* view : {"heatmap", "head", "model"}) {
    const std::string out = fixture::out_path(std::string("cli_") + view + ".svg");
    // The model view draws every layer and head: it takes no --layer/--head.
    CliRun r = run("render " + tr + " --view " + view + (std::string(view) == "model" ? "" : " --layer 1 --head 0") + " -o " + out);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(fixture::xml_problem(read_file(out)), "") << view;
  }
  // --vmax / --scale reach every picture.
  for (const char* view : {"heatmap", "model"}) {
    const std::string out = fixture::out_path(std::string("cli_scaled_") + view + ".svg");
    CliRun r = run("render " + tr + " --view " + view + " --vmax 0.25 --scale linear -o " + out);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(fixture::xml_problem(read_file(out)), "") << view;
  }
  const std::string gif = fixture::out_path("cli.gif");
  CliRun r = run("animate " + tr + " --layer 0 --head mean --fps 5 --per-token 0.2 --hold 1 --size 320x200 -q -o " + gif);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(read_file(gif).substr(0, 6), "GIF89a");
}

// Issue 16 item 8: an animation's length is bounded and checked before anything is drawn (the
// same line for token and training animations, exit 2), not a million frames encoded for hours.
TEST(CliRender, OverlongAnimationsAreRefusedBeforeAnyWork) {
  if (!std::filesystem::exists(kBin)) GTEST_SKIP() << "attnscope binary not built";
  const std::string tr = trace_file();
  const std::string gif = fixture::out_path("too_long.gif"), dir = fixture::out_path("too_long_frames/");
  std::filesystem::remove(gif);
  std::filesystem::remove_all(dir);
  const auto t0 = std::chrono::steady_clock::now();
  for (const std::string& args :
       {"animate " + tr + " --per-token 600 --fps 50 -o " + gif,         // 10 tokens: 300,000 frames
        "animate " + tr + " --per-token 200 --fps 1 -o " + dir,          // 2,000 frames but 2,002 s
        "animate " + tr + " " + tr + " " + tr + " --per-token 600 --hold 1 -o " + gif}) {  // 3 snapshots: 1,801 s
    CliRun r = run(args);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.err;
    EXPECT_NE(r.err.find("the limit is 10000 frames and 1800 s"), std::string::npos) << r.err;
    EXPECT_EQ(fixture::count(r.err, "\n"), 1u) << r.err;
  }
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 10.0);
  EXPECT_FALSE(std::filesystem::exists(gif));
  EXPECT_FALSE(std::filesystem::exists(dir));
}

// Issue 16 item 5: SIGTERM (or Ctrl-C) during `animate` left out.gif.tmp.PID, and with -o DIR/
// a .tmp frame and no frames.json. The temporary file and the unfinished frame sequence are
// removed (core/interrupt_cleanup.h) and the process still ends by the signal.
namespace {
pid_t spawn_quiet(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  return rc == 0 ? pid : -1;
}
// Waits (at most 60 s) until `ready` holds; false on timeout.
template <class F>
bool wait_for(F ready) {
  for (int i = 0; i < 6000; ++i) {
    if (ready()) return true;
    ::usleep(10000);
  }
  return false;
}
bool has_tmp(const std::filesystem::path& dir, const std::string& stem) {
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().filename().string().rfind(stem, 0) == 0 && e.path().filename().string().find(".tmp") != std::string::npos)
      return true;
  return false;
}
}  // namespace

TEST(CliRender, InterruptedAnimationLeavesNoFiles) {
  if (!std::filesystem::exists(kBin)) GTEST_SKIP() << "attnscope binary not built";
  const std::filesystem::path dir = fixture::out_path("interrupt_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string tr = (dir / "long.attn.safetensors").string();
  io::write_trace(fixture::self_trace(200, 1, 1), tr);  // 5,000 frames at 50 fps: a minute or more
  const std::string gif = (dir / "out.gif").string(), frames = (dir / "frames/").string();
  for (const std::string& out : {gif, frames}) {
    const pid_t pid = spawn_quiet({kBin, "animate", tr, "--fps", "50", "--size", "1600x1200", "-q", "-o", out});
    ASSERT_GT(pid, 0);
    // Interrupt mid-write: once the GIF's temporary file or the third frame exists.
    const bool started = wait_for([&] {
      return out == gif ? has_tmp(dir, "out.gif") : std::filesystem::exists(dir / "frames" / "frame_00002.png");
    });
    ::kill(pid, SIGTERM);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(started) << out << ": the animation never started writing";
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) << out << " status " << status;
    EXPECT_FALSE(has_tmp(dir, "out.gif")) << out;
    EXPECT_FALSE(std::filesystem::exists(gif)) << out;
    EXPECT_FALSE(std::filesystem::exists(dir / "frames")) << "an unfinished frame sequence stays behind";
  }
}

// Issue 16 item 9: render expanded a top-k layer to [Q, N] f32 (20k tokens: 1.6 GB, 6.8 s for
// an 800 px picture). Heatmaps are drawn from the sparse rows at the output resolution.
TEST(CliRender, TopkHeatmapOf20kTokensRendersInBoundedMemory) {
  if (!std::filesystem::exists(kBin)) GTEST_SKIP() << "attnscope binary not built";
  const int64_t T = 20000;
  io::Trace t;
  t.sequences.push_back({"tokens", fixture::words(T), 0, 0});
  io::TraceLayer L;
  L.name = "layer.0";
  L.query_seq = L.key_seq = "tokens";
  L.queries = L.keys = T;
  L.keep = io::TraceKeep::topk;
  L.k = 2;
  for (int64_t q = 0; q < T; ++q) {  // the token itself and the first one
    L.topk_index.insert(L.topk_index.end(), {static_cast<int32_t>(q), q > 0 ? 0 : -1});
    L.topk_weight.insert(L.topk_weight.end(), {q > 0 ? 0.75f : 1.0f, q > 0 ? 0.25f : 0.0f});
  }
  t.layers.push_back(std::move(L));
  const std::string tr = fixture::out_path("topk20k_" + std::to_string(::getpid()) + ".attn.safetensors");
  io::write_trace(t, tr);
  const std::string png = fixture::out_path("topk20k.png");
  CliRun r = run("render " + tr + " -o " + png);
  ASSERT_EQ(r.code, 0) << r.err;
  struct rusage ru{};
  ::getrusage(RUSAGE_CHILDREN, &ru);
  EXPECT_LT(ru.ru_maxrss, 300 * 1024) << "KiB: render densified the top-k layer";  // 1.6 GB before
  EXPECT_GT(fixture::load_png(png).width, 800);
  std::filesystem::remove(tr);
}

// Issue 16 item 10 (the minimum): a stats-only trace gets the same line and exit code from every
// verb that needs weights (the model view said something else, with exit 1).
TEST(CliRender, StatsOnlyTracesGetOneMessageEverywhere) {
  if (!std::filesystem::exists(kBin)) GTEST_SKIP() << "attnscope binary not built";
  io::Trace t = fixture::self_trace(6, 1, 2);
  io::TraceLayer& L = t.layers[0];
  L.keep = io::TraceKeep::stats;
  L.weights.clear();
  L.entropy.assign(12, 1.0f);
  L.max_weight.assign(12, 0.5f);
  L.argmax.assign(12, 0);
  const std::string tr = fixture::out_path("stats_" + std::to_string(::getpid()) + ".attn.safetensors");
  io::write_trace(t, tr);
  const std::string png = fixture::out_path("stats.png");
  // render draws the statistics (the heatmap view of a stats-only layer, one head, the mean or all).
  for (const std::string& args : {"render " + tr + " -o " + png, "render " + tr + " --head all -o " + png,
                                  "render " + tr + " --head 1 --view stats -o " + png}) {
    std::filesystem::remove(png);
    CliRun r = run(args);
    EXPECT_EQ(r.code, 0) << args << "\n" << r.err;
    EXPECT_GT(fixture::load_png(png).width, 100) << args;
  }
  // What needs weights says so in the one line every view gives.
  for (const std::string& args : {"render " + tr + " --view model -o " + png, "render " + tr + " --view head -o " + png,
                                  "animate " + tr + " -o " + fixture::out_path("stats.gif")}) {
    CliRun r = run(args);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.err;
    EXPECT_NE(r.err.find("kept only row statistics"), std::string::npos) << args << "\n" << r.err;
    EXPECT_EQ(fixture::count(r.err, "\n"), 1u) << r.err;
  }
  // `show` prints the statistics themselves: one line per query with entropy, max weight, argmax.
  CliRun r = run("show " + tr + " --no-color");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("row statistics"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  1.000      0.5000  0 "), std::string::npos) << r.out;
  EXPECT_EQ(fixture::count(r.out, "\n"), 2u + 6u) << r.out;
  std::filesystem::remove(tr);
}

TEST(CliRender, BadInputIsOneLineAndNoOutput) {
  if (!std::filesystem::exists(kBin)) GTEST_SKIP() << "attnscope binary not built";
  const std::string tr = trace_file();
  const std::string out = fixture::out_path("cli_bad.png");
  std::filesystem::remove(out);
  struct Case {
    std::string args;
    int code;
    std::string says;
  };
  const std::string truncated = fixture::out_path("cli_truncated.attn.safetensors");
  const std::string bytes = read_file(tr);
  write_file_atomic(truncated, bytes.substr(0, bytes.size() / 2));
  const Case cases[] = {
      {"render " + tr + " --cmap jet -o " + out, 2, "unknown colour map 'jet'"},
      {"render " + tr + " --layer 5 -o " + out, 2, "out of range"},
      {"render " + tr + " --head 9 -o " + out, 2, "out of range"},
      {"render " + tr + " -o " + fixture::out_path("x.bmp"), 2, ".png, .svg or .pdf"},
      {"render " + truncated + " -o " + out, 1, "cli_truncated"},
      {"render /nonexistent.attn.safetensors -o " + out, 1, "nonexistent"},
      {"animate " + tr + " --size 12x -o " + fixture::out_path("x.gif"), 2, "WxH"},
      {"animate " + tr + " -o " + fixture::out_path("x.avi"), 2, "NAME.gif"},
      {"animate " + tr + " --fps 60 -o " + fixture::out_path("x.gif"), 2, "20 ms"},
      {"animate " + tr + " --training -o " + fixture::out_path("x.gif"), 1, "snapshots"},
      {"render " + tr + " --scale log -o " + out, 2, "unknown colour scale 'log' (expected linear or sqrt)"},
      {"render " + tr + " --vmax 0 -o " + out, 2, "--vmax"},
      {"animate " + tr + " --scale cubic -o " + fixture::out_path("x.gif"), 2, "unknown colour scale"},
  };
  for (const Case& c : cases) {
    CliRun r = run(c.args);
    EXPECT_EQ(r.code, c.code) << c.args << "\n" << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << c.args << "\n" << r.err;
    EXPECT_EQ(fixture::count(r.err, "\n"), 1u) << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(out));
  EXPECT_FALSE(std::filesystem::exists(fixture::out_path("x.gif")));
}

// Issue 16: `animate A B` drew traces of another model or another text as training snapshots.
TEST(CliRender, AnimateRefusesTracesOfAnotherRun) {
  if (!std::filesystem::exists(kBin)) GTEST_SKIP() << "attnscope binary not built";
  const std::string a = fixture::out_path("run_a.attn.safetensors"), other_text = fixture::out_path("run_b.attn.safetensors"),
                    other_model = fixture::out_path("run_c.attn.safetensors"), gif = fixture::out_path("runs.gif");
  io::write_trace(fixture::self_trace(6, 2, 2, 1), a);
  io::Trace t = fixture::self_trace(6, 2, 2, 5);
  t.sequences[0].tokens[0] = "a";
  io::write_trace(t, other_text);
  io::write_trace(fixture::self_trace(6, 2, 4, 5), other_model);
  for (const auto& [other, says] : {std::pair{other_text, "the text differs"}, std::pair{other_model, "the model differs"}}) {
    std::filesystem::remove(gif);
    const CliRun r = run("animate " + a + " " + other + " -q -o " + gif);
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_NE(r.err.find("is not a training snapshot of the run of"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(says), std::string::npos) << r.err;
    EXPECT_EQ(fixture::count(r.err, "\n"), 1u) << r.err;
    EXPECT_FALSE(std::filesystem::exists(gif));
  }
  io::write_trace(fixture::self_trace(6, 2, 2, 9), other_text);  // the same run, later
  EXPECT_EQ(run("animate " + a + " " + other_text + " -q -o " + gif).code, 0);
}
