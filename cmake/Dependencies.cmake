# System dependencies (Debian 12 packages; see docs/DEPENDENCIES.md and scripts/deps.sh).
find_package(OpenMP REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(fmt REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(CLI11 REQUIRED)
find_package(ZLIB REQUIRED)
find_package(PNG REQUIRED)
find_package(JPEG REQUIRED)
find_package(GIF REQUIRED)
pkg_check_modules(CAIRO REQUIRED IMPORTED_TARGET cairo)
pkg_check_modules(PANGOCAIRO REQUIRED IMPORTED_TARGET pangocairo)
if(ATTNSCOPE_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(ATTNSCOPE_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()

# OpenBLAS: the OpenMP build, so GEMM threads and our parallel_for share one OpenMP runtime
# (two spinning pools on 2 cores were measured 10x slower). Linked by path to bypass the
# libblas.so alternatives, which may point at another variant.
find_library(OPENBLAS_LIB NAMES openblas
  PATHS /usr/lib/x86_64-linux-gnu/openblas-openmp NO_DEFAULT_PATH REQUIRED)
find_path(OPENBLAS_INCLUDE cblas.h
  PATHS /usr/include/x86_64-linux-gnu/openblas-openmp NO_DEFAULT_PATH REQUIRED)
add_library(attnscope_openblas INTERFACE)
target_link_libraries(attnscope_openblas INTERFACE ${OPENBLAS_LIB} OpenMP::OpenMP_CXX)
target_include_directories(attnscope_openblas SYSTEM INTERFACE ${OPENBLAS_INCLUDE})

# cpp-httplib is header-only in Debian.
find_path(HTTPLIB_INCLUDE httplib.h REQUIRED)
find_package(Threads REQUIRED)
add_library(attnscope_httplib INTERFACE)
target_include_directories(attnscope_httplib SYSTEM INTERFACE ${HTTPLIB_INCLUDE})
target_link_libraries(attnscope_httplib INTERFACE Threads::Threads)
# Debian's libcpp-httplib-dev ships httplib.h in split mode (declarations only) plus
# libcpp-httplib.so built with OpenSSL/zlib/brotli: link it and use the same defines (they
# change class layouts).
pkg_check_modules(CPPHTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
target_link_libraries(attnscope_httplib INTERFACE PkgConfig::CPPHTTPLIB)
