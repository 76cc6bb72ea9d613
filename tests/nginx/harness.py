"""A private nginx with the corsgate module, an upstream HTTP server and a raw HTTP client.

Everything listens on 127.0.0.1 with ephemeral ports and lives under a temporary prefix.
nginx runs in the foreground (`daemon off`) as a child of the test process, with a parent-death
signal so it cannot outlive the tests; `Nginx.stop()` and `Upstream.stop()` are idempotent and
registered as cleanups by the tests.
"""

from __future__ import annotations

import ctypes
import http.server
import itertools
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
MODULE = os.environ.get("CORSGATE_NGINX_MODULE", str(ROOT / "build/nginx/ngxbuild/ngx_http_corsgate_module.so"))

# How long to wait for nginx to start, reload or stop, and for a response (seconds).
WAIT = 10.0


def free_port() -> int:
    """An unused TCP port on 127.0.0.1 (the kernel picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Response:
    """A parsed HTTP response; header names keep their case, values are bytes."""

    status: int
    headers: list[tuple[str, bytes]]
    body: bytes

    def all(self, name: str) -> list[bytes]:
        """Every value of header `name` (case-insensitive), in order."""
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def get(self, name: str) -> bytes | None:
        """The only value of header `name`; None when absent; an error when repeated."""
        values = self.all(name)
        if len(values) > 1:
            raise AssertionError(f"{name} sent {len(values)} times: {values!r}")
        return values[0] if values else None

    def cors(self) -> list[tuple[str, bytes]]:
        """The Access-Control-* headers, in order, names lower-cased."""
        return [(k.lower(), v) for k, v in self.headers if k.lower().startswith("access-control-")]

    def vary(self) -> list[str]:
        """Every element of every Vary header, in order."""
        out: list[str] = []
        for value in self.all("Vary"):
            out += [e.strip() for e in value.decode("latin-1").split(",") if e.strip()]
        return out


def _read_head(sock: socket.socket, buf: bytearray) -> int:
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"connection closed before the response head: {bytes(buf[:200])!r}")
        buf += chunk
    return buf.index(b"\r\n\r\n") + 4


def _parse_head(head: bytes) -> tuple[int, list[tuple[str, bytes]]]:
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    headers = []
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(b":")
            headers.append((name.decode("latin-1"), value.strip(b" \t")))
    return status, headers


def encode_request(method: str, path: str, headers: Sequence[tuple[str, str | bytes]], host: str, close: bool) -> bytes:
    """An HTTP/1.1 request, byte-exact: str values are Latin-1 (each char one byte)."""
    out = bytearray(f"{method} {path} HTTP/1.1\r\n".encode("latin-1"))
    names = {n.lower() for n, _ in headers}
    if "host" not in names:
        out += f"Host: {host}\r\n".encode("latin-1")
    for name, value in headers:
        raw = value if isinstance(value, bytes) else value.encode("latin-1")
        out += name.encode("latin-1") + b": " + raw + b"\r\n"
    if close:
        out += b"Connection: close\r\n"
    out += b"\r\n"
    return bytes(out)


class Client:
    """One keep-alive HTTP/1.1 connection, byte-exact requests (bodies by Content-Length)."""

    def __init__(self, port: int, host: str = "localhost") -> None:
        self.host = host
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
        self.buf = bytearray()

    def request(
        self, method: str, path: str, headers: Sequence[tuple[str, str | bytes]] | None = None, body: bytes = b""
    ) -> Response:
        hdrs = list(headers or [])
        if body:
            hdrs.append(("Content-Length", str(len(body))))
        self.sock.sendall(encode_request(method, path, hdrs, self.host, close=False) + body)
        end = _read_head(self.sock, self.buf)
        status, rheaders = _parse_head(bytes(self.buf[:end]))
        del self.buf[:end]
        length = 0
        for k, v in rheaders:
            if k.lower() == "content-length":
                length = int(v)
            if k.lower() == "transfer-encoding":
                raise AssertionError("chunked responses are not expected here")
        if method == "HEAD" or status in (204, 304):
            length = 0
        while len(self.buf) < length:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed inside the body")
            self.buf += chunk
        resp_body = bytes(self.buf[:length])
        del self.buf[:length]
        return Response(status, rheaders, resp_body)

    def close(self) -> None:
        self.sock.close()


def request(
    port: int,
    method: str,
    path: str,
    headers: Sequence[tuple[str, str | bytes]] | None = None,
    host: str = "localhost",
    body: bytes = b"",
) -> Response:
    """One request on its own connection (`Connection: close`), read to EOF."""
    hdrs = list(headers or [])
    if body:
        hdrs.append(("Content-Length", str(len(body))))
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as sock:
        sock.sendall(encode_request(method, path, hdrs, host, close=True) + body)
        buf = bytearray()
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            buf += chunk
    end = buf.index(b"\r\n\r\n") + 4
    status, rheaders = _parse_head(bytes(buf[:end]))
    return Response(status, rheaders, bytes(buf[end:]))


@dataclass
class Upstream:
    """The application behind nginx (`proxy_pass`), in a thread of the test process.

    Paths it understands: `.../status/<code>/...` answers with that status; any path containing
    `/acao/` answers with its own CORS headers (as a careless app would); everything answers
    `X-Upstream: 1` and `Vary: Accept-Encoding` when the path contains `/vary/`. Every request
    is counted by method and path (`hits`).
    """

    port: int = 0
    hits: list[tuple[str, str]] = field(default_factory=list)
    server: http.server.ThreadingHTTPServer | None = None

    def start(self) -> Upstream:
        hits = self.hits

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def handle_one(self) -> None:
                hits.append((self.command, self.path))
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                status = 200
                parts = self.path.split("?")[0].split("/")
                for a, b in itertools.pairwise(parts):
                    if a == "status" and b.isdigit():
                        status = int(b)
                body = f"upstream {self.command} {self.path}\n".encode()
                self.send_response(status)
                self.send_header("X-Upstream", "1")
                self.send_header("Content-Type", "text/plain")
                if "/acao/" in self.path:
                    self.send_header("Access-Control-Allow-Origin", "*")
                    self.send_header("Access-Control-Allow-Credentials", "true")
                    self.send_header("access-control-expose-headers", "x-secret")
                if "/vary/" in self.path:
                    self.send_header("Vary", "Accept-Encoding")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def __getattr__(self, name: str) -> object:
                if name.startswith("do_"):
                    return self.handle_one
                raise AttributeError(name)

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self.server = server
        self.port = int(server.server_address[1])
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def count(self, path_prefix: str) -> int:
        """Requests seen whose path starts with `path_prefix`."""
        return sum(1 for _, p in self.hits if p.startswith(path_prefix))


def _die_with_parent() -> None:
    # PR_SET_PDEATHSIG: nginx's master gets SIGTERM (and stops its workers) if we die.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGTERM, 0, 0, 0)


class Nginx:
    """nginx with the corsgate module under a private prefix (a temporary directory)."""

    def __init__(self, prefix: Path | None = None) -> None:
        self.prefix = prefix or Path(tempfile.mkdtemp(prefix="corsgate-nginx-"))
        self.own_prefix = prefix is None
        # Workers run as an unprivileged user when the tests run as root: let them read it.
        self.prefix.chmod(0o755)
        for d in ("logs", "tmp", "html"):
            (self.prefix / d).mkdir(exist_ok=True)
        self.conf = self.prefix / "nginx.conf"
        self.error_log = self.prefix / "logs/error.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def write(self, name: str, text: str) -> Path:
        """Writes a file under the prefix; returns its absolute path."""
        path = self.prefix / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        path.chmod(0o644)
        return path

    def config(self, http_body: str, error_level: str = "info", extra_main: str = "") -> str:
        # `start()` waits for the "start worker process" notice: keep the level at notice or lower.
        """A complete nginx.conf around an `http {}` body."""
        p = self.prefix
        return f"""
load_module {MODULE};
daemon off;
master_process on;
worker_processes 1;
error_log {p}/logs/error.log {error_level};
pid {p}/nginx.pid;
{extra_main}
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {p}/tmp/body;
    proxy_temp_path {p}/tmp/proxy;
    fastcgi_temp_path {p}/tmp/fastcgi;
    uwsgi_temp_path {p}/tmp/uwsgi;
    scgi_temp_path {p}/tmp/scgi;
{http_body}
}}
"""

    def test_config(self) -> subprocess.CompletedProcess[str]:
        """`nginx -t` on the current configuration (its messages are on stderr)."""
        return subprocess.run(
            [NGINX, "-t", "-p", str(self.prefix), "-c", str(self.conf)],
            capture_output=True,
            text=True,
            timeout=WAIT,
            check=False,
        )

    def start(self, wrapper: list[str] | None = None, wait: float = WAIT) -> Nginx:
        """Starts nginx (under `wrapper`, e.g. valgrind, when given) and waits for its worker.

        The listening sockets belong to the master, so requests sent once the worker is
        being started wait in the backlog rather than fail.
        """
        self.proc = subprocess.Popen(
            [*(wrapper or []), NGINX, "-p", str(self.prefix), "-c", str(self.conf), "-e", str(self.error_log)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=_die_with_parent,
        )
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise RuntimeError(f"nginx exited with {self.proc.returncode}: {err}{self.log()}")
            if "start worker process" in self.log():
                return self
            time.sleep(0.02)
        raise RuntimeError("nginx did not start a worker in time:\n" + self.log())

    def start_single(self, wrapper: list[str], port: int, wait: float = 120.0) -> Nginx:
        """Starts a `master_process off` nginx (one process serving, e.g. under callgrind)
        and waits until it accepts connections on `port` (its configuration is loaded)."""
        self.proc = subprocess.Popen(
            [*wrapper, NGINX, "-p", str(self.prefix), "-c", str(self.conf), "-e", str(self.error_log)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
        )
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nginx exited with {self.proc.returncode}:\n{self.log()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("nginx did not listen in time:\n" + self.log())

    def worker_pids(self) -> list[int]:
        """The master's worker processes (from /proc)."""
        if self.proc is None:
            return []
        out = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                # The parent pid is the 2nd field after the parenthesised command name.
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                if ppid == self.proc.pid and "worker process" in Path(f"/proc/{entry}/cmdline").read_bytes().decode(
                    "latin-1"
                ):
                    out.append(int(entry))
        return out

    def reload(self) -> None:
        """`nginx -s reload`: SIGHUP to the master (returns at once)."""
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGHUP)

    def log(self) -> str:
        """The error log so far."""
        try:
            return self.error_log.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def wait_log(self, text: str, after: int = 0) -> str:
        """Waits until `text` appears in the error log after offset `after`; returns the log."""
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            log = self.log()
            if text in log[after:]:
                return log
            time.sleep(0.02)
        raise AssertionError(f"{text!r} never appeared in the error log:\n{self.log()[after:]}")

    def wait_one_worker(self, wait: float = WAIT) -> None:
        """Waits until every worker but the newest has exited (old workers finish gracefully
        after a reload, still serving their connections meanwhile); read from the error log,
        which works under valgrind too."""
        deadline = time.monotonic() + wait
        while True:
            log = self.log()
            running = set(re.findall(r"start worker process (\d+)", log)) - set(
                re.findall(r"worker process (\d+) exited", log)
            )
            if len(running) <= 1:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"workers {sorted(running)} still running:\n{log}")
            time.sleep(0.02)

    def stop(self, wait: float = WAIT, remove: bool = True) -> None:
        """Graceful stop (SIGQUIT), then SIGKILL of anything left; removes the prefix
        (a temporary one) unless told not to or KEEP_PREFIX is set."""
        if self.proc is not None:
            workers = self.worker_pids()
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGQUIT)
                try:
                    self.proc.wait(timeout=wait)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            for pid in workers:
                # Only a worker of ours that is still there (never a recycled pid).
                try:
                    if b"nginx: worker process" in Path(f"/proc/{pid}/cmdline").read_bytes():
                        os.kill(pid, signal.SIGKILL)
                except (OSError, ProcessLookupError):
                    pass
            if self.proc.stderr:
                self.proc.stderr.close()
            self.proc = None
        if remove and self.own_prefix and os.environ.get("KEEP_PREFIX") is None:
            shutil.rmtree(self.prefix, ignore_errors=True)
