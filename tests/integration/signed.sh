#!/usr/bin/env bash
# signed.sh - with VS_JOB_KEY set, a worker runs only jobs signed with
# that key (HMAC-SHA256 over the job's canonical form, common/sign.h):
# an unsigned job, one signed with another key and a signed job whose
# output was changed afterwards are refused (failed + rejected, parked on
# the dead-letter topic, never started), while a job signed with the key
# runs. vs-produce signs with the same variable: its jobs run; without the
# key, its jobs are refused and its summary says why.
source "$(dirname "$0")/lib.sh"

KEY=s3cret-for-the-test
# sign KEY: the hex HMAC-SHA256 of stdin (one job line, newline dropped).
sign() {
    python3 -c 'import hashlib, hmac, sys
msg = sys.stdin.read().rstrip("\n").encode()
print(hmac.new(sys.argv[1].encode(), msg, hashlib.sha256).hexdigest())' "$1"
}
# signed KEY: stdin's job (signature null, as vs-make-job writes it) signed.
signed() {
    local j sig
    j=$(cat)
    sig=$(printf '%s' "$j" | sign "$1")
    sed "s/\"signature\":null/\"signature\":\"$sig\"/" <<<"$j"
}

start_broker
VS_JOB_KEY=$KEY start_worker wA
wait_log "$WORK/wA.log" "assigned 16" 20
grep -q "VS_JOB_KEY is set: unsigned or forged jobs are refused" "$WORK/wA.log" ||
    fail "the worker does not say it checks signatures"

mkdir -p "$WORK/out"
{
    make_job v1 "$WORK/out" --job-id sig-unsigned
    make_job v2 "$WORK/out" --job-id sig-wrong-key | signed other-key
    make_job v3 "$WORK/out" --job-id sig-forged | signed "$KEY" |
        jq -c --arg o "$WORK/out/forged.mp4" '.output = $o'
    make_job v4 "$WORK/out" --job-id sig-good | signed "$KEY"
} > "$WORK/jobs.jsonl"
grep -q '"signature":"[0-9a-f]\{64\}"' "$WORK/jobs.jsonl" || fail "test bug: nothing signed"
note "unsigned, wrong key, forged, and a signed job"
produce_jobs "$WORK/jobs.jsonl"

st=$WORK/status.jsonl
for _ in $(seq 40); do
    status_dump "$st"
    [[ $(count "$st" '.type == "done" or .type == "failed"') -ge 4 ]] && break
    sleep 1
done
for row in "sig-unsigned|unsigned job" "sig-wrong-key|bad signature" "sig-forged|bad signature"; do
    IFS='|' read -r id why <<<"$row"
    n=$(jq -c --arg id "$id" --arg why "$why" 'select(.type == "failed" and .job_id == $id and
            .rejected == true and (.error | startswith($why)))' "$st" | wc -l)
    [[ $n -eq 1 ]] || fail "$id not refused as '$why': $(jq -c --arg id "$id" 'select(.job_id == $id)' "$st")"
done
[[ $(count "$st" '.type == "started" and .job_id != "sig-good"') -eq 0 ]] ||
    fail "a refused job was started"
[[ $(count "$st" '.type == "done" and .job_id == "sig-good"') -eq 1 ]] || fail "the signed job did not run"
check_output "$WORK/out/v4.mp4" 4.875 122
[[ $(cd "$WORK/out" && ls -A) == v4.mp4 ]] || fail "refused jobs wrote: $(ls -A "$WORK/out")"
n=$(kcat -b "$ADDR" -C -t vs.jobs.dead -o beginning -e -q -f '%k\n' 2>/dev/null | grep -c '^sig-' || true)
[[ $n -eq 3 ]] || fail "expected 3 dead-letter copies, found $n"

mkdir -p "$WORK/sess"
cp "$FIX/session/v5.mp4" "$FIX/session/v6.mp4" "$FIX/session/session.vad.json" "$WORK/sess/"
note "vs-produce with the key: signed jobs, they run"
VS_JOB_KEY=$KEY "$VS_BIN/vs-produce" --brokers "$ADDR" "${KAFKA_X[@]}" --folder "$WORK/sess" \
    -o "$WORK/prod" --progress none --timeout 60 > "$WORK/produce1.out" 2> "$WORK/produce1.log" ||
    fail "vs-produce failed: $(cat "$WORK/produce1.out")"
grep -qx "Done. 2/2 videos processed." "$WORK/produce1.out" || fail "summary: $(cat "$WORK/produce1.out")"
check_output "$WORK/prod/v5.mp4" 4.875 122

note "vs-produce without the key: its jobs are refused, and it says why"
rc=0
env -u VS_JOB_KEY "$VS_BIN/vs-produce" --brokers "$ADDR" "${KAFKA_X[@]}" --folder "$WORK/sess" \
    -o "$WORK/prod2" --progress none --timeout 60 > "$WORK/produce2.out" 2> "$WORK/produce2.log" ||
    rc=$?
cat "$WORK/produce2.out"
((rc != 0)) || fail "vs-produce exited 0 although every job was refused"
[[ $(grep -c "failed.*unsigned job" "$WORK/produce2.out") -eq 2 ]] ||
    fail "the summary does not show the refusals"
[[ -z $(ls -A "$WORK/prod2") ]] || fail "refused jobs wrote: $(ls -A "$WORK/prod2")"
note "ok"
