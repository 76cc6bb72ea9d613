"""What the distribution tests share: the artefacts in dist/, the one version, a PATH without
Rust, timing, ephemeral ports and a small HTTP client.

The tests install what `make dist` wrote as a user would: in fresh directories under a
temporary root, with `cargo` and `rustc` removed from PATH.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DIST = Path(os.environ.get("CORSGATE_DIST_DIR", ROOT / "dist"))
APP = "https://app.example.com"
# How long a server may take to start listening (seconds).
WAIT = 15.0


def cargo_version() -> str:
    """The version in Cargo.toml's [workspace.package]: the one place every version comes from."""
    text = (ROOT / "Cargo.toml").read_text()
    section = text.split("[workspace.package]", 1)[1]
    found = re.search(r'^version\s*=\s*"([^"]+)"', section, re.M)
    assert found, "Cargo.toml has no [workspace.package] version"
    return found.group(1)


VERSION = cargo_version()


def artefact(pattern: str) -> Path:
    """The one file of dist/ matching `pattern`."""
    found = sorted(DIST.glob(pattern))
    assert len(found) == 1, f"expected one dist/{pattern}, found {[p.name for p in found]} (run make dist)"
    return found[0]


def path_without_rust() -> str:
    """PATH minus every directory holding cargo or rustc (rustup's ~/.cargo/bin among them)."""
    keep = [
        d
        for d in os.environ.get("PATH", "").split(os.pathsep)
        if d and not any(os.access(os.path.join(d, tool), os.X_OK) for tool in ("cargo", "rustc"))
    ]
    path = os.pathsep.join(keep)
    assert shutil.which("cargo", path=path) is None and shutil.which("rustc", path=path) is None
    return path


def env_without_rust(**extra: str) -> dict[str, str]:
    """The environment with Rust off PATH and no cargo/rustup variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CARGO", "RUSTUP", "RUSTC"))}
    env["PATH"] = path_without_rust()
    env.update(extra)
    return env


def run(
    argv: Sequence[str | os.PathLike[str]], cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Runs a command, capturing its output; fails the test with that output when it fails."""
    result = subprocess.run([str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise AssertionError(f"{argv} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def timed(
    argv: Sequence[str | os.PathLike[str]], cwd: Path | None = None, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], float]:
    """`run`, and the seconds it took."""
    start = time.monotonic()
    result = run(argv, cwd=cwd, env=env)
    return result, time.monotonic() - start


def record(what: str, seconds: float) -> None:
    """Prints a measured time (the issue's targets are recorded from this output)."""
    print(f"\n[dist timing] {what}: {seconds:.2f} s", flush=True)


def free_port() -> int:
    """An unused TCP port on 127.0.0.1 (the kernel picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    """Waits until something listens on 127.0.0.1:port; fails if `process` exits first."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port} after {WAIT} s")


def request(port: int, method: str, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 request; the status, the headers (names lower-cased) and the body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
    try:
        conn.request(method, path, headers=headers)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def preflight_headers(method: str = "PUT", headers: str = "content-type") -> dict[str, str]:
    """What a browser sends before a cross-origin `method` from APP with `headers`."""
    return {
        "Origin": APP,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": headers,
    }
