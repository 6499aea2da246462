#!/usr/bin/env bash
# http_io.sh - http(s) inputs and --upload through a worker, against a
# real nginx on loopback (and a small python3 server for the faults):
#  - an input served by nginx is downloaded, re-timed and the output PUT
#    to nginx's WebDAV folder (dav_methods PUT); the done status names the
#    upload URL without its query; --upload-remove removed the local copy;
#  - a download that answers 503 twice succeeds on the third try;
#  - a download cut in the middle goes on with a Range request (resume);
#  - a download that stalls (low-speed limit) is tried again;
#  - a 404 fails the job at once (attempts 1, no retry, no dead letter)
#    and does not pause the worker (--fail-streak 1);
#  - an input over --max-download is refused before it is decoded, and an
#    https input whose certificate does not verify fails at once too;
#  - the bearer token ($VS_HTTP_BEARER) reaches nginx and never a log or
#    a status, nor does the upload URL's query;
#  - the scratch folder is empty afterwards, and one outside the roots is
#    refused at start (and not created);
#  - vs-produce --input-url BASE makes such jobs (names percent-encoded),
#    and its local workers take --upload / --upload-remove.
# Skips (77) without nginx.
source "$(dirname "$0")/lib.sh"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[[ -x $NGINX ]] || { echo "SKIP: nginx is not installed"; exit 77; }

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
TOKEN=tok-$RANDOM-s3cret
QUERY=X-Sig=q-$RANDOM-s3cret

N=$WORK/nginx
mkdir -p "$N/tmp" "$N/www/flaky" "$N/dav" "$WORK/out" "$WORK/scratch" "$WORK/py"
cp "$FIX/session/v1.mp4" "$N/www/"
cp "$FIX/session/v4.mp4" "$N/www/flaky/"
cp "$FIX/session/v2.mp4" "$FIX/session/v3.mp4" "$WORK/py/"
head -c 3000000 /dev/urandom > "$N/www/big.mp4"
chmod -R a+rwX "$N" && chmod 755 "$WORK"
P=$(free_port)
PS=$(free_port)
# A self-signed certificate nobody trusts: TLS is verified by default.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
    -keyout "$N/key.pem" -out "$N/cert.pem" 2>/dev/null || fail "openssl could not make a certificate"
cat > "$N/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $N/nginx.pid;
error_log $N/error.log;
events { worker_connections 64; }
http {
    client_body_temp_path $N/tmp/body;
    proxy_temp_path $N/tmp/proxy;
    fastcgi_temp_path $N/tmp/fastcgi;
    uwsgi_temp_path $N/tmp/uwsgi;
    scgi_temp_path $N/tmp/scgi;
    client_max_body_size 100m;
    log_format req '\$request_method \$uri \$status [\$http_authorization] [\$http_range]';
    access_log $N/requests.log req;
    server {
        listen 127.0.0.1:$P;
        location /dav/ {
            root $N;
            dav_methods PUT;
            create_full_put_path on;
        }
        location /flaky/ {
            root $N/www;
            if (!-f $N/flag) { return 503; }
        }
        location / { root $N/www; }
    }
    server {
        listen 127.0.0.1:$PS ssl;
        ssl_certificate $N/cert.pem;
        ssl_certificate_key $N/key.pem;
        location / { root $N/www; }
    }
}
CONF
"$NGINX" -p "$N" -c "$N/nginx.conf" 2> "$WORK/nginx.err" &
PIDS+=($!)
python3 "$VS_SRC/tests/integration/http_helper.py" "$WORK/py" "$WORK/py.log" > "$WORK/py.port" &
PIDS+=($!)
for _ in $(seq 100); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $P), 0.2)" 2>/dev/null &&
        [[ -s $WORK/py.port ]] && break
    sleep 0.1
done
PY=$(cat "$WORK/py.port")
[[ -n $PY ]] || fail "the python server did not start"
python3 -c "import socket; socket.create_connection(('127.0.0.1', $P), 1)" ||
    fail "nginx did not start: $(cat "$WORK/nginx.err" "$N/error.log" 2>/dev/null)"
# /flaky answers 503 until two 503s were logged.
( for _ in $(seq 600); do
      [[ $(grep -c '^GET /flaky/v4.mp4 503' "$N/requests.log" || true) -ge 2 ]] && { touch "$N/flag"; exit; }
      sleep 0.05
  done ) &
PIDS+=($!)

note "--scratch outside the roots is refused, and not made"
outside=$(mktemp -u "${TMPDIR:-/tmp}/vs-outside.XXXXXX")
set +e
"$VS_BIN/vs-worker" --brokers 127.0.0.1:9 "${WORKER_ROOTS[@]}" --scratch "$outside" 2> "$WORK/outside.err"
rc=$?
set -e
[[ $rc -eq 2 ]] || fail "--scratch outside the roots exits $rc, want 2"
grep -q "must lie inside the roots" "$WORK/outside.err" || fail "no reason: $(cat "$WORK/outside.err")"
[[ ! -e $outside ]] || { rmdir "$outside"; fail "--scratch outside the roots was created"; }

start_broker
VS_HTTP_BEARER=$TOKEN start_worker wH --fail-streak 1 --max-attempts 3 \
    --scratch "$WORK/scratch" --max-download 1M --http-stall 2 --http-tries 4 \
    --upload "http://127.0.0.1:$P/dav/{name}?$QUERY" --upload-remove
wait_log "$WORK/wH.log" "assigned 16" 20

# job NAME URL: a job for session/NAME.mp4 whose input is URL.
job() {
    make_job "$1" "$WORK/out" | jq -c --arg u "$2" '.input = $u'
}
{
    job v1 "http://127.0.0.1:$P/v1.mp4"
    job v4 "http://127.0.0.1:$P/flaky/v4.mp4"
    job v2 "http://127.0.0.1:$PY/cut/v2.mp4"
    job v3 "http://127.0.0.1:$PY/stall/v3.mp4"
    job v5 "http://127.0.0.1:$P/missing.mp4" | jq -c '.job_id = "http_io-missing"'
    job v6 "http://127.0.0.1:$P/big.mp4" | jq -c '.job_id = "http_io-big"'
    job v1 "https://127.0.0.1:$PS/v1.mp4" | jq -c '.job_id = "http_io-tls"'
} > "$WORK/jobs.jsonl"
produce_jobs "$WORK/jobs.jsonl"

st=$WORK/status.jsonl
for _ in $(seq 90); do
    status_dump "$st"
    [[ $(count "$st" '.type == "done" or .type == "failed"') -ge 7 ]] && break
    sleep 1
done
[[ $(count "$st" '.type == "done"') -eq 4 ]] ||
    fail "want 4 done: $(jq -c 'select(.type == "done" or .type == "failed" or .type == "retry")' "$st")"

note "uploads: on nginx's WebDAV folder, not left locally"
for v in v1 v2 v3 v4; do
    check_output "$N/dav/$v.mp4" 4.875 122
    [[ ! -e $WORK/out/$v.mp4 ]] || fail "--upload-remove left $v.mp4"
    [[ $(count "$st" ".type == \"done\" and .job_id == \"http_io-$v\" and
        .url == \"http://127.0.0.1:$P/dav/$v.mp4\"") -eq 1 ]] ||
        fail "$v: the done status lacks the upload URL: $(jq -c "select(.job_id == \"http_io-$v\")" "$st")"
done
[[ $(grep -c '^PUT /dav/v1.mp4 201' "$N/requests.log") -eq 1 ]] || fail "no PUT of v1: $(cat "$N/requests.log")"

note "retries: 503 twice, a cut, a stall"
[[ $(grep '^GET /flaky/v4.mp4 ' "$N/requests.log" | awk '{print $3}' | tr '\n' ' ') == "503 503 200 " ]] ||
    fail "want 503 503 200 for the flaky input: $(grep flaky "$N/requests.log")"
grep -q '^/cut/v2.mp4 -$' "$WORK/py.log" || fail "no first request of the cut file"
half=$(( $(stat -c %s "$FIX/session/v2.mp4") / 2 ))
grep -q "^/cut/v2.mp4 bytes=$half-\$" "$WORK/py.log" ||
    fail "the cut download did not resume at byte $half: $(cat "$WORK/py.log")"
[[ $(grep -c '^/stall/v3.mp4' "$WORK/py.log") -ge 2 ]] || fail "the stalled download was not tried again"
[[ $(count "$st" '.type == "retry"') -eq 0 ]] || fail "a transient HTTP failure cost a job attempt"

note "404 and the size limit: the job's permanent errors"
[[ $(count "$st" '.type == "failed" and .job_id == "http_io-missing" and .attempts == 1 and
    .rejected == false and (.error | contains("HTTP 404"))') -eq 1 ]] ||
    fail "the 404: $(jq -c 'select(.job_id == "http_io-missing")' "$st")"
[[ $(grep -c '^GET /missing.mp4 404' "$N/requests.log") -eq 1 ]] || fail "the 404 was tried again"
[[ $(count "$st" '.type == "failed" and .job_id == "http_io-big" and .attempts == 1 and
    (.error | contains("size limit"))') -eq 1 ]] ||
    fail "the size limit: $(jq -c 'select(.job_id == "http_io-big")' "$st")"
[[ $(count "$st" '.type == "failed" and .job_id == "http_io-tls" and .attempts == 1 and
    (.error | test("certificate|SSL"))') -eq 1 ]] ||
    fail "an untrusted certificate: $(jq -c 'select(.job_id == "http_io-tls")' "$st")"
! grep -q "taking no jobs" "$WORK/wH.log" || fail "a 404 paused the worker"
[[ $(count "$st" '.type == "heartbeat" and .paused_s > 0') -eq 0 ]] || fail "a heartbeat shows a pause"
n=$(kcat -b "$ADDR" -C -t vs.jobs.dead -o beginning -e -q 2>/dev/null | wc -l || true)
[[ $n -eq 0 ]] || fail "an http failure ended on the dead-letter topic"

note "secrets: the token reached nginx, and nothing else"
grep -q "^GET /v1.mp4 200 \[Bearer $TOKEN\]" "$N/requests.log" || fail "nginx got no bearer token"
grep -q "^PUT /dav/v1.mp4 201 \[Bearer $TOKEN\]" "$N/requests.log" || fail "the PUT had no token"
! grep -rq -e "$TOKEN" -e "$QUERY" "$WORK"/*.log "$WORK"/*.out "$st" ||
    fail "a secret leaked: $(grep -r -e "$TOKEN" -e "$QUERY" "$WORK"/*.log "$WORK"/*.out "$st" | head -3)"

note "scratch: empty"
[[ -z $(ls -A "$WORK/scratch") ]] || fail "scratch holds: $(ls -A "$WORK/scratch")"
kill -0 "$PID_wH" 2>/dev/null || fail "the worker died"

note "vs-produce --input-url with local workers and --upload --upload-remove"
mkdir -p "$N/www/sess" "$WORK/pout"
cp "$FIX/session/v1.mp4" "$FIX/session/session.vad.json" "$N/www/sess/"
cp "$FIX/session/v2.mp4" "$N/www/sess/my talk.mp4"
chmod -R a+rX "$N/www/sess"
VS_HTTP_BEARER=$TOKEN "$VS_BIN/vs-produce" --folder "$N/www/sess" -o "$WORK/pout" \
    --input-url "http://127.0.0.1:$P/sess/" --upload "http://127.0.0.1:$P/dav/p/{name}" \
    --upload-remove --encoder cpu --progress none > "$WORK/produce.out" 2> "$WORK/produce.log" ||
    fail "vs-produce --input-url: $(tail -n 5 "$WORK/produce.log")"
# nginx logs the decoded $uri; a raw space would have been a 400.
grep -q '^GET /sess/my talk.mp4 200' "$N/requests.log" || fail "no download of 'my talk.mp4'"
check_output "$N/dav/p/v1.mp4" 4.875 122
check_output "$N/dav/p/my talk.mp4" 4.875 122
[[ -z $(ls -A "$WORK/pout") ]] || fail "--upload-remove left: $(ls -A "$WORK/pout")"
[[ -z $(ls -A "$N/www/sess/.vs-scratch") ]] || fail "the local scratch holds files"
! grep -q -e "$TOKEN" "$WORK/produce.log" "$WORK/produce.out" || fail "the token is in vs-produce's output"
note "ok"
