#!/usr/bin/env bash
# kafka_topics.sh - topics, look-ups by time and message sizes on a real
# Apache Kafka ($VS_IT_KAFKA), one node started with the documented
# setting for big jobs (message.max.bytes=2097152).
#
# 1. On a new cluster a worker creates vs.jobs (16 partitions) and
#    vs.status (1) through the Admin API (the broker would auto-create
#    topics with 1 partition), and kcat's jobs on it are processed.
# 2. Topics an administrator made (kafka-topics, 4 partitions) are used
#    as they are: no "created", no warning, the farm runs a folder.
# 3. Look-up by time: a worker started after a job finished reads the
#    status history through rd_kafka_offsets_for_times (the worker's
#    status reader starts an hour back): a copy of the finished job is
#    recognised from the status topic ("already finished by wA"), not
#    from its output; the reader never falls back to "reading from the
#    start"; and kcat's -o s@TIME finds the first status after TIME.
# 4. The biggest job vs makes (a plan of ~20000 segments, ~0.6 MB) goes
#    through vs-produce and a worker with -X message.max.bytes=2097152.
#    Published to a topic whose max.message.bytes is 20000 (below the job
#    even lz4-compressed, as vs-produce sends it), vs-produce
#    fails at once with one clear line and exit 1. A plan of 20001
#    segments is refused by vs-produce itself (workers would refuse it).
source "$(dirname "$0")/lib.sh"

BIG_X=(-X message.max.bytes=2097152)
start_kafka --prop message.max.bytes=2097152

# partitions TOPIC: its partition count on the broker (from the metadata
# of all topics: asking for one topic would make the broker create it).
partitions() {
    kcat -b "$ADDR" -L -J 2>/dev/null |
        jq -r --arg t "$1" '.topics[] | select(.topic == $t and .error == null) | .partitions | length'
}

note "1. a worker creates the topics on a new cluster"
[[ -z $(partitions vs.jobs) ]] || fail "vs.jobs exists before any program ran"
start_worker wA --parallel 2 -v
wait_log "$WORK/wA.log" "created topic vs.jobs" 30
wait_log "$WORK/wA.log" "created topic vs.status" 5
wait_log "$WORK/wA.log" "assigned 16 partition" 30
[[ $(partitions vs.jobs) == 16 ]] || fail "vs.jobs has $(partitions vs.jobs) partitions, expected 16"
[[ $(partitions vs.status) == 1 ]] || fail "vs.status has $(partitions vs.status) partitions, expected 1"
mkdir -p "$WORK/out1"
for n in v1 v2; do make_job "$n" "$WORK/out1"; done > "$WORK/jobs1.jsonl"
produce_jobs "$WORK/jobs1.jsonl"
st=$WORK/status.jsonl
for _ in $(seq 60); do
    status_dump "$st"
    [[ $(count "$st" '.type == "done"') -ge 2 ]] && break
    sleep 1
done
[[ $(count "$st" '.type == "done" and .worker == "wA"') -eq 2 ]] || fail "kcat's two jobs were not done"
check_output "$WORK/out1/v1.mp4" 4.875 122
check_output "$WORK/out1/v2.mp4" 4.875 122

note "2. topics made by an administrator"
for t in adm.jobs:4 adm.status:1; do
    kafka_ctl tool topics --bootstrap-server BOOT --create --topic "${t%:*}" \
        --partitions "${t#*:}" --replication-factor 1 > "$WORK/topics.out" 2>&1 ||
        fail "kafka-topics --create ${t%:*}: $(cat "$WORK/topics.out")"
done
ADM=(--jobs-topic adm.jobs --status-topic adm.status)
start_worker wB --group adm-workers "${ADM[@]}"
wait_log "$WORK/wB.log" "assigned 4 partition" 30
"$VS_BIN/vs-produce" --brokers "$ADDR" "${KAFKA_X[@]}" "${ADM[@]}" --group adm-workers \
    --folder "$FIX/session" -o "$WORK/out2" --progress none --timeout 120 \
    > "$WORK/produce2.out" 2> "$WORK/produce2.log" || fail "vs-produce failed (exit $?)"
grep -qx "Done. 6/6 videos processed." "$WORK/produce2.out" || fail "summary: $(cat "$WORK/produce2.out")"
for f in wB produce2; do
    grep -Eq "created topic|creating topic" "$WORK/$f.log" && fail "$f.log: $(grep -E "topic" "$WORK/$f.log")"
done
[[ $(partitions adm.jobs) == 4 ]] || fail "adm.jobs changed"
check_output "$WORK/out2/v6.mp4" 4.875 122

note "3. the status history is found by time"
kill -TERM "$PID_wA"
wait_exit "$PID_wA" 30
t_mid=$(($(date +%s%3N) + 500))
sleep 1
# A copy of v1's finished job, to a worker that was not there when it ran.
head -n1 "$WORK/jobs1.jsonl" > "$WORK/again.jsonl"
id=$(jq -r .job_id "$WORK/again.jsonl")
mtime=$(stat -c %.9Y "$WORK/out1/v1.mp4")
start_worker wC -v -v
wait_log "$WORK/wC.log" "assigned 16 partition" 30
produce_jobs "$WORK/again.jsonl"
wait_log "$WORK/wC.log" "$id \(v1.mp4\): already finished by wA; not run again" 30
grep -q "does not look up offsets by time\|no lookup by time" "$WORK/wC.log" &&
    fail "the worker's status reader did not look up by time: $(grep -m1 "by time" "$WORK/wC.log")"
[[ $(stat -c %.9Y "$WORK/out1/v1.mp4") == "$mtime" ]] || fail "v1.mp4 was written again"
first=$(kcat -b "$ADDR" -C -t vs.status -o "s@$t_mid" -c 1 -e -q -f '%T %s\n' 2>/dev/null)
[[ -n $first ]] || fail "kcat -o s@$t_mid found nothing"
ts=${first%% *}
before=$(kcat -b "$ADDR" -C -t vs.status -o beginning -e -q -f '%T\n' 2>/dev/null |
    awk -v t="$t_mid" '$1 < t' | wc -l)
after=$(kcat -b "$ADDR" -C -t vs.status -o "s@$t_mid" -e -q -f '%T\n' 2>/dev/null | wc -l)
total=$(kcat -b "$ADDR" -C -t vs.status -o beginning -e -q -f '%T\n' 2>/dev/null | wc -l)
note "status: $before messages before $t_mid, $after from it on (first at $ts), $total in all"
[[ $ts -ge $t_mid && $before -ge 1 && $((before + after)) -eq $total ]] ||
    fail "offsets for times: first message at $ts for $t_mid; $before + $after != $total"

note "4. big jobs"
mkdir -p "$WORK/big"
ffmpeg -v error -f lavfi -i "color=c=gray:s=16x16:r=1:d=23000" -f lavfi -i "anullsrc=r=8000:cl=mono" \
    -t 23000 -c:v libx264 -preset ultrafast -g 600 -c:a aac -b:a 8k "$WORK/big/long.mp4" ||
    fail "ffmpeg could not make the long input"
# 9990 silences of 2.18 s, 2.3 s apart: 19981 segments.
awk 'BEGIN { printf "{\"version\":1,\"source\":{\"file\":\"long.mp4\"},\"detection\":{\"backend\":\"x\",";
    printf "\"analyzed_duration\":23000.0,\"params\":{\"vad_threshold\":0.5,\"offset\":0.0,";
    printf "\"process_duration\":null}},\"speech_segments\":[],\"silence_intervals\":[";
    for (i = 0; i < 9990; i++) printf "%s[%.6f,%.6f]", i ? "," : "", i * 2.29876543 + 0.0912345,
        i * 2.29876543 + 2.2712345;
    print "]}" }' > "$WORK/big/long.vad.json"
"$VS_BIN/vs-produce" --folder "$WORK/big" -o "$WORK/out4" --dry-run > "$WORK/big.jobs" 2>/dev/null ||
    fail "dry run of the big job failed"
size=$(head -n1 "$WORK/big.jobs" | wc -c)
note "the big job: $size bytes, $(head -n1 "$WORK/big.jobs" | jq '.segments | length') segments"
[[ $size -gt 500000 ]] || fail "the big job is only $size bytes"
# Ten more silences: a plan beyond the 20000 segments a job may carry is
# refused by vs-produce, not published for the workers to refuse.
mkdir -p "$WORK/toobig"
ln -s "$WORK/big/long.mp4" "$WORK/toobig/long.mp4"
awk 'BEGIN { printf "{\"version\":1,\"source\":{\"file\":\"long.mp4\"},\"detection\":{\"backend\":\"x\",";
    printf "\"analyzed_duration\":23000.0,\"params\":{\"vad_threshold\":0.5,\"offset\":0.0,";
    printf "\"process_duration\":null}},\"speech_segments\":[],\"silence_intervals\":[";
    for (i = 0; i < 10000; i++) printf "%s[%.6f,%.6f]", i ? "," : "", i * 2.29876543 + 0.0912345,
        i * 2.29876543 + 2.2712345;
    print "]}" }' > "$WORK/toobig/long.vad.json"
rc=0
"$VS_BIN/vs-produce" --folder "$WORK/toobig" -o "$WORK/out6" --dry-run > /dev/null 2> "$WORK/toobig.log" || rc=$?
[[ $rc -eq 1 ]] && grep -q "the plan has 20001 segments, more than a job may carry" "$WORK/toobig.log" ||
    fail "a plan of 20001 segments: exit $rc, $(cat "$WORK/toobig.log")"
start_worker wD "${BIG_X[@]}"
wait_log "$WORK/wD.log" "assigned" 30
"$VS_BIN/vs-produce" --brokers "$ADDR" "${KAFKA_X[@]}" "${BIG_X[@]}" --folder "$WORK/big" \
    -o "$WORK/out4" --progress none --timeout 150 > "$WORK/produce4.out" 2> "$WORK/produce4.log" ||
    fail "vs-produce of the big job failed (exit $?): $(tail -n 3 "$WORK/produce4.log")"
grep -qx "Done. 1/1 videos processed." "$WORK/produce4.out" || fail "summary: $(cat "$WORK/produce4.out")"
d=$(probe "$WORK/out4/long.mp4" v:0 format=duration)
near "$d" 21651 2 || fail "the big job's output lasts $d s"

kafka_ctl tool topics --bootstrap-server BOOT --create --topic small.jobs --partitions 2 \
    --replication-factor 1 --config max.message.bytes=20000 > "$WORK/topics.out" 2>&1 ||
    fail "kafka-topics --create small.jobs: $(cat "$WORK/topics.out")"
start=$SECONDS
rc=0
"$VS_BIN/vs-produce" --brokers "$ADDR" "${KAFKA_X[@]}" "${BIG_X[@]}" --jobs-topic small.jobs \
    --folder "$WORK/big" -o "$WORK/out5" --progress none --timeout 60 \
    > "$WORK/produce5.out" 2> "$WORK/produce5.log" || rc=$?
note "refused: exit $rc after $((SECONDS - start)) s: $(grep -m1 "larger than" "$WORK/produce5.log")"
[[ $rc -eq 1 ]] || fail "vs-produce exited $rc for a job over the topic's limit"
[[ $((SECONDS - start)) -le 20 ]] || fail "vs-produce took $((SECONDS - start)) s to give up"
grep -q "larger than the broker accepts" "$WORK/produce5.log" ||
    fail "no clear reason: $(cat "$WORK/produce5.log")"
note "ok"
