# The installed package (docs/API.md): the shared library libattnscope.so.<SOVERSION> built from
# the layer archives, the public headers, the CLI, the viewer's files, a CMake package
# (find_package(attnscope CONFIG) -> attnscope::attnscope) and attnscope.pc. Everything installed
# is relative to the prefix, so a prefix can be moved or copied (tests/install/install_test.sh).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# The library: the object files of every layer archive (they are compiled PIC), so the in-tree
# build and tests keep linking the layer targets unchanged. (Linking the archives with
# $<LINK_LIBRARY:WHOLE_ARCHIVE,...> is refused: each layer also reaches the others plainly
# through its own dependencies.) The layers are linked too, for their dependencies (OpenBLAS,
# Cairo, cpp-httplib, ...), which stay private: the .so records them as DT_NEEDED.
list(TRANSFORM ATTNSCOPE_LAYERS PREPEND attnscope_ OUTPUT_VARIABLE layer_targets)
list(TRANSFORM layer_targets REPLACE "(.+)" "$<TARGET_OBJECTS:\\1>" OUTPUT_VARIABLE layer_objects)
add_library(attnscope_shared SHARED ${layer_objects})
add_library(attnscope::attnscope ALIAS attnscope_shared)
target_link_libraries(attnscope_shared PRIVATE ${layer_targets})
# Exports only the attnscope namespace (and its type info, vtables, instantiations naming its
# types): inline code of fmt, nlohmann-json, cpp-httplib or the standard library compiled into the
# layers stays hidden, so it cannot interpose on a user's own copies.
set(version_script ${CMAKE_CURRENT_LIST_DIR}/attnscope.map)
target_link_options(attnscope_shared PRIVATE -Wl,--version-script=${version_script})
# Every symbol resolved at link time (clang leaves sanitizer runtimes out of shared libraries, so
# not in sanitizer or fuzzing builds).
if(NOT ATTNSCOPE_SANITIZE AND NOT ATTNSCOPE_BUILD_FUZZ)
  target_link_options(attnscope_shared PRIVATE -Wl,--no-undefined)
endif()
set_target_properties(attnscope_shared PROPERTIES
  OUTPUT_NAME attnscope EXPORT_NAME attnscope
  VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR}
  LINK_DEPENDS ${version_script}
  # Dependencies outside the system directories (Debian's OpenBLAS OpenMP variant lives in
  # <libdir>/openblas-openmp) stay found after installation; no build-tree path is kept.
  INSTALL_RPATH_USE_LINK_PATH TRUE)
set_target_properties(attnscope PROPERTIES INSTALL_RPATH_USE_LINK_PATH TRUE)
# What a user's code needs: the include root, C++20, and the libraries public headers include
# (nlohmann/json_fwd.hpp in models/ and focus/, cairo.h in viz/).
target_include_directories(attnscope_shared INTERFACE
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/src> $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/generated>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_compile_features(attnscope_shared INTERFACE cxx_std_20)
target_link_libraries(attnscope_shared INTERFACE nlohmann_json::nlohmann_json PkgConfig::attnscope_cairo)

install(TARGETS attnscope_shared EXPORT attnscopeTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS attnscope RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# Public headers: every header of the library layers, under <prefix>/include/attnscope/<layer>/.
# Internal, not installed: cli/ (the executable's wiring, not a library) and the per-ISA kernel
# bodies — kernels/simd/ and *_simd.h / *_tile.h — templates compiled only by *_avx2.cpp /
# *_avx512.cpp under their ISA flags; no public header includes them (the install test checks).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/src/attnscope/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/attnscope
  FILES_MATCHING PATTERN "*.h"
  PATTERN "cli" EXCLUDE PATTERN "simd" EXCLUDE PATTERN "*_simd.h" EXCLUDE PATTERN "*_tile.h" EXCLUDE)
install(FILES ${PROJECT_BINARY_DIR}/generated/attnscope/core/version.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/attnscope/core)

# The viewer's files. The executable embeds them (serve/assets.h), so it needs none at run time;
# the installed copy is the page's source, for `view --web-root` / `export --web-root`.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/web/ DESTINATION ${CMAKE_INSTALL_DATADIR}/attnscope/web
  PATTERN ".*" EXCLUDE)

# The CMake package.
set(cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/attnscope)
install(EXPORT attnscopeTargets NAMESPACE attnscope:: DESTINATION ${cmake_dir})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/attnscopeConfig.cmake.in
  ${PROJECT_BINARY_DIR}/generated/attnscopeConfig.cmake INSTALL_DESTINATION ${cmake_dir})
# 0.x: a minor version may break the API.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/generated/attnscopeConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/generated/attnscopeConfig.cmake
  ${PROJECT_BINARY_DIR}/generated/attnscopeConfigVersion.cmake DESTINATION ${cmake_dir})

# pkg-config: prefix found from the .pc file's own place (${pcfiledir}), so it moves with the prefix.
string(REGEX REPLACE "[^/]+" ".." ATTNSCOPE_PC_UP "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
configure_file(${CMAKE_CURRENT_LIST_DIR}/attnscope.pc.in ${PROJECT_BINARY_DIR}/generated/attnscope.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/generated/attnscope.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
