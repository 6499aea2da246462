# Tests against a real Apache Kafka (included by integration/CMakeLists.txt).
# scripts/kafka.sh fetches each version in VS_KAFKA_VERSIONS with Maven
# (once, into ~/.cache/vs-kafka) and every test program starts its own
# broker on loopback. Labels "kafka" and "integration"; scripts/test.sh
# runs them in the gcc pass only (-LE kafka in the sanitizer pass).
# Off with -DVS_KAFKA_TESTS=OFF; needs java (17+) and, for the first
# fetch, mvn and Maven Central.
option(VS_KAFKA_TESTS "integration tests against Apache Kafka (needs java and mvn)" ON)
set(VS_KAFKA_VERSIONS "3.9.2;4.4.0" CACHE STRING "Apache Kafka versions the kafka tests run against")
if(NOT VS_KAFKA_TESTS)
  return()
endif()
find_program(VS_JAVA java)
if(NOT VS_JAVA)
  message(STATUS "kafka tests disabled: needs java (apt-get install default-jdk-headless maven)")
  return()
endif()

# One fetch per version before any test (a CTest fixture, so `ctest -R`
# pulls it in and parallel tests do not race on the download).
string(REPLACE ";" " " _versions "${VS_KAFKA_VERSIONS}")
add_test(NAME kafka_fetch
  COMMAND ${VS_BASH} -c "for v in ${_versions}; do ${CMAKE_SOURCE_DIR}/scripts/kafka.sh fetch $v >/dev/null || exit 1; done")
set_tests_properties(kafka_fetch PROPERTIES
  FIXTURES_SETUP vs_kafka LABELS "integration;kafka" TIMEOUT 600)

# test -> script and timeout (s). farm, kill9, sigterm, kcat_job and
# output_guard are the embedded broker's tests, run unchanged on Kafka
# (lib.sh: VS_IT_KAFKA).
set(VS_KAFKA_TESTS_LIST
  farm farm.sh 180
  kill9 kill9.sh 240
  sigterm sigterm.sh 240
  kcat_job kcat_job.sh 180
  topics kafka_topics.sh 300
  restart kafka_restart.sh 300
  cluster kafka_cluster.sh 300
  secure kafka_secure.sh 300
  output_guard output_guard.sh 300)
list(LENGTH VS_KAFKA_TESTS_LIST _n)
math(EXPR _last "${_n} - 1")
foreach(v ${VS_KAFKA_VERSIONS})
  foreach(i RANGE 0 ${_last} 3)
    math(EXPR j "${i} + 1")
    math(EXPR k "${i} + 2")
    list(GET VS_KAFKA_TESTS_LIST ${i} name)
    list(GET VS_KAFKA_TESTS_LIST ${j} script)
    list(GET VS_KAFKA_TESTS_LIST ${k} timeout)
    add_test(NAME kafka_${v}_${name} COMMAND ${VS_BASH} ${VS_IT_DIR}/${script})
    set_tests_properties(kafka_${v}_${name} PROPERTIES
      FIXTURES_REQUIRED "vs_integration;vs_kafka" LABELS "integration;kafka" TIMEOUT ${timeout}
      ENVIRONMENT "${VS_TEST_ENV};VS_IT_FIX=${VS_IT_FIX};VS_IT_KAFKA=${v}")
  endforeach()
endforeach()
