#!/usr/bin/env python3
"""An SMTP receiver for tests: accepts every message and writes it to disk.

Built on aiosmtpd (installed into .venv-test/ by `scripts/smtp.sh install`;
the standard library lost its SMTP server, smtpd, in Python 3.12).

    smtp-sink.py --out DIR [--port N] [--tls-cert PEM --tls-key PEM]
                 [--require-starttls] [--implicit-tls]
                 [--auth-user U --auth-password P] [--auth-plaintext]
                 [--auth-xoauth2 INTROSPECTION_URL [--xoauth2-challenge]]
                 [--drop-at N]

Listens on 127.0.0.1 only, on --port or (default 0) a free port chosen by the
kernel, and prints `SMTP_PORT=N` on stdout once it accepts connections.

For every message accepted it writes, in --out:
  NNNNNN.eml   the DATA exactly as received (CRLF line ends, dot-unstuffed,
               nothing added: no Received header)
  NNNNNN.json  the envelope: mail_from, rcpt_tos, mail_options, rcpt_options,
               helo, peer, tls, auth_user, size, received_at
Both are written to a temp name and renamed; the .json is renamed last, so a
test that sees NNNNNN.json can read NNNNNN.eml. Numbers continue after the
highest NNNNNN.eml already in --out.

TLS: with --tls-cert/--tls-key the server offers STARTTLS; --require-starttls
answers 530 to MAIL/RCPT/DATA/AUTH before STARTTLS (a negative test for a
client that must not send in the clear). --implicit-tls instead wraps the
whole connection in TLS from the first byte (SMTPS, as on port 465).

AUTH: with --auth-user/--auth-password the server offers AUTH PLAIN and
LOGIN, accepts only that pair (535 otherwise) and requires authentication
before MAIL (530). When TLS is configured, AUTH is only allowed after
STARTTLS unless --auth-plaintext is given; without TLS it is always allowed.

XOAUTH2: with --auth-xoauth2 URL the server offers AUTH XOAUTH2 and requires
authentication (alone or beside --auth-user). It reads
`user=U^Aauth=Bearer T^A^A`, POSTs token=T (form) to URL (a token endpoint's
introspection, e.g. tests/it/support/token-server.py's /introspect) and
accepts when the answer is {"active": true, "username": U}; otherwise it
answers 535 5.7.3, as Microsoft 365 does, or with --xoauth2-challenge first
sends a 334 challenge holding a JSON error and waits for the client's (empty)
answer, as Gmail does. auth_user records U.

Faults: with --drop-at N the connection that carries the N-th message
(counted from 1 since the start) is closed at the end of its DATA with no
reply and nothing written, and the next connection opened after that is
greeted with 421 and closed: a sender that retries at once on a new
connection fails too, and the message must come again later.

Protocol limits are aiosmtpd's RFC 5321 defaults: lines longer than 1000
bytes are refused (500), messages above --data-size-limit get 552.

Stops cleanly on SIGTERM or SIGINT.
"""

import argparse
import asyncio
import base64
import json
import logging
import os
import re
import signal
import ssl
import sys
import time
import urllib.parse
import urllib.request

try:
    from aiosmtpd.smtp import MISSING, SMTP, AuthResult, LoginPassword
except ImportError:  # pragma: no cover - depends on the environment
    sys.exit("smtp-sink.py: aiosmtpd is not installed (run: scripts/smtp.sh install, "
             "then use .venv-test/bin/python)")

HOST = "127.0.0.1"  # never bind anything else

# aiosmtpd 1.4 itself sets the deprecated Session.login_data on every
# successful AUTH and logs a warning each time; keep that noise out of the log.
logging.getLogger("mail.log").addFilter(
    lambda record: "login_data is deprecated" not in record.getMessage())


class Sink:
    """aiosmtpd handler: writes each message and its envelope to `out`."""

    def __init__(self, out, drop_at=None):
        self.out = out
        self.drop_at = drop_at
        self.seen = 0
        self.refuse_next = False
        existing = [int(m.group(1)) for m in
                    (re.fullmatch(r"(\d{6})\.eml", n) for n in os.listdir(out)) if m]
        self.next = max(existing, default=0) + 1

    def _write(self, name, data):
        tmp = os.path.join(self.out, f".{name}.tmp")
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, os.path.join(self.out, name))

    async def handle_DATA(self, server, session, envelope):
        # Handlers run on the single event-loop thread: no lock needed.
        self.seen += 1
        if self.seen == self.drop_at:
            self.refuse_next = True
            print(f"dropped the connection at message {self.seen}", flush=True)
            server.transport.abort()
            return "421 4.3.0 dropped (--drop-at)"
        n = self.next
        self.next += 1
        stem = f"{n:06d}"
        content = envelope.original_content or b""
        auth = session.auth_data if session.authenticated else None
        login = auth.login if isinstance(auth, LoginPassword) else None
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "mail_options": list(envelope.mail_options),
            "rcpt_options": list(envelope.rcpt_options),
            "helo": session.host_name,
            "peer": list(session.peer) if isinstance(session.peer, tuple) else session.peer,
            # session.ssl is only set after STARTTLS; the transport knows
            # about implicit TLS too.
            "tls": session.ssl is not None
                   or server.transport.get_extra_info("ssl_object") is not None,
            "auth_user": login.decode("utf-8", "replace") if isinstance(login, bytes) else login,
            "size": len(content),
            "received_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        self._write(f"{stem}.eml", content)
        self._write(f"{stem}.json", (json.dumps(meta, indent=2) + "\n").encode())
        print(f"received {stem}.eml from <{envelope.mail_from}> to "
              f"{', '.join('<%s>' % r for r in envelope.rcpt_tos)} ({len(content)} bytes)",
              flush=True)
        return f"250 2.0.0 OK queued as {stem}"


class XOAuth2Sink(Sink):
    """A Sink that also takes AUTH XOAUTH2, asking `introspect_url` about the token."""

    def __init__(self, out, introspect_url, challenge):
        super().__init__(out)
        self.introspect_url = introspect_url
        self.challenge = challenge

    async def auth_XOAUTH2(self, server, args):
        if len(args) == 1:
            blob = await server.challenge_auth("")
            if blob is MISSING:
                return AuthResult(success=False, handled=True)
        else:
            try:
                blob = base64.b64decode(args[1], validate=True)
            except ValueError:
                await server.push("501 5.5.2 Can't decode base64")
                return AuthResult(success=False, handled=True)
        user, token = parse_xoauth2(blob)
        owner = await asyncio.get_running_loop().run_in_executor(None, self.owner, token)
        if user is not None and owner == user:
            return AuthResult(success=True, auth_data=LoginPassword(user.encode(), b""))
        if self.challenge:
            error = {"status": "400", "schemes": "Bearer", "scope": "https://mail.google.com/"}
            await server.challenge_auth(json.dumps(error))
        return AuthResult(success=False, handled=False,
                          message="535 5.7.3 Authentication unsuccessful")

    def owner(self, token):
        """The user the introspection endpoint says `token` is live for, or None."""
        if not token:
            return None
        body = urllib.parse.urlencode({"token": token}).encode()
        try:
            with urllib.request.urlopen(self.introspect_url, body, timeout=10) as answer:
                info = json.load(answer)
        except (OSError, ValueError):
            return None
        return info.get("username") if info.get("active") is True else None


class Refuse(asyncio.Protocol):
    """A connection greeted with 421 and closed (--drop-at's second half)."""

    def connection_made(self, transport):
        print("refused a connection with 421", flush=True)
        transport.write(b"421 4.3.2 smtp-sink.test not accepting connections now\r\n")
        transport.close()


def parse_xoauth2(blob):
    """(user, token) from `user=U\x01auth=Bearer T\x01\x01`; None where missing."""
    fields = dict(part.split("=", 1) for part in
                  blob.decode("utf-8", "replace").split("\x01") if "=" in part)
    auth = fields.get("auth", "")
    token = auth[len("Bearer "):] if auth.startswith("Bearer ") else None
    return fields.get("user"), token


def make_authenticator(user, password):
    want = (user.encode(), password.encode())

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (mechanism in ("PLAIN", "LOGIN")
              and isinstance(auth_data, LoginPassword)
              and (auth_data.login, auth_data.password) == want)
        # auth_data ends up in session.auth_data (recorded as auth_user).
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    return authenticator


def parse_args(argv):
    p = argparse.ArgumentParser(description="SMTP receiver for tests (127.0.0.1 only)")
    p.add_argument("--out", required=True, help="directory for NNNNNN.eml / NNNNNN.json")
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: a free one)")
    p.add_argument("--hostname", default="smtp-sink.test", help="name in the banner and EHLO reply")
    p.add_argument("--tls-cert", help="PEM certificate (chain) for STARTTLS / implicit TLS")
    p.add_argument("--tls-key", help="PEM private key for --tls-cert")
    p.add_argument("--require-starttls", action="store_true",
                   help="refuse mail transactions (530) until STARTTLS")
    p.add_argument("--implicit-tls", action="store_true",
                   help="TLS from the first byte (SMTPS) instead of STARTTLS")
    p.add_argument("--auth-user", help="accept AUTH PLAIN/LOGIN for this user and require it")
    p.add_argument("--auth-password", help="password for --auth-user")
    p.add_argument("--auth-xoauth2", metavar="URL",
                   help="accept AUTH XOAUTH2, checking tokens at this introspection URL, and require AUTH")
    p.add_argument("--xoauth2-challenge", action="store_true",
                   help="refuse a bad XOAUTH2 token with a 334 JSON challenge first (as Gmail)")
    p.add_argument("--auth-plaintext", action="store_true",
                   help="allow AUTH before STARTTLS even when TLS is configured")
    p.add_argument("--drop-at", type=int, metavar="N",
                   help="drop the connection at the N-th message, refuse the next connection")
    p.add_argument("--data-size-limit", type=int, default=32 * 1024 * 1024,
                   help="largest message accepted, in bytes (552 above)")
    a = p.parse_args(argv)
    if bool(a.tls_cert) != bool(a.tls_key):
        p.error("--tls-cert and --tls-key go together")
    if (a.require_starttls or a.implicit_tls) and not a.tls_cert:
        p.error("--require-starttls / --implicit-tls need --tls-cert and --tls-key")
    if a.require_starttls and a.implicit_tls:
        p.error("--require-starttls and --implicit-tls exclude each other")
    if bool(a.auth_user) != (a.auth_password is not None):
        p.error("--auth-user and --auth-password go together")
    return a


async def main(argv):
    args = parse_args(argv)
    os.makedirs(args.out, exist_ok=True)

    tls = None
    if args.tls_cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.tls_cert, args.tls_key)

    handler = (XOAuth2Sink(args.out, args.auth_xoauth2, args.xoauth2_challenge)
               if args.auth_xoauth2 else Sink(args.out))
    handler.drop_at = args.drop_at
    smtp_kwargs = dict(
        hostname=args.hostname,
        ident="leadmail smtp-sink",
        data_size_limit=args.data_size_limit,
        enable_SMTPUTF8=True,
        # STARTTLS is offered only on a plain connection with a context.
        tls_context=None if args.implicit_tls else tls,
        require_starttls=args.require_starttls,
    )
    if args.auth_user or args.auth_xoauth2:
        smtp_kwargs.update(
            authenticator=make_authenticator(args.auth_user or "", args.auth_password or "")
            if args.auth_user else None,
            auth_required=True,
            # Without TLS there is nothing to wait for; with STARTTLS, keep
            # credentials off the clear channel unless told otherwise.
            auth_require_tls=bool(tls) and not args.implicit_tls and not args.auth_plaintext,
        )

    loop = asyncio.get_running_loop()
    def connection():
        if handler.refuse_next:
            handler.refuse_next = False
            return Refuse()
        return SMTP(handler, **smtp_kwargs)

    server = await loop.create_server(
        connection,
        host=HOST, port=args.port,
        ssl=tls if args.implicit_tls else None,
    )
    port = server.sockets[0].getsockname()[1]
    print(f"SMTP_PORT={port}", flush=True)

    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()
    await server.wait_closed()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
