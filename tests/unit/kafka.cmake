# Unit tests of common/status.c and common/kafka/ (included by
# CMakeLists.txt): status messages, the offset ledger, the farm
# configuration. Same shape as the other unit tests.
foreach(name status ledger kafka_conf)
  add_executable(test_${name} test_${name}.c)
  target_link_libraries(test_${name} PRIVATE vs_common PkgConfig::CMOCKA)
  target_compile_definitions(test_${name} PRIVATE VS_SRC_DIR="${VS_UNIT_SRC_DIR}")
  set_target_properties(test_${name} PROPERTIES
    RUNTIME_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
  add_test(NAME unit_${name} COMMAND test_${name})
  set_tests_properties(unit_${name} PROPERTIES LABELS unit TIMEOUT 60)
endforeach()
