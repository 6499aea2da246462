# vs-produce tests (included by integration/CMakeLists.txt): silence
# detection, the folder rules in --dry-run, and producer runs on loopback
# (embedded broker with a local worker, or vs-broker with kcat playing the
# workers so every status is known exactly). Label "integration".
find_program(VS_PRODUCE_BASH bash)
find_program(VS_PRODUCE_FFMPEG ffmpeg)
find_program(VS_PRODUCE_FFPROBE ffprobe)
find_program(VS_PRODUCE_PYTHON python3)
if(NOT VS_PRODUCE_BASH OR NOT VS_PRODUCE_FFMPEG OR NOT VS_PRODUCE_FFPROBE
   OR NOT VS_PRODUCE_PYTHON)
  message(STATUS "vs-produce tests disabled: need bash, ffmpeg, ffprobe and python3")
  return()
endif()

# name -> timeout (s); kcat-based tests skip (77) when kcat is missing,
# test_produce_notify (nginx on loopback) when nginx is.
set(VS_PRODUCE_TESTS
  test_detect_silencedetect 120
  test_produce_dryrun 120
  test_produce_notify 120
  test_produce_summary 300
  test_produce_stray 120
  test_produce_noworker 120
  test_produce_spread 120
  test_produce_farm 180
  test_produce_fail_once 180
  test_produce_two_producers 240
  test_produce_refuse 180
  test_produce_messages 180
  test_produce_big_batch 1800
  test_produce_lost_status 300
  test_produce_terminal 300
  test_produce_interrupt_bar 120)
list(LENGTH VS_PRODUCE_TESTS _n)
math(EXPR _last "${_n} - 1")
foreach(i RANGE 0 ${_last} 2)
  math(EXPR j "${i} + 1")
  list(GET VS_PRODUCE_TESTS ${i} name)
  list(GET VS_PRODUCE_TESTS ${j} timeout)
  add_test(NAME ${name}
    COMMAND ${VS_PRODUCE_BASH} ${CMAKE_CURRENT_LIST_DIR}/${name}.sh)
  set_tests_properties(${name} PROPERTIES
    LABELS integration TIMEOUT ${timeout} SKIP_RETURN_CODE 77
    ENVIRONMENT "${VS_TEST_ENV}")
endforeach()
# Minutes of encoding: once per CI run (scripts/test.sh leaves "slow" out
# of the sanitizer pass).
set_tests_properties(test_produce_big_batch PROPERTIES LABELS "integration;slow")
