# Per-ISA source files are named *_avx2.cpp / *_avx512.cpp and get their target flags here, so
# intrinsics stay in kernels/ and the rest of the binary stays portable (dispatch at run time).
set(ATTNSCOPE_AVX2_FLAGS -mavx2 -mfma -mf16c)
set(ATTNSCOPE_AVX512_FLAGS -mavx512f -mavx512bw -mavx512vl -mavx512dq -mavx512bf16 -mfma -mf16c)

function(attnscope_isa_flags)
  foreach(src IN LISTS ARGN)
    if(src MATCHES "_avx512\\.cpp$")
      set_source_files_properties(${src} PROPERTIES COMPILE_OPTIONS "${ATTNSCOPE_AVX512_FLAGS}")
    elseif(src MATCHES "_avx2\\.cpp$")
      set_source_files_properties(${src} PROPERTIES COMPILE_OPTIONS "${ATTNSCOPE_AVX2_FLAGS}")
    endif()
  endforeach()
endfunction()

# attnscope_add_layer(<layer> DEPS ...)
#   Target attnscope_<layer> (alias attnscope::<layer>) from every .cpp below the layer's folder
#   (globbed, so parallel work on one layer never edits a shared list). Include root: src/.
function(attnscope_add_layer layer)
  cmake_parse_arguments(A "" "" "DEPS" ${ARGN})
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  attnscope_isa_flags(${srcs})
  if(srcs)
    add_library(attnscope_${layer} STATIC ${srcs})
    target_include_directories(attnscope_${layer} PUBLIC ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(attnscope_${layer} PUBLIC ${A_DEPS})
  else()
    add_library(attnscope_${layer} INTERFACE)
    target_include_directories(attnscope_${layer} INTERFACE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(attnscope_${layer} INTERFACE ${A_DEPS})
  endif()
  add_library(attnscope::${layer} ALIAS attnscope_${layer})
endfunction()

# attnscope_add_test(<name> SOURCES ... LIBS ... [TIMEOUT s] [LABELS ...])
#   One GoogleTest executable; each TEST() becomes a ctest entry (gtest_discover_tests).
function(attnscope_add_test name)
  cmake_parse_arguments(A "" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${A_SOURCES})
  target_link_libraries(${name} PRIVATE ${A_LIBS} GTest::gtest GTest::gtest_main)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)  # tests/shared_data.h
  # A unity batch #includes the test files, and GCC then flags every TEST_F whose fixture sits in
  # an anonymous namespace (-Wsubobject-linkage); each file is its own translation unit in spirit.
  target_compile_options(${name} PRIVATE $<$<CXX_COMPILER_ID:GNU>:-Wno-subobject-linkage>)
  target_compile_definitions(${name} PRIVATE
    ATTNSCOPE_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    ATTNSCOPE_BINARY_DIR="${PROJECT_BINARY_DIR}")
  if(NOT A_TIMEOUT)
    set(A_TIMEOUT 600)
  endif()
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
    PROPERTIES TIMEOUT ${A_TIMEOUT} LABELS "${A_LABELS}")
endfunction()

# attnscope_add_layer_tests(<layer> LIBS ...): test_<layer> from tests/<layer>/*_test.cpp.
function(attnscope_add_layer_tests layer)
  cmake_parse_arguments(A "" "TIMEOUT" "LIBS" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${layer}/*_test.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/${layer}/*_cases.cpp)
  if(srcs)
    attnscope_add_test(test_${layer} SOURCES ${srcs} LIBS ${A_LIBS} TIMEOUT ${A_TIMEOUT})
  endif()
endfunction()

# attnscope_add_bench(<name> SOURCES ... LIBS ...)
function(attnscope_add_bench name)
  cmake_parse_arguments(A "" "" "SOURCES;LIBS" ${ARGN})
  attnscope_isa_flags(${A_SOURCES})
  add_executable(${name} ${A_SOURCES})
  target_link_libraries(${name} PRIVATE ${A_LIBS} benchmark::benchmark)
endfunction()
