# Security tests (included from tests/unit/CMakeLists.txt), labelled "unit":
#   test_roots, test_sign   cmocka tests of common/roots.c and common/sign.c
#   fuzz_regress_<target>   the fuzz targets of tests/fuzz/ replayed, without
#                           libFuzzer, over their seed corpus and every crash
#                           input kept in tests/fuzz/regress/<target>/
foreach(name roots sign)
  add_executable(test_${name} ${CMAKE_CURRENT_LIST_DIR}/test_${name}.c)
  target_link_libraries(test_${name} PRIVATE vs_core PkgConfig::CMOCKA)
  set_target_properties(test_${name} PROPERTIES
    RUNTIME_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
  add_test(NAME unit_${name} COMMAND test_${name})
  set_tests_properties(unit_${name} PROPERTIES LABELS unit TIMEOUT 60)
endforeach()

get_filename_component(VS_FUZZ_SRC_DIR ${CMAKE_CURRENT_LIST_DIR}/../fuzz ABSOLUTE)
foreach(target job status sidecar)
  add_executable(fuzz_regress_${target}
    ${VS_FUZZ_SRC_DIR}/fuzz_${target}.c ${VS_FUZZ_SRC_DIR}/regress_main.c)
  target_link_libraries(fuzz_regress_${target} PRIVATE vs_core)
  set_target_properties(fuzz_regress_${target} PROPERTIES
    RUNTIME_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
  add_test(NAME unit_fuzz_regress_${target} COMMAND fuzz_regress_${target}
    ${VS_FUZZ_SRC_DIR}/corpus/${target} ${VS_FUZZ_SRC_DIR}/regress/${target})
  set_tests_properties(unit_fuzz_regress_${target} PROPERTIES LABELS unit TIMEOUT 120)
endforeach()
