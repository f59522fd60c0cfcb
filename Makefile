# attnscope — the two README commands (`make demo`, `make test`) and their helpers.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
GENERATOR := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")

.PHONY: deps deps-test configure build build-bin demo test test-asan test-mpi fuzz-smoke bench bench-attention clean

deps:
	@scripts/deps.sh build

deps-test:
	@scripts/deps.sh test

$(BUILD)/CMakeCache.txt:
	@cmake -S . -B $(BUILD) $(GENERATOR) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null

configure: deps $(BUILD)/CMakeCache.txt

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

# Only the executable (the demo needs no tests or benchmarks built).
build-bin: configure
	@cmake --build $(BUILD) -j $(JOBS) --target attnscope

demo: build-bin
	./$(BUILD)/attnscope demo

test: deps deps-test build
	@scripts/web-deps.sh
	# ctest runs one test program per core, so each uses one thread (tests of threading set their
	# own counts); oversubscribed OpenMP barriers were measured 60x slower on a loaded machine.
	cd $(BUILD) && ATTNSCOPE_THREADS=1 OMP_WAIT_POLICY=passive ctest --output-on-failure -j $(JOBS) --timeout 900

# The test suite under AddressSanitizer + UndefinedBehaviorSanitizer (CI runs it after `make test`).
# The browser tests (label web) exercise the page, not our memory: they run in `make test` only.
# Unity batches of 16 (not 8): nobody edits in build-asan, and a cold build took 9.6 min, not 11.5.
test-asan: deps
	@cmake -S . -B build-asan $(GENERATOR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DATTNSCOPE_SANITIZE=ON \
	  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DATTNSCOPE_BUILD_BENCH=OFF -DCMAKE_UNITY_BUILD_BATCH_SIZE=16 >/dev/null
	@cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 ATTNSCOPE_SLOW_TESTS=0 ATTNSCOPE_THREADS=1 OMP_WAIT_POLICY=passive \
	  ctest --output-on-failure -j $(JOBS) --timeout 1200 -LE "no-asan|web"

# The MPI variant (docs/DISTRIBUTED.md): the main build's flags plus -DATTNSCOPE_MPI=ON, so ccache
# reuses every unchanged object; only the binary and the Mpi tests (2 ranks each, one at a time:
# two ranks fill the 2-core CI machine).
test-mpi:
	@scripts/deps.sh mpi
	@cmake -S . -B build-mpi $(GENERATOR) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) -DATTNSCOPE_MPI=ON >/dev/null
	@cmake --build build-mpi -j $(JOBS) --target attnscope test_dist
	cd build-mpi && ATTNSCOPE_THREADS=1 OMP_WAIT_POLICY=passive ctest --output-on-failure -R Mpi --timeout 900

# Every fuzz target over its seeds and a few seconds of mutations (fuzz/, docs/FUZZING.md).
fuzz-smoke: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L fuzz-smoke

bench: build
	@bench/run_all.sh $(BUILD)

bench-attention: build
	@bench/attention.sh $(BUILD)

clean:
	rm -rf $(BUILD) build-asan build-mpi
