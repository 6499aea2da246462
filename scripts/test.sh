#!/usr/bin/env bash
# The whole test suite: a -Werror build with every test (unit, media,
# integration), the same suite under AddressSanitizer + UndefinedBehavior-
# Sanitizer, and a short libFuzzer run of each message reader.
#   VS_TEST_FAST=1 scripts/test.sh   skips the sanitizer pass and fuzzing.
#   VS_FUZZ_SECONDS=N                seconds per fuzz target (default 15).
# The tests against a real Apache Kafka (label "kafka": scripts/kafka.sh
# fetches Kafka with Maven, each test starts its broker) run once, in the
# gcc pass; the sanitizer pass leaves them out, and the "slow" ones (a
# 200-video batch).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

echo "== build (gcc, -Werror)"
cmake -S . -B build -DVS_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
echo "== tests"
ctest --test-dir build --output-on-failure -j"$jobs"

if [ "${VS_TEST_FAST:-0}" != 1 ]; then
  echo "== build (clang, ASan + UBSan, fuzzers)"
  CC=clang cmake -S . -B build-asan -DVS_WERROR=ON -DVS_SANITIZE=ON -DVS_FUZZ=ON >/dev/null
  cmake --build build-asan -j"$jobs"
  echo "== tests under ASan + UBSan"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp \
    ctest --test-dir build-asan --output-on-failure -j"$jobs" -LE 'kafka|slow'
  if [ -x tests/fuzz/run.sh ]; then
    echo "== fuzzing"
    VS_BIN=build-asan/bin tests/fuzz/run.sh "${VS_FUZZ_SECONDS:-15}"
  fi
fi
echo "== all tests passed"
