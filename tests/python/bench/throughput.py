"""End-to-end throughput under uvicorn: Starlette's CORSMiddleware vs corsgate's drop-in.

Starts one uvicorn process per variant (no CORS middleware, Starlette's, corsgate's) on
127.0.0.1 with a minimal Starlette app, and drives each with wrk (Debian's `wrk` package) for
preflights and for actual GET requests. Without a CORS middleware a "preflight" is answered
405 by the router: that column is only a reference. Reported as measured.
Run: make bench-python
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

APPS = Path(__file__).resolve().parent.parent / "apps"
DURATION = os.environ.get("BENCH_DURATION", "4s")
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "32")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))

SCRIPTS = {
    "preflight": """
wrk.method = "OPTIONS"
wrk.headers["Origin"] = "https://app.example.com"
wrk.headers["Access-Control-Request-Method"] = "PUT"
wrk.headers["Access-Control-Request-Headers"] = "content-type,x-trace"
""",
    "actual": """
wrk.method = "GET"
wrk.headers["Origin"] = "https://app.example.com"
""",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start(mode: str) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "asgi_apps:create",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=APPS,
        env={**os.environ, "CORSGATE_MODE": mode, "PYTHONPATH": str(APPS)},
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"uvicorn ({mode}) did not start")


def wrk(port: int, script: Path) -> float:
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{CONNECTIONS}",
            f"-d{DURATION}",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}/",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    match = re.search(r"Requests/sec:\s+([0-9.]+)", out)
    if match is None:
        raise RuntimeError(out)
    return float(match.group(1))


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")
    with tempfile.TemporaryDirectory() as tmp:
        scripts = {}
        for name, text in SCRIPTS.items():
            scripts[name] = Path(tmp) / f"{name}.lua"
            scripts[name].write_text(text)
        modes = ("bench-none", "bench-theirs", "bench-ours")
        servers = {mode: start(mode) for mode in modes}
        results: dict[str, dict[str, float]] = {mode: {} for mode in modes}
        try:
            # Interleaved rounds, best of each: load from other processes hits all alike.
            for _ in range(ROUNDS):
                for name, path in scripts.items():
                    for mode in modes:
                        rate = wrk(servers[mode][1], path)
                        results[mode][name] = max(results[mode].get(name, 0.0), rate)
        finally:
            for proc, _ in servers.values():
                proc.terminate()
                proc.wait(timeout=10)
    print(
        f"uvicorn, 1 worker, wrk -t1 -c{CONNECTIONS} -d{DURATION}, "
        f"best of {ROUNDS} interleaved rounds (requests/s)"
    )
    print(f"{'request':<10} {'no CORS':>9} {'starlette':>10} {'corsgate':>9} {'ratio':>6}")
    for name in SCRIPTS:
        none = results["bench-none"][name]
        theirs = results["bench-theirs"][name]
        ours = results["bench-ours"][name]
        print(f"{name:<10} {none:>9.0f} {theirs:>10.0f} {ours:>9.0f} {ours / theirs:>5.2f}x")


if __name__ == "__main__":
    main()
