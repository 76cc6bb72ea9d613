"""The response vectors (tests/vectors/responses/*.json) for runners outside Rust.

A runner sends each case's request to a real server whose application answers the case's
`application`, and checks what arrives with `check`. The application learns what to answer
from the request itself (the engine ignores these headers): `X-App-Status`, `X-App-Body`, and
one `X-App-Header: Name: value` line per header. `InstructedApp` is such an application for
servers that proxy (nginx, Apache); the C server has one built in
(`CORSGATE_SERVER_APP=instructed`). Format and comparison: tests/vectors/README.md.
"""

from __future__ import annotations

import http.server
import json
import threading
from pathlib import Path
from typing import Any

DIR = Path(__file__).resolve().parent / "responses"

# The seven CORS response headers and Vary: always compared (docs/semantics.md).
OWNED = [
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "access-control-allow-private-network",
    "access-control-max-age",
    "access-control-expose-headers",
    "vary",
]


def load_cases() -> list[dict[str, Any]]:
    """Every case of every file, files in name order (a case's index is its X-Vector-Case)."""
    cases: list[dict[str, Any]] = []
    for path in sorted(DIR.glob("*.json")):
        cases += json.loads(path.read_text())["cases"]
    return cases


def instructions(case: dict[str, Any], numbered: bool = False) -> list[tuple[str, str]]:
    """The request headers telling the application what to answer. `numbered` names the
    header lines `X-App-Header-1`, `-2`, ... instead of repeating `X-App-Header`, for servers
    that join repeated request header lines into one before passing them on (Apache httpd)."""
    app = case["application"]
    out = [("X-App-Status", str(app["status"])), ("X-App-Body", app["body"])]
    out += [
        (f"X-App-Header-{i}" if numbered else "X-App-Header", f"{n}: {v}") for i, (n, v) in enumerate(app["headers"], 1)
    ]
    return out


def check(case: dict[str, Any], status: int, headers: list[tuple[str, bytes]], body: bytes) -> list[str]:
    """What differs between a response on the wire and the case's expectation."""
    exp = case["expect"]
    problems = []
    if status != exp["status"]:
        problems.append(f"status {status}, expected {exp['status']}")
    if body != exp["body"].encode("latin-1"):
        problems.append(f"body {body!r}, expected {exp['body']!r}")
    want = {k.lower(): v for k, v in exp["headers"].items()}
    names = set(OWNED) | set(want) | {n.lower() for n, _ in case["application"]["headers"]}
    for name in sorted(names):
        got = [v.decode("latin-1") for n, v in headers if n.lower() == name]
        if got != want.get(name, []):
            problems.append(f"{name}: {got!r}, expected {want.get(name, [])!r}")
    return problems


class InstructedApp:
    """An HTTP/1.1 application on 127.0.0.1 that answers what the request's X-App-* say, and
    marks its answers with `X-Upstream: 1` (which is not compared)."""

    def __init__(self) -> None:
        self.port = 0
        self.calls = 0
        self._server: http.server.ThreadingHTTPServer | None = None

    def start(self) -> InstructedApp:
        app = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def handle_one(self) -> None:
                app.calls += 1
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                body = (self.headers.get("X-App-Body") or "").encode("latin-1")
                self.send_response(int(self.headers.get("X-App-Status") or 200))
                numbered = sorted(
                    (int(k[len("X-App-Header-") :]), v)
                    for k, v in self.headers.items()
                    if k.lower().startswith("x-app-header-") and k[len("X-App-Header-") :].isdigit()
                )
                for line in (self.headers.get_all("X-App-Header") or []) + [v for _, v in numbered]:
                    name, _, value = line.partition(":")
                    self.send_header(name.strip(), value.strip())
                self.send_header("X-Upstream", "1")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def __getattr__(self, name: str) -> object:
                if name.startswith("do_"):
                    return self.handle_one
                raise AttributeError(name)

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
