#!/usr/bin/env bash
# run.sh - runs each libFuzzer target for SECONDS and fails on a crash.
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]     (default 20 s; job status sidecar)
#
# The targets are built with CC=clang cmake -DVS_FUZZ=ON (see CMakeLists.txt);
# VS_BIN names their folder (default build-asan/bin). Each target starts from
# its seed corpus (corpus/TARGET) and the kept crash inputs (regress/TARGET);
# what it finds new goes to a scratch folder, deleted afterwards, so a run
# leaves the tree as it was, except that a crash, leak, timeout or
# out-of-memory input is saved into regress/TARGET/ - keep it: the unit test
# unit_fuzz_regress_TARGET replays that folder in every build. Longer runs by
# hand: tests/fuzz/run.sh 600 job. VS_FUZZ_MAX_LEN (default 16384) bounds the
# size of an input; VS_FUZZ_ARGS adds libFuzzer options (e.g. -jobs=4);
# VS_FUZZ_WORK=DIR keeps what the runs find in DIR/TARGET for the next run.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
seconds=${1:-20}
[ $# -gt 0 ] && shift
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(job status sidecar)
bin=${VS_BIN:-build-asan/bin}
case $seconds in ''|*[!0-9]*) echo "run.sh: SECONDS must be a number" >&2; exit 2;; esac

scratch=$(mktemp -d "${TMPDIR:-/tmp}/vs-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
for t in "${targets[@]}"; do
  exe=$bin/fuzz_$t
  if [ ! -x "$exe" ]; then
    echo "run.sh: $exe not found (build with CC=clang cmake -DVS_FUZZ=ON)" >&2
    failed+=("$t(missing)")
    continue
  fi
  work=${VS_FUZZ_WORK:-$scratch}/$t
  mkdir -p "$here/regress/$t" "$work"
  seeds=("$here/corpus/$t")
  [ -n "$(ls -A "$here/regress/$t" 2>/dev/null)" ] && seeds+=("$here/regress/$t")
  echo "== fuzz_$t for ${seconds}s"
  log=$scratch/$t.log
  # The first folder receives new inputs; the seed folders are only read.
  "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len="${VS_FUZZ_MAX_LEN:-16384}" -dict="$here/vs.dict" \
    -artifact_prefix="$here/regress/$t/" -print_final_stats=1 \
    ${VS_FUZZ_ARGS:-} "$work" "${seeds[@]}" >"$log" 2>&1
  rc=$?
  grep -E '^(#[0-9]+.*(DONE|INITED)|stat::number_of_executed_units|stat::new_units_added)' "$log" | tail -3
  if [ $rc -ne 0 ]; then
    echo "!! fuzz_$t failed (exit $rc):" >&2
    grep -E 'ERROR|SUMMARY|property broken|own output refused|planned job refused|Test unit written|^ *#[0-9]+ 0x' "$log" | head -40 >&2
    failed+=("$t")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "run.sh: failed: ${failed[*]} (inputs kept in $here/regress/)" >&2
  exit 1
fi
echo "run.sh: no crash in ${targets[*]}"
