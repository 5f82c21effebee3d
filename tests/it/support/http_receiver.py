#!/usr/bin/env python3
"""A real HTTP receiver on loopback for the webhook tests.

Usage: http_receiver.py DIR [PORT] [PLAN]
Listens on 127.0.0.1:PORT (0: any free port), writes the port to DIR/port,
and appends every request to DIR/requests.jsonl as one JSON object:
{"path", "headers", "body", "answer"}. PLAN is a comma-separated list of
answers for the first requests, in order: an HTTP status ("500", "410") or
"hang" (wait 5 s, then 200: longer than the sender's timeout). Once the plan
is used up every request gets 200.
"""
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DIR = sys.argv[1]
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 0
PLAN = [p for p in (sys.argv[3] if len(sys.argv) > 3 else "").split(",") if p]
LOCK = threading.Lock()


def next_answer():
    with LOCK:
        return PLAN.pop(0) if PLAN else "200"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode("utf-8", "replace")
        answer = next_answer()
        record = {
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body,
            "answer": answer,
        }
        with LOCK:
            with open(os.path.join(DIR, "requests.jsonl"), "a") as log:
                log.write(json.dumps(record) + "\n")
        if answer == "hang":
            time.sleep(5)
            answer = "200"
        self.send_response(int(answer))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
server.daemon_threads = True
with open(os.path.join(DIR, "port.tmp"), "w") as f:
    f.write(str(server.server_address[1]))
os.replace(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
server.serve_forever()
