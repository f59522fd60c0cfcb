// A main() for the fuzz targets without libFuzzer (the gcc build and CI have none), in the spirit
// of LLVM's StandaloneFuzzTargetMain: LLVMFuzzerTestOneInput runs over every seed file, then for
// a few seconds over simple mutations of the seeds drawn from a fixed-seed RNG (bit flips, bytes
// set to boundary values, inserted / erased / duplicated ranges, splices of two seeds, ASCII
// numbers replaced by huge ones). It keeps every target building and finds shallow regressions
// under the ASan run; the deep search is libFuzzer's (docs/FUZZING.md).
//
//   fuzz_smoke_<target> [-seconds=S] [-seed=N] [-max_mutate_len=BYTES] FILE_OR_DIR...
//
// A crash leaves the input in ./fuzz-smoke-crash-<target>.bin (written from the signal handler or
// ASan's death callback) so it reproduces as `fuzz_smoke_<target> fuzz-smoke-crash-<target>.bin`.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) void __sanitizer_set_death_callback(void (*)(void));

namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

// The input being run, for the crash handlers (plain globals: read from a signal handler).
const uint8_t* g_input = nullptr;
size_t g_input_size = 0;
char g_crash_path[512] = "fuzz-smoke-crash.bin";

void dump_input() {
  const int fd = ::open(g_crash_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return;
  for (size_t off = 0; off < g_input_size;) {
    const ssize_t n = ::write(fd, g_input + off, g_input_size - off);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  ::close(fd);
  static const char msg[] = "fuzz-smoke: crashing input written to ";
  (void)!::write(2, msg, sizeof msg - 1);
  (void)!::write(2, g_crash_path, std::strlen(g_crash_path));
  (void)!::write(2, "\n", 1);
}

void on_signal(int sig) {
  dump_input();
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

void run(const Bytes& b) {
  g_input = b.data();
  g_input_size = b.size();
  LLVMFuzzerTestOneInput(b.data(), b.size());
}

Bytes read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

class Mutator {
 public:
  Mutator(uint64_t seed, const std::vector<Bytes>& pool) : rng_(seed), pool_(pool) {}

  Bytes next() {
    Bytes b = pool_.empty() ? Bytes{} : pool_[pick(pool_.size())];
    const size_t n = 1 + pick(4);
    for (size_t i = 0; i < n; ++i) mutate(b);
    return b;
  }

 private:
  size_t pick(size_t n) { return n ? std::uniform_int_distribution<size_t>(0, n - 1)(rng_) : 0; }

  void mutate(Bytes& b) {
    switch (pick(b.empty() ? 2 : 9)) {
      case 0: {  // insert random bytes
        const size_t at = pick(b.size() + 1), n = 1 + pick(16);
        Bytes ins(n);
        for (auto& c : ins) c = static_cast<uint8_t>(rng_());
        b.insert(b.begin() + static_cast<ptrdiff_t>(at), ins.begin(), ins.end());
        break;
      }
      case 1: {  // splice: a chunk of another seed
        if (pool_.empty()) break;
        const Bytes& o = pool_[pick(pool_.size())];
        if (o.empty()) break;
        const size_t from = pick(o.size()), n = 1 + pick(std::min<size_t>(o.size() - from, 256));
        const size_t at = pick(b.size() + 1);
        b.insert(b.begin() + static_cast<ptrdiff_t>(at), o.begin() + static_cast<ptrdiff_t>(from),
                 o.begin() + static_cast<ptrdiff_t>(from + n));
        break;
      }
      case 2: b[pick(b.size())] ^= static_cast<uint8_t>(1u << pick(8)); break;
      case 3: b[pick(b.size())] = static_cast<uint8_t>(rng_()); break;
      case 4: {  // a boundary value as a little-endian integer of 1, 2, 4 or 8 bytes
        static const uint64_t kValues[] = {0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0xFFFF, 0x7FFFFFFF,
                                           0xFFFFFFFF, 0x80000000, uint64_t(1) << 40, ~uint64_t(0)};
        const uint64_t v = kValues[pick(std::size(kValues))];
        const size_t width = size_t(1) << pick(4), at = pick(b.size());
        for (size_t i = 0; i < width && at + i < b.size(); ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
        break;
      }
      case 5: {  // erase a range
        const size_t at = pick(b.size()), n = 1 + pick(std::min<size_t>(b.size() - at, 64));
        b.erase(b.begin() + static_cast<ptrdiff_t>(at), b.begin() + static_cast<ptrdiff_t>(at + n));
        break;
      }
      case 6: {  // duplicate a range in place
        const size_t at = pick(b.size()), n = 1 + pick(std::min<size_t>(b.size() - at, 64));
        const Bytes chunk(b.begin() + static_cast<ptrdiff_t>(at), b.begin() + static_cast<ptrdiff_t>(at + n));
        b.insert(b.begin() + static_cast<ptrdiff_t>(at), chunk.begin(), chunk.end());
        break;
      }
      case 7: {  // an ASCII number (JSON sizes, ids, shapes) becomes a huge or negative one
        const size_t start = pick(b.size());
        size_t i = start;
        while (i < b.size() && !(b[i] >= '0' && b[i] <= '9')) ++i;
        if (i == b.size()) break;
        size_t j = i;
        while (j < b.size() && b[j] >= '0' && b[j] <= '9') ++j;
        static const char* kNumbers[] = {"-1", "0", "4294967296", "1099511627776", "99999999999999999999", "2147483647"};
        const std::string s = kNumbers[pick(std::size(kNumbers))];
        b.erase(b.begin() + static_cast<ptrdiff_t>(i), b.begin() + static_cast<ptrdiff_t>(j));
        b.insert(b.begin() + static_cast<ptrdiff_t>(i), s.begin(), s.end());
        break;
      }
      case 8: b.resize(pick(b.size())); break;  // truncate
    }
  }

  std::mt19937_64 rng_;
  const std::vector<Bytes>& pool_;
};

}  // namespace

int main(int argc, char** argv) {
  double seconds = 3;
  uint64_t seed = 1;
  size_t max_mutate_len = 64 * 1024;  // larger seeds run once, whole, and are mutated as a prefix
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("-seconds=", 0) == 0) seconds = std::atof(a.c_str() + 9);
    else if (a.rfind("-seed=", 0) == 0) seed = std::strtoull(a.c_str() + 6, nullptr, 10);
    else if (a.rfind("-max_mutate_len=", 0) == 0) max_mutate_len = std::strtoull(a.c_str() + 16, nullptr, 10);
    else if (fs::is_directory(a)) {
      std::vector<fs::path> in_dir;
      for (const auto& e : fs::directory_iterator(a))
        if (e.is_regular_file()) in_dir.push_back(e.path());
      std::sort(in_dir.begin(), in_dir.end());  // a fixed order: the mutations replay
      files.insert(files.end(), in_dir.begin(), in_dir.end());
    } else if (fs::is_regular_file(a)) {
      files.push_back(a);
    } else {
      std::fprintf(stderr, "fuzz-smoke: no seeds at %s (skipped)\n", a.c_str());
    }
  }
  const std::string target = fs::path(argv[0]).filename().string();
  std::snprintf(g_crash_path, sizeof g_crash_path, "fuzz-smoke-crash-%s.bin", target.c_str());
  // Under a sanitizer its own handlers report the crash (and call us back); elsewhere, ours.
  if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(dump_input);
  else
    for (int sig : {SIGSEGV, SIGABRT, SIGFPE, SIGILL, SIGBUS}) ::signal(sig, on_signal);

  const auto t0 = std::chrono::steady_clock::now();
  std::vector<Bytes> pool;
  for (const auto& f : files) {
    Bytes b = read_file(f);
    run(b);
    if (b.size() > max_mutate_len) b.resize(max_mutate_len);
    pool.push_back(std::move(b));
  }
  const double seed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  Mutator m(seed, pool);
  size_t runs = 0;
  const auto t1 = std::chrono::steady_clock::now();
  const auto until = t1 + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < until) {
    run(m.next());
    ++runs;
  }
  const double mut_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  std::printf("%s: %zu seed files in %.2f s, %zu mutated inputs in %.2f s (seed %llu): no crash\n",
              target.c_str(), files.size(), seed_s, runs, mut_s, static_cast<unsigned long long>(seed));
  return 0;
}
