#!/usr/bin/env python3
"""A local OAuth2 token endpoint for tests (standard library only).

    token-server.py [--port N] [--parent-pid PID]

Listens on 127.0.0.1 only and prints `TOKEN_PORT=N` on stdout once it
accepts connections. Exits when --parent-pid is gone (so a test binary that
never drops its servers leaves none behind), or on SIGTERM/SIGINT.

Endpoints (every answer is JSON):

  POST /token        the refresh-token grant (RFC 6749 section 6), form body
                     grant_type, refresh_token, client_id [, client_secret,
                     scope]. A known refresh token (see /control/grant) gets
                     {"access_token", "token_type": "Bearer", "expires_in"}
                     and, when its grant rotates, a new "refresh_token" (the
                     old one then stops working). Unknown or revoked:
                     400 {"error": "invalid_grant", ...}; a wrong client id or
                     secret: 401 {"error": "invalid_client"}.
  POST /introspect   for Dovecot's oauth2 passdb (introspection_mode = post,
                     form body token=...): {"active": true, "username": USER}
                     for a live access token, else {"active": false}.
  POST /control/grant    JSON {"refresh_token", "user", "client_id",
                         "client_secret" (optional), "expires_in" (default
                         3600), "rotate" (default false)}: a refresh token
                         that issues tokens for USER.
  POST /control/revoke   JSON {"refresh_token"}: refuse it from now on.
  POST /control/expire   JSON {"user"}: every access token of USER dies now
                         (an access token past its end, without waiting).
  POST /control/refuse   JSON {"user", "count"}: the next COUNT checks of
                         USER's tokens (/introspect) say inactive, as a
                         server does for a token it no longer takes.
  GET  /control/log?user=USER
                     the requests about USER so far, oldest first:
                     {"path", "ok", "refresh_token" (for /token)}.

Access tokens die only through /control/expire, never by the wall clock:
tests decide when a token is stale. The log never holds access tokens.
"""

import argparse
import json
import os
import secrets
import signal
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOST = "127.0.0.1"  # never bind anything else

LOCK = threading.Lock()
GRANTS = {}  # refresh token -> {"user", "client_id", "client_secret", "expires_in", "rotate"}
ACCESS = {}  # access token -> user (live tokens only)
LOG = []  # {"user", "path", "ok", "refresh_token"?}
REFUSE = {}  # user -> how many more introspections to refuse


def issue(grant):
    """A new access token for the grant's user (caller holds LOCK)."""
    token = "at-" + secrets.token_urlsafe(18)
    ACCESS[token] = grant["user"]
    return token


class Handler(BaseHTTPRequestHandler):
    server_version = "leadmail-token-server"

    def log_message(self, fmt, *args):  # quiet: the /control/log is the record
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length).decode("utf-8", "replace")

    def form(self):
        return {k: v[0] for k, v in urllib.parse.parse_qs(self.body()).items()}

    def do_POST(self):
        routes = {
            "/token": self.token,
            "/introspect": self.introspect,
            "/control/grant": self.control_grant,
            "/control/revoke": self.control_revoke,
            "/control/expire": self.control_expire,
            "/control/refuse": self.control_refuse,
        }
        route = routes.get(self.path)
        if route is None:
            self.answer(404, {"error": "not_found"})
            return
        route()

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/control/log":
            self.answer(404, {"error": "not_found"})
            return
        user = urllib.parse.parse_qs(url.query).get("user", [None])[0]
        with LOCK:
            entries = [e for e in LOG if user is None or e["user"] == user]
        self.answer(200, entries)

    def token(self):
        form = self.form()
        refresh = form.get("refresh_token", "")
        with LOCK:
            grant = GRANTS.get(refresh)
            status, body = self.grant_answer(form, grant)
            if grant is not None:
                LOG.append({"user": grant["user"], "path": "/token",
                            "ok": status == 200, "refresh_token": refresh})
        self.answer(status, body)

    def grant_answer(self, form, grant):
        """The /token answer for a request (caller holds LOCK)."""
        if form.get("grant_type") != "refresh_token":
            return 400, {"error": "unsupported_grant_type"}
        if grant is None or grant.get("revoked"):
            return 400, {"error": "invalid_grant",
                         "error_description": "Token has been expired or revoked."}
        if form.get("client_id") != grant["client_id"] \
                or form.get("client_secret") != grant.get("client_secret"):
            return 401, {"error": "invalid_client", "error_description": "Unauthorized"}
        body = {"access_token": issue(grant), "token_type": "Bearer",
                "expires_in": grant["expires_in"]}
        if grant["rotate"]:
            new = "rt-" + secrets.token_urlsafe(12)
            GRANTS[new] = dict(grant)
            grant["revoked"] = True
            body["refresh_token"] = new
        return 200, body

    def introspect(self):
        token = self.form().get("token", "")
        with LOCK:
            user = ACCESS.get(token)
            if user is not None and REFUSE.get(user, 0) > 0:
                REFUSE[user] -= 1
                LOG.append({"user": user, "path": "/introspect", "ok": False})
                user = None
            elif user is not None:
                LOG.append({"user": user, "path": "/introspect", "ok": True})
        if user is None:
            self.answer(200, {"active": False})
        else:
            self.answer(200, {"active": True, "username": user})

    def control(self):
        return json.loads(self.body() or "{}")

    def control_grant(self):
        c = self.control()
        with LOCK:
            GRANTS[c["refresh_token"]] = {
                "user": c["user"], "client_id": c["client_id"],
                "client_secret": c.get("client_secret"),
                "expires_in": c.get("expires_in", 3600),
                "rotate": bool(c.get("rotate", False)),
            }
        self.answer(200, {"ok": True})

    def control_revoke(self):
        c = self.control()
        with LOCK:
            grant = GRANTS.get(c["refresh_token"])
            if grant is not None:
                grant["revoked"] = True
        self.answer(200, {"ok": grant is not None})

    def control_expire(self):
        user = self.control()["user"]
        with LOCK:
            dead = [t for t, u in ACCESS.items() if u == user]
            for token in dead:
                del ACCESS[token]
        self.answer(200, {"expired": len(dead)})


    def control_refuse(self):
        c = self.control()
        with LOCK:
            REFUSE[c["user"]] = int(c["count"])
        self.answer(200, {"ok": True})


def watch_parent(pid, server):
    """Stops the server once `pid` has exited."""
    def loop():
        while True:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                server.shutdown()
                return
            threading.Event().wait(0.5)
    threading.Thread(target=loop, daemon=True).start()


def main(argv):
    p = argparse.ArgumentParser(description="OAuth2 token endpoint for tests (127.0.0.1 only)")
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: a free one)")
    p.add_argument("--parent-pid", type=int, help="exit when this process is gone")
    args = p.parse_args(argv)
    server = ThreadingHTTPServer((HOST, args.port), Handler)
    server.daemon_threads = True
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: threading.Thread(target=server.shutdown).start())
    if args.parent_pid:
        watch_parent(args.parent_pid, server)
    print(f"TOKEN_PORT={server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
