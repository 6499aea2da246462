#!/usr/bin/env bash
# kafka_secure.sh - the farm on a secured Apache Kafka ($VS_IT_KAFKA):
# SASL_SSL with SCRAM-SHA-512 for vs-produce (users made when the
# storage is formatted), mutual TLS for the workers (certificates made
# here with openssl, signed by the broker's CA), and ACLs
# (StandardAuthorizer, nothing allowed without an ACL) as
# docs/operations.md lists them. scripts/kafka.sh --secure also opens a
# PLAINTEXT listener on loopback for the administrator (topics, ACLs, and
# kcat reading the status topic here).
#
# 1. A worker that may not create topics warns once that creating them
#    was refused; after an administrator made them, two workers and
#    vs-produce process a folder: 6/6 done, outputs checked.
# 2. Refusals, each within 20 s, with a non-zero exit and one line saying
#    why: a wrong SCRAM password; a CA that did not sign the broker's
#    certificate (vs-produce); a worker certificate from an unknown CA;
#    a user without the Write ACL on vs.jobs.
# librdkafka before 2.6.1 (Debian 12 has 2.0.2) cannot log in with SCRAM
# to Kafka 4 brokers (it repeats the client nonce, which Kafka 4 rejects:
# librdkafka PR #4895). There the test checks that the right password is
# refused with the explanation, and vs-produce uses mutual TLS instead.
source "$(dirname "$0")/lib.sh"

start_kafka --secure --scram vs-produce:produce-secret --scram vs-reader:reader-secret
SASL_ADDR=$ADDR
SSL_ADDR=$(awk '$1 == "SSL" { print $2 }' "$WORK/kafka.addr")
ADMIN=$(awk '$1 == "ADMIN" { print $2 }' "$WORK/kafka.addr")
[[ -n $SSL_ADDR && -n $ADMIN ]] || fail "no SSL or ADMIN listener: $(cat "$WORK/kafka.addr")"
CA=$KAFKA_DIR/tls/ca.pem

# cert NAME CA_PREFIX: a client key and certificate (CN=NAME).
cert() {
    openssl req -newkey rsa:2048 -nodes -subj "/CN=$1" -keyout "$WORK/$1.key" \
        -out "$WORK/$1.csr" 2>/dev/null &&
    openssl x509 -req -in "$WORK/$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial \
        -days 2 -out "$WORK/$1.pem" 2>/dev/null || fail "openssl could not make $1's certificate"
}
cert vs-worker "$KAFKA_DIR/tls/ca"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=rogue-ca" \
    -keyout "$WORK/rogue-ca.key" -out "$WORK/rogue-ca.pem" 2>/dev/null || fail "openssl: rogue CA"
cert rogue-worker "$WORK/rogue-ca"

rdk=$(kcat -V 2>&1 | sed -n 's/.*librdkafka \([0-9][0-9.]*\).*/\1/p' | head -n1)
kv=$(. "$KAFKA_DIR/cluster.env"; echo "$VERSION")
scram_ok=1
if [[ ${kv%%.*} -ge 4 ]] && ! printf '2.6.1\n%s\n' "$rdk" | sort -V -C; then
    scram_ok=0
fi
note "Kafka $kv, librdkafka $rdk: SCRAM $([[ $scram_ok == 1 ]] && echo works || echo "is refused")"
cert vs-produce "$KAFKA_DIR/tls/ca"
cert vs-reader "$KAFKA_DIR/tls/ca"
SASL_X=(-X security.protocol=SASL_SSL -X sasl.mechanisms=SCRAM-SHA-512 -X "ssl.ca.location=$CA")
TLS_X=(-X security.protocol=SSL -X "ssl.ca.location=$CA")
# tls_as NAME: the -X options of a client logging in with NAME's certificate.
tls_as() { echo "${TLS_X[@]}" -X "ssl.certificate.location=$WORK/$1.pem" -X "ssl.key.location=$WORK/$1.key"; }
read -r -a WORKER_X <<< "$(tls_as vs-worker)"
if [[ $scram_ok == 1 ]]; then
    PRODUCE_ADDR=$SASL_ADDR
    PRODUCE_X=("${SASL_X[@]}" -X sasl.username=vs-produce -X sasl.password=produce-secret)
    READER_X=("${SASL_X[@]}" -X sasl.username=vs-reader -X sasl.password=reader-secret)
    READER_ADDR=$SASL_ADDR
else
    PRODUCE_ADDR=$SSL_ADDR
    read -r -a PRODUCE_X <<< "$(tls_as vs-produce)"
    READER_ADDR=$SSL_ADDR
    read -r -a READER_X <<< "$(tls_as vs-reader)"
fi

acl() {
    kafka_ctl tool acls --bootstrap-server BOOT --add "$@" >> "$WORK/acls.out" 2>&1 ||
        fail "kafka-acls $*: $(tail -n 5 "$WORK/acls.out")"
}
# The ACLs of docs/operations.md.
acl --allow-principal User:vs-produce --operation Write --operation Describe --topic vs.jobs
acl --allow-principal User:vs-produce --operation Read --operation Describe --topic vs.status
acl --allow-principal User:vs-produce --operation Read --group vs-produce-status
acl --allow-principal User:vs-worker --operation Read --operation Write --operation Describe \
    --topic vs.jobs --topic vs.status
acl --allow-principal User:vs-worker --operation Write --operation Describe --topic vs.jobs.dead
acl --allow-principal User:vs-worker --operation Read --group vs-workers --group vs-status-reader
acl --allow-principal User:vs-reader --operation Read --operation Describe --topic vs.status
acl --allow-principal User:vs-reader --operation Read --group vs-produce-status

note "1. a worker may not create the topics"
ADDR=$SSL_ADDR
start_worker w0 "${WORKER_X[@]}"
wait_log "$WORK/w0.log" "creating topic.*refused|creating topics refused" 30
grep -E "refused" "$WORK/w0.log" | head -n 3
kill -TERM "$PID_w0"
wait_exit "$PID_w0" 30
for t in vs.jobs:16 vs.status:1 vs.jobs.dead:1; do
    kafka_ctl tool topics --bootstrap-server BOOT --create --topic "${t%:*}" \
        --partitions "${t#*:}" --replication-factor 1 > "$WORK/topics.out" 2>&1 ||
        fail "kafka-topics --create ${t%:*}: $(cat "$WORK/topics.out")"
done
note "the administrator made the topics"
start_worker wA "${WORKER_X[@]}"
start_worker wB "${WORKER_X[@]}"
wait_log "$WORK/wA.log" "assigned" 30
wait_log "$WORK/wB.log" "assigned" 30
"$VS_BIN/vs-produce" --brokers "$PRODUCE_ADDR" "${KAFKA_X[@]}" "${PRODUCE_X[@]}" \
    --folder "$FIX/session" -o "$WORK/out" --progress none --timeout 120 \
    > "$WORK/produce.out" 2> "$WORK/produce.log" || fail "vs-produce failed (exit $?)"
grep -qx "Done. 6/6 videos processed." "$WORK/produce.out" || fail "summary: $(cat "$WORK/produce.out")"
for i in 1 2 3 4 5 6; do
    check_output "$WORK/out/v$i.mp4" 4.875 122
done
kcat -b "$ADMIN" -C -t vs.status -o beginning -e -q -f '%s\n' > "$WORK/status.jsonl" 2>/dev/null ||
    fail "kcat could not read vs.status"
for w in wA wB; do
    [[ $(count "$WORK/status.jsonl" ".type == \"done\" and .worker == \"$w\"") -ge 1 ]] ||
        fail "$w did no job"
done
grep -Ei "error|warning" "$WORK/produce.log" && fail "vs-produce warned on the secured farm"

# refused NAME PATTERN CMD...: CMD exits non-zero within 20 s with exactly
# one line matching PATTERN on stderr (and reports no outage after it).
refused() {
    local name=$1 pat=$2 rc=0 t0=$SECONDS
    shift 2
    timeout 60 "$@" > "$WORK/$name.out" 2> "$WORK/$name.log" || rc=$?
    local took=$((SECONDS - t0))
    note "$name: exit $rc after $took s: $(grep -E -m1 "$pat" "$WORK/$name.log")"
    [[ $rc -ne 0 && $rc -ne 124 ]] || fail "$name: exit $rc"
    [[ $took -le 20 ]] || fail "$name: took $took s"
    [[ $(grep -Ec "$pat" "$WORK/$name.log") -eq 1 ]] ||
        fail "$name: expected one line matching '$pat': $(cat "$WORK/$name.log")"
    # librdkafka may report the broker down a moment before it says why
    # (the TLS handshake's verdict): one outage warning before the refusal
    # is tolerated, none after it (that would be an outage, not a refusal).
    local first_refusal
    first_refusal=$(grep -En "$pat" "$WORK/$name.log" | head -n 1 | cut -d: -f1)
    awk -v r="$first_refusal" 'NR > r && /no broker reachable/ { bad = 1 } END { exit !bad }' \
        "$WORK/$name.log" && fail "$name: reported as an outage"
    return 0
}

note "2. refusals"
if [[ $scram_ok == 0 ]]; then
    refused scram_kafka4 "authentication failed.*cannot log in with SCRAM to Kafka 4" \
        "$VS_BIN/vs-produce" --brokers "$SASL_ADDR" "${SASL_X[@]}" -X sasl.username=vs-produce \
        -X sasl.password=produce-secret --folder "$FIX/session" -o "$WORK/out1" --progress none
fi
refused wrong_password "authentication failed" \
    "$VS_BIN/vs-produce" --brokers "$SASL_ADDR" "${SASL_X[@]}" -X sasl.username=vs-produce \
    -X sasl.password=not-the-password --folder "$FIX/session" -o "$WORK/out2" --progress none
refused unknown_ca "TLS refused.*certificate verify failed" \
    "$VS_BIN/vs-produce" --brokers "$SASL_ADDR" -X security.protocol=SASL_SSL \
    -X sasl.mechanisms=SCRAM-SHA-512 -X sasl.username=vs-produce -X sasl.password=produce-secret \
    -X "ssl.ca.location=$WORK/rogue-ca.pem" --folder "$FIX/session" -o "$WORK/out3" --progress none
refused rogue_worker "TLS refused|authentication failed" \
    "$VS_BIN/vs-worker" --brokers "$SSL_ADDR" "${TLS_X[@]}" --worker-id wR \
    -X "ssl.certificate.location=$WORK/rogue-worker.pem" -X "ssl.key.location=$WORK/rogue-worker.key" \
    --gpu-lock-dir "$WORK/gpu-slots" "${WORKER_ROOTS[@]}"
rc=0
t0=$SECONDS
timeout 60 "$VS_BIN/vs-produce" --brokers "$READER_ADDR" "${KAFKA_X[@]}" "${READER_X[@]}" \
    --folder "$FIX/session" -o "$WORK/out4" --progress none > "$WORK/no_write.out" 2> "$WORK/no_write.log" || rc=$?
note "no_write: exit $rc after $((SECONDS - t0)) s: $(grep -m1 "not allowed" "$WORK/no_write.log")"
[[ $rc -ne 0 && $rc -ne 124 ]] || fail "no_write: exit $rc"
[[ $((SECONDS - t0)) -le 20 ]] || fail "no_write: took $((SECONDS - t0)) s"
[[ $(grep -c "error: not allowed to write to vs.jobs (Kafka ACL" "$WORK/no_write.log") -eq 1 ]] ||
    fail "no_write: no clear reason: $(cat "$WORK/no_write.log")"
note "ok"
