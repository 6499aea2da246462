#!/usr/bin/env python3
"""http_helper.py - the faulty HTTP servers of http_io.sh, on loopback.

Usage: http_helper.py DIR LOG   (prints its port, then serves DIR)
  /cut/NAME    the first request gets the full Content-Length but only
               half the body, then the connection closes; a Range
               request gets the rest (206)
  /stall/NAME  the first request gets the headers and a few bytes, then
               nothing (the connection stays open); later ones the file
Each request is one line in LOG: "PATH RANGE-HEADER".
"""
import http.server
import os
import sys
import threading
import time

ROOT, LOG = sys.argv[1], sys.argv[2]
seen = {}
lock = threading.Lock()


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_GET(self):
        rng = self.headers.get("Range", "-")
        with lock:
            n = seen.get(self.path, 0)
            seen[self.path] = n + 1
            with open(LOG, "a") as f:
                f.write(f"{self.path} {rng}\n")
        parts = self.path.split("/")
        if len(parts) != 3 or parts[1] not in ("cut", "stall"):
            self.send_error(404)
            return
        path = os.path.join(ROOT, parts[2])
        data = open(path, "rb").read()
        start = 0
        if rng.startswith("bytes="):
            start = int(rng[6:].split("-")[0])
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        if n == 0 and parts[1] == "cut":
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if n == 0 and parts[1] == "stall":
            self.wfile.write(body[:100])
            self.wfile.flush()
            time.sleep(3600)
            return
        self.wfile.write(body)


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
srv.daemon_threads = True
print(srv.server_address[1], flush=True)
srv.serve_forever()
