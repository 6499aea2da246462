#!/usr/bin/env bash
# vs-produce refuses before publishing what would fail later on every
# worker: an output folder it cannot write (exit 2, one line, nothing
# published, nothing encoded), and a job a worker would refuse (a newline
# in a file name): that video fails with the reason, the others run.
set -euo pipefail
. "$(dirname "$0")/test_produce_lib.sh"

make_session "$T/in" 2 a.mp4 b.mp4

# 1. An output folder that cannot be written. Root writes anywhere, so a
# root test runs the producer as nobody on a folder owned by root.
mkdir -p "$T/ro"
chmod 755 "$T" "$T/in" "$T/ro"
chmod 644 "$T/in"/*
if [ "$(id -u)" -eq 0 ]; then
    as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
else
    chmod 555 "$T/ro"
    as_user=()
fi
start_broker
set +e
"${as_user[@]}" "$BIN/vs-produce" --folder "$T/in" -o "$T/ro" --brokers "$BROKER" \
    --timeout 10 >"$T/ro.out" 2>"$T/ro.err"
rc=$?
set -e
[ $rc -eq 2 ] || fail "unwritable output folder: exit $rc, want 2"
grep -q "output folder $T/ro is not writable: Permission denied" "$T/ro.err" \
    || fail "no clear line: $(cat "$T/ro.err")"
[ "$(grep -c . "$T/ro.err")" -eq 1 ] || fail "more than one line: $(cat "$T/ro.err")"
n=$(kcat -b "$BROKER" -C -t vs.jobs -e -q 2>/dev/null | grep -c . || true)
[ "$n" -eq 0 ] || fail "$n jobs were published anyway"

# 2. A name with a newline: refused by the producer, the others processed.
cp "$T/in/a.mp4" "$T/in/bad
name.mp4"
set +e
"$BIN/vs-produce" --folder "$T/in" -o "$T/out" --json --timeout 120 >"$T/nl.json" 2>"$T/nl.err"
rc=$?
set -e
[ $rc -eq 1 ] || fail "newline name: exit $rc, want 1"
python3 - "$T/nl.json" <<'PY' || fail "newline name: $(cat "$T/nl.err")"
import json, sys
d = json.load(open(sys.argv[1]))
by = {f["file"]: f for f in d["files"]}
bad = by["bad\nname.mp4"]
assert bad["state"] == "failed" and "would refuse" in bad["error"] and bad["job_id"] is None, bad
assert bad["worker"] == "", bad
assert by["a.mp4"]["state"] == "done" and by["b.mp4"]["state"] == "done", by
PY
grep -q "failed: bad" "$T/nl.err" || fail "the refusal is not on stderr"
echo ok
