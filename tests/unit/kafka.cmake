# Unit tests of common/status.c, common/kafka/ and of the worker's pure
# parts (included by CMakeLists.txt): status messages, the Kafka
# configuration, the offset ledger and the scheduling rules. Same shape
# as the other unit tests.
set(vs_unit_status_libs vs_core)
set(vs_unit_kafka_conf_libs vs_kafka)
set(vs_unit_ledger_libs vs_worker)
set(vs_unit_rules_libs vs_worker)
foreach(name status ledger kafka_conf rules)
  add_executable(test_${name} test_${name}.c)
  target_link_libraries(test_${name} PRIVATE ${vs_unit_${name}_libs} PkgConfig::CMOCKA)
  target_compile_definitions(test_${name} PRIVATE VS_SRC_DIR="${VS_UNIT_SRC_DIR}")
  if(${name} STREQUAL ledger OR ${name} STREQUAL rules)
    # White-box tests of the worker's internals.
    target_include_directories(test_${name} PRIVATE ${CMAKE_SOURCE_DIR}/worker)
  endif()
  set_target_properties(test_${name} PROPERTIES
    RUNTIME_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
  add_test(NAME unit_${name} COMMAND test_${name})
  set_tests_properties(unit_${name} PROPERTIES LABELS unit TIMEOUT 60)
endforeach()
