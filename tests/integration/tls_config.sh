#!/usr/bin/env bash
# tls_config.sh - TLS / SASL settings go straight to librdkafka through -X,
# and a wrong one stops vs-worker and vs-produce at start-up with exactly
# one clear line on stderr and a non-zero exit (2), before any job is
# touched: a CA file that does not exist (checked when -X is read), a
# client certificate that does not exist, SASL without credentials, and a
# security.protocol librdkafka does not know.
source "$(dirname "$0")/lib.sh"

# one_line NAME REGEX COMMAND...: COMMAND fails at once with one line.
one_line() {
    local name=$1 re=$2 rc=0
    shift 2
    timeout 20 "$@" > "$WORK/$name.out" 2> "$WORK/$name.err" < /dev/null || rc=$?
    ((rc != 124)) || fail "$name: still running after 20 s"
    ((rc == 2)) || fail "$name: exit $rc, expected 2: $(cat "$WORK/$name.err")"
    [[ $(wc -l < "$WORK/$name.err") -eq 1 ]] ||
        fail "$name: expected one line on stderr, got:
$(cat "$WORK/$name.err")"
    grep -Eq -- "$re" "$WORK/$name.err" || fail "$name: '$(cat "$WORK/$name.err")' does not match '$re'"
    [[ ! -s $WORK/$name.out ]] || fail "$name: wrote to stdout: $(cat "$WORK/$name.out")"
    note "$name: $(cat "$WORK/$name.err")"
}

nocert=$WORK/no-such-ca.pem
bad=127.0.0.1:9 # nothing listens: nothing may be tried anyway
one_line worker-ca "^vs-worker: -X ssl\.ca\.location=$nocert: cannot read $nocert: No such file or directory$" \
    "$VS_BIN/vs-worker" --brokers "$bad" -X security.protocol=SSL -X "ssl.ca.location=$nocert"
one_line produce-ca "^vs-produce: -X ssl\.ca\.location=$nocert: cannot read $nocert: No such file or directory$" \
    "$VS_BIN/vs-produce" --brokers "$bad" -X security.protocol=SSL -X "ssl.ca.location=$nocert" \
    --folder "$FIX/session" -o "$WORK/out"
one_line worker-cert "ssl\.certificate\.location=$WORK/none\.crt: cannot read" \
    "$VS_BIN/vs-worker" --brokers "$bad" -X security.protocol=SSL \
    -X "ssl.certificate.location=$WORK/none.crt"
one_line produce-key "ssl\.key\.location=$WORK/none\.key: cannot read" \
    "$VS_BIN/vs-produce" --brokers "$bad" -X security.protocol=SSL \
    -X "ssl.key.location=$WORK/none.key" --folder "$FIX/session" -o "$WORK/out"
# A worker's log is stamped (ISO 8601, UTC, milliseconds) when stderr is
# not a terminal, as here.
stamp='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z '
one_line worker-sasl "^${stamp}vs-worker: error: .*sasl\.username and sasl\.password must be set" \
    "$VS_BIN/vs-worker" --brokers "$bad" -X security.protocol=SASL_SSL -X sasl.mechanism=PLAIN
one_line worker-protocol "^${stamp}vs-worker: error: .*security\.protocol=bogus" \
    "$VS_BIN/vs-worker" --brokers "$bad" -X security.protocol=bogus
[[ ! -e $WORK/out ]] || fail "vs-produce created its output folder before failing"
note "ok"
