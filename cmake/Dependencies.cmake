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
pkg_check_modules(attnscope_cairo REQUIRED IMPORTED_TARGET cairo)  # name shared with attnscopeConfig.cmake
pkg_check_modules(PANGOCAIRO REQUIRED IMPORTED_TARGET pangocairo)
if(ATTNSCOPE_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(ATTNSCOPE_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()

# OpenBLAS: the OpenMP build, so GEMM threads and our parallel_for share one OpenMP runtime
# (two spinning pools on 2 cores were measured 10x slower). Where a distribution ships several
# variants side by side (Debian: <libdir>/<multiarch>/openblas-openmp, headers likewise), that
# directory is searched first, so the libblas.so alternatives cannot pick another variant; else
# the default search finds libopenblaso (Fedora's OpenMP build) or libopenblas, and cblas.h under
# include/ or include/openblas/. -DOPENBLAS_LIB=... -DOPENBLAS_INCLUDE=... override.
set(openblas_lib_hints)
set(openblas_include_hints)
foreach(prefix IN LISTS CMAKE_PREFIX_PATH CMAKE_SYSTEM_PREFIX_PATH)
  if(CMAKE_LIBRARY_ARCHITECTURE)
    list(APPEND openblas_lib_hints ${prefix}/lib/${CMAKE_LIBRARY_ARCHITECTURE}/openblas-openmp)
    list(APPEND openblas_include_hints ${prefix}/include/${CMAKE_LIBRARY_ARCHITECTURE}/openblas-openmp)
  endif()
  list(APPEND openblas_lib_hints ${prefix}/lib/openblas-openmp ${prefix}/lib64/openblas-openmp)
  list(APPEND openblas_include_hints ${prefix}/include/openblas-openmp)
endforeach()
find_library(OPENBLAS_LIB NAMES openblaso openblas HINTS ${openblas_lib_hints} REQUIRED)
find_path(OPENBLAS_INCLUDE cblas.h HINTS ${openblas_include_hints} PATH_SUFFIXES openblas REQUIRED)
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
