#!/usr/bin/env bash
# vs-produce --notify URL against a real nginx on loopback: the JSON summary
# arrives as the body of a POST (Content-Type application/json, the counts
# of the batch, the bearer token from $VS_NOTIFY_TOKEN, which is never
# logged); a hook that answers 503 twice gets a third try after back-off; a
# port that accepts and never answers, a refused port and a 404 each end in
# one clear line on stderr within --notify-timeout, as does an https hook
# whose certificate is not trusted (TLS is verified); the exit code is the
# batch's in every case. Skips (77) without nginx.
set -euo pipefail
. "$(dirname "$0")/test_produce_lib.sh"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "SKIP: nginx is not installed"; exit 77; }

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The batches take no worker (nothing to publish), so they end at once:
# ok/: its only output exists (skipped) -> exit 0;
# bad/: one skipped, one not a video (failed) -> exit 1.
make_session "$T/ok" 2 a.mp4
mkdir -p "$T/ok-out" && echo old > "$T/ok-out/a.mp4"
make_session "$T/bad" 2 a.mp4
echo garbage > "$T/bad/d.mkv"
mkdir -p "$T/bad-out" && echo old > "$T/bad-out/a.mp4"

# nginx: /hook and /flaky proxy to a second server block, so nginx reads
# the request body and the access log can write it ($request_body);
# /flaky answers 503 until the flag file exists; /missing is a 404.
P=$(free_port)
P2=$(free_port)
PS=$(free_port)
N="$T/nginx"
mkdir -p "$N/tmp"
# A self-signed certificate for an https hook nobody should trust.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
    -keyout "$N/key.pem" -out "$N/cert.pem" 2>/dev/null || fail "openssl could not make a certificate"
chmod 755 "$T" "$N" "$N/tmp" # nginx's workers (nobody, when started as root) look for the flag
cat >"$N/nginx.conf" <<EOF
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
    client_body_buffer_size 1m;
    client_max_body_size 1m;
    log_format req '\$request_method \$uri \$status [\$content_type] [\$http_authorization]';
    log_format body escape=json '\$request_body';
    server {
        listen 127.0.0.1:$P2;
        access_log off;
        location / { return 204; }
    }
    server {
        listen 127.0.0.1:$P;
        access_log $N/requests.log req;
        location = /hook {
            access_log $N/requests.log req;
            access_log $N/body.log body;
            proxy_pass http://127.0.0.1:$P2;
        }
        location = /flaky {
            access_log $N/requests.log req;
            access_log $N/flaky-body.log body;
            if (!-f $N/flag) { return 503; }
            proxy_pass http://127.0.0.1:$P2;
        }
        location / { return 404; }
    }
    server {
        listen 127.0.0.1:$PS ssl;
        ssl_certificate $N/cert.pem;
        ssl_certificate_key $N/key.pem;
        access_log $N/requests.log req;
        location / { return 204; }
    }
}
EOF
"$NGINX" -p "$N" -c "$N/nginx.conf" 2>"$T/nginx.err" &
PIDS+=($!)
for _ in $(seq 100); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $P), 0.2)" 2>/dev/null && break
    sleep 0.1
done
python3 -c "import socket; socket.create_connection(('127.0.0.1', $P), 1)" \
    || fail "nginx did not start: $(cat "$T/nginx.err" "$N/error.log" 2>/dev/null)"

# A hook that accepts connections and never answers.
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
print(s.getsockname()[1], flush=True)
held = []
while True:
    held.append(s.accept())
' >"$T/stall.port" &
PIDS+=($!)
for _ in $(seq 50); do [ -s "$T/stall.port" ] && break; sleep 0.1; done
STALL=$(cat "$T/stall.port")
[ -n "$STALL" ] || fail "the stalling server did not start"
REFUSED=$(free_port) # nothing listens there

# 1. The failed batch (exit 1) notifies /hook with its summary and the token.
set +e
VS_NOTIFY_TOKEN=s3cret-token "$BIN/vs-produce" --folder "$T/bad" -o "$T/bad-out" --json -v \
    --notify "http://127.0.0.1:$P/hook?key=abc" >"$T/run1.json" 2>"$T/run1.err"
rc=$?
set -e
[ $rc -eq 1 ] || fail "a failed batch with a working hook exits $rc, want 1"
[ "$(grep -c '^POST /hook ' "$N/requests.log")" -eq 1 ] \
    || fail "want one POST to /hook: $(cat "$N/requests.log")"
grep -q '^POST /hook 204 \[application/json\] \[Bearer s3cret-token\]$' "$N/requests.log" \
    || fail "the POST lacks the JSON type or the token: $(cat "$N/requests.log")"
grep -q 's3cret-token\|key=abc' "$T/run1.err" && fail "a secret is in the log"
grep -q "notified http://127.0.0.1:$P " "$T/run1.err" || fail "no note of the notification"
python3 - "$N/body.log" "$T/run1.json" <<'PY' || fail "the posted body is not the JSON summary"
import json, sys
raw = open(sys.argv[1]).read().rstrip("\n")
body = json.loads(json.loads('"' + raw + '"'))  # the log escapes the body as a JSON string
printed = json.load(open(sys.argv[2]))
assert (body["total"], body["processed"], body["skipped"], body["failed"]) == (2, 0, 1, 1), body
assert body["summary"] == "Done. 0/2 videos processed, 1 skipped, 1 failed.", body["summary"]
assert body == printed, (body, printed)  # the same document --json prints
states = sorted((f["file"], f["state"]) for f in body["files"])
assert states == [("a.mp4", "skipped"), ("d.mkv", "failed")], states
PY

# 2. /flaky answers 503 until the flag exists; the flag appears after two
# 503s, so the third try (after 0.5 s + 1 s of back-off) succeeds.
( for _ in $(seq 200); do
      [ "$(grep -c '^POST /flaky 503' "$N/requests.log" || true)" -ge 2 ] && { touch "$N/flag"; exit; }
      sleep 0.05
  done ) &
PIDS+=($!)
"$BIN/vs-produce" --folder "$T/ok" -o "$T/ok-out" --notify-timeout 20 \
    --notify "http://127.0.0.1:$P/flaky" >"$T/run2.out" 2>"$T/run2.err" \
    || fail "a good batch with a flaky hook exits non-zero"
[ "$(grep '^POST /flaky ' "$N/requests.log" | awk '{print $3}' | tr '\n' ' ')" = "503 503 204 " ] \
    || fail "want 503, 503, 204 on /flaky: $(grep flaky "$N/requests.log"; ls "$N")"
python3 - "$N/flaky-body.log" <<'PY' || fail "the third try carried no summary"
import json, sys
raw = open(sys.argv[1]).read().splitlines()[-1]
body = json.loads(json.loads('"' + raw + '"'))
assert (body["total"], body["processed"], body["skipped"], body["failed"]) == (1, 0, 1, 0), body
PY
[ "$(grep -ci 'error\|notify' "$T/run2.err" || true)" -eq 0 ] \
    || fail "a notification that succeeded in the end left a message: $(cat "$T/run2.err")"

# 3. Stalled, refused and 404 hooks: one line each, in time, exit unchanged.
start=$(date +%s.%N)
set +e
"$BIN/vs-produce" --folder "$T/bad" -o "$T/bad-out" --notify-timeout 3 \
    --notify "http://127.0.0.1:$STALL/hook" --notify "http://127.0.0.1:$REFUSED/hook" \
    --notify "http://127.0.0.1:$P/missing" >"$T/run3.out" 2>"$T/run3.err"
rc=$?
set -e
took=$(python3 -c "import time; print(round(time.time() - $start, 1))")
[ $rc -eq 1 ] || fail "a failed batch with broken hooks exits $rc, want 1"
python3 -c "import sys; sys.exit($took > 12)" || fail "notifying took $took s with --notify-timeout 3"
[ "$(tail -n 1 "$T/run3.out")" = "Done. 0/2 videos processed, 1 skipped, 1 failed." ] \
    || fail "summary: $(tail -n 1 "$T/run3.out")"
[ "$(grep -c 'notify' "$T/run3.err")" -eq 3 ] || fail "want three notify lines: $(cat "$T/run3.err")"
grep -Eq "notify http://127.0.0.1:$STALL: gave up after 1 try in [0-9.]+ s: .*(timed out|[Tt]imeout)" "$T/run3.err" \
    || fail "the stalled hook: $(grep "$STALL" "$T/run3.err")"
grep -q "notify http://127.0.0.1:$REFUSED: gave up after [2-9] tries .*onnect" "$T/run3.err" \
    || fail "the refused hook (tried again?): $(grep "$REFUSED" "$T/run3.err")"
grep -q "notify http://127.0.0.1:$P: gave up after 1 try in [0-9.]* s: HTTP 404$" "$T/run3.err" \
    || fail "the 404 hook (not tried again?): $(grep ":$P" "$T/run3.err")"
[ "$(grep -c '^POST /missing 404' "$N/requests.log")" -eq 1 ] || fail "/missing was tried again"

# 4. TLS is verified: a self-signed https hook is refused, not posted to.
"$BIN/vs-produce" --folder "$T/ok" -o "$T/ok-out" --notify-timeout 5 \
    --notify "https://127.0.0.1:$PS/hook" >"$T/run4.out" 2>"$T/run4.err" \
    || fail "a good batch with an untrusted https hook exits non-zero"
[ "$(grep -c notify "$T/run4.err")" -eq 1 ] || fail "want one notify line: $(cat "$T/run4.err")"
grep -Eq "^vs-produce: error: notify https://127.0.0.1:$PS: gave up after 1 try in [0-9.]+ s: .*certificate" \
    "$T/run4.err" || fail "the untrusted hook: $(cat "$T/run4.err")"
[ "$(grep -c '^POST /hook ' "$N/requests.log")" -eq 1 ] || fail "the untrusted https hook got the summary"

# 5. The same without --notify exits the same: the hooks changed nothing.
set +e
"$BIN/vs-produce" --folder "$T/bad" -o "$T/bad-out" >/dev/null 2>&1
rc=$?
set -e
[ $rc -eq 1 ] || fail "the failed batch alone exits $rc"
echo ok
