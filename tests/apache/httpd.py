"""A private Apache httpd with mod_corsgate, under a temporary ServerRoot.

httpd runs in the foreground (`-D FOREGROUND`) as a child of the test process, with a
parent-death signal so it cannot outlive the tests; `Httpd.stop()` is idempotent. The HTTP
client and the upstream application are the nginx suite's (tests/nginx/harness.py): the same
byte-exact requests and the same careless upstream.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.append(str(ROOT / "tests/nginx"))

import harness  # noqa: E402  (tests/nginx/harness.py: client, upstream, free_port)

HTTPD = os.environ.get("APACHE2", "/usr/sbin/apache2")
MODULES = Path(os.environ.get("APACHE_MODULES", "/usr/lib/apache2/modules"))
MODULE = os.environ.get("CORSGATE_APACHE_MODULE", str(ROOT / "build/apache/mod_corsgate.so"))
WAIT = harness.WAIT

# The modules every test configuration loads (besides mod_corsgate).
BASE_MODULES = ("mpm_event", "authz_core", "mime", "alias", "dir")


class Httpd:
    """httpd with mod_corsgate under a private ServerRoot (a temporary directory)."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="corsgate-httpd-"))
        # Children run as an unprivileged user when the tests run as root: let them read it.
        self.root.chmod(0o755)
        for d in ("logs", "run", "htdocs"):
            (self.root / d).mkdir()
            (self.root / d).chmod(0o777 if d == "logs" else 0o755)
        self.conf = self.root / "httpd.conf"
        self.error_log = self.root / "logs/error.log"
        self.access_log = self.root / "logs/access.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def write(self, name: str, text: str) -> Path:
        """Writes a file under the ServerRoot; returns its absolute path."""
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.parent.chmod(0o755)
        path.write_text(text)
        path.chmod(0o644)
        return path

    def config(self, body: str, port: int, modules: tuple[str, ...] = (), log_level: str = "warn corsgate:info") -> str:
        """A complete httpd.conf around `body` (listening on 127.0.0.1:`port`)."""
        r = self.root
        loads = "\n".join(f"LoadModule {m}_module {MODULES}/mod_{m}.so" for m in (*BASE_MODULES, *modules))
        user = "User nobody\nGroup nogroup\n" if os.getuid() == 0 else ""
        return f"""
ServerRoot {r}
DefaultRuntimeDir {r}/run
PidFile {r}/run/httpd.pid
Listen 127.0.0.1:{port}
ServerName localhost
{user}ErrorLog {r}/logs/error.log
LogLevel {log_level}
{loads}
LoadModule corsgate_module {MODULE}
TypesConfig /etc/mime.types
StartServers 1
ServerLimit 1
ThreadsPerChild 8
MaxRequestWorkers 8
DocumentRoot {r}/htdocs
# As in Debian's apache2.conf: no .htaccess unless a <Directory> allows it.
<Directory />
    AllowOverride None
</Directory>
{body}
"""

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`apache2 -f httpd.conf <args>` (e.g. `-t`, `-k graceful`); output on stderr."""
        return subprocess.run(
            [HTTPD, "-f", str(self.conf), *args], capture_output=True, text=True, timeout=WAIT, check=False
        )

    def test_config(self) -> subprocess.CompletedProcess[str]:
        """`apache2 -t`, what `apachectl configtest` runs."""
        return self.run("-t")

    def start(
        self, port: int, wrapper: list[str] | None = None, args: tuple[str, ...] = (), wait: float = WAIT
    ) -> Httpd:
        """Starts httpd in the foreground (under `wrapper`, e.g. valgrind) and waits until it
        accepts connections on `port`."""
        self.proc = subprocess.Popen(
            [*(wrapper or []), HTTPD, "-f", str(self.conf), "-D", "FOREGROUND", *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=_die_with_parent,
        )
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise RuntimeError(f"httpd exited with {self.proc.returncode}: {err}{self.log()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("httpd did not listen in time:\n" + self.log())

    def children(self) -> list[int]:
        """The parent's child processes (from /proc)."""
        if self.proc is None:
            return []
        out = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                    out.append(int(entry))
        return out

    def log(self) -> str:
        """The error log so far."""
        try:
            return self.error_log.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def wait_log(self, text: str, after: int = 0, path: Path | None = None) -> str:
        """Waits until `text` appears in the error log (or `path`) after offset `after`."""
        path = path or self.error_log
        deadline = time.monotonic() + WAIT
        log = ""
        while time.monotonic() < deadline:
            try:
                log = path.read_text(errors="replace")
            except FileNotFoundError:
                log = ""
            if text in log[after:]:
                return log
            time.sleep(0.02)
        raise AssertionError(f"{text!r} never appeared in {path}:\n{log[after:]}")

    def stop(self, wait: float = WAIT, remove: bool = True) -> None:
        """Stops httpd (SIGTERM to the parent, which stops its children), then SIGKILL of
        anything left; removes the ServerRoot unless told not to or KEEP_PREFIX is set."""
        if self.proc is not None:
            children = self.children()
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(timeout=wait)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            for pid in children:
                try:
                    if b"apache2" in Path(f"/proc/{pid}/cmdline").read_bytes():
                        os.kill(pid, signal.SIGKILL)
                except (OSError, ProcessLookupError):
                    pass
            if self.proc.stderr:
                self.proc.stderr.close()
            self.proc = None
        if remove and os.environ.get("KEEP_PREFIX") is None:
            shutil.rmtree(self.root, ignore_errors=True)


def _die_with_parent() -> None:
    import ctypes

    # PR_SET_PDEATHSIG: httpd's parent gets SIGTERM (and stops its children) if we die.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGTERM, 0, 0, 0)
