"""The Debian packages of dist/, installed on this machine with dpkg, then removed.

- `dpkg -i` of libcorsgate0, libcorsgate-dev, corsgate and libnginx-mod-http-corsgate: the
  module is enabled in /etc/nginx/modules-enabled as Debian's libnginx-mod-* are, `nginx -t`
  accepts the stock configuration with it, and an nginx that includes modules-enabled and
  names a policy file answers a real preflight; a C program built with
  `pkg-config --cflags --libs corsgate` links the installed libcorsgate.so.0; the CLI answers.
- `dpkg -r` leaves nginx working (`nginx -t`, and the same private nginx without corsgate
  directives serves); the packages are then purged, so the machine is as before.

nginx here is a private one (own prefix, pid file, logs, 127.0.0.1 on an ephemeral port): the
system's nginx service is never started.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import subprocess
import tempfile
import unittest
from pathlib import Path

from harness import APP, VERSION, artefact, free_port, preflight_headers, request, run, wait_for_port

PACKAGES = ["libcorsgate0", "libcorsgate-dev", "corsgate", "libnginx-mod-http-corsgate"]
ENABLED = Path("/etc/nginx/modules-enabled/50-mod-http-corsgate.conf")
NGINX = "/usr/sbin/nginx"
SYSTEM_PID = Path("/run/nginx.pid")

POLICY = f"""
origins = ["{APP}"]
methods = ["PUT"]
request_headers = ["content-type"]
max_age = 600
"""

C_PROGRAM = r"""
#include <corsgate.h>
#include <stdio.h>
int main(void) {
    printf("%s %u\n", corsgate_version(), corsgate_abi_version());
    return corsgate_abi_version() == CORSGATE_ABI_VERSION ? 0 : 1;
}
"""


def nginx_conf(prefix: Path, port: int, cors: bool) -> str:
    """A private nginx that loads what the system enabled (include modules-enabled/*.conf)."""
    directive = f"corsgate_policy {prefix}/policy.toml;" if cors else ""
    temps = "\n".join(
        f"    {name}_temp_path {prefix}/{name};" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""
include /etc/nginx/modules-enabled/*.conf;
daemon off;
master_process on;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
{temps}
    server {{
        listen 127.0.0.1:{port};
        {directive}
        # A static file: `return` would answer in the rewrite phase, before CORS (access phase).
        location / {{ root {prefix}/html; }}
    }}
}}
"""


def installed(package: str) -> bool:
    """Whether dpkg has `package` installed (not merely known, or removed with its config)."""
    status = subprocess.run(
        ["dpkg-query", "-W", "-f=${db:Status-Status}", package], capture_output=True, text=True, check=False
    )
    return status.stdout.strip() == "installed"


def system_nginx_running() -> bool:
    """Whether the system's nginx (its pid file names a live process) runs."""
    pid = SYSTEM_PID.read_text().strip() if SYSTEM_PID.exists() else ""
    return pid.isdigit() and Path(f"/proc/{pid}").exists()


def remove_empty_pid_file() -> None:
    """Removes the empty pid file `nginx -t` leaves behind (a running nginx's is never empty)."""
    if SYSTEM_PID.exists() and SYSTEM_PID.stat().st_size == 0:
        SYSTEM_PID.unlink()


def purge() -> None:
    """Leaves the machine without the packages, whatever the test reached."""
    subprocess.run(["dpkg", "--purge", *PACKAGES], capture_output=True, check=False)


@unittest.skipUnless(os.geteuid() == 0, "dpkg -i needs root: the Debian package test did not run")
class DebianPackages(unittest.TestCase):
    def setUp(self) -> None:
        self.debs = [artefact(f"{p}_{VERSION}-1_*.deb") for p in PACKAGES]
        already = [p for p in PACKAGES if installed(p)]
        self.assertEqual(already, [], "corsgate packages are installed already: this test would remove them")
        self.assertFalse(system_nginx_running(), "a system nginx runs: this test leaves it alone")
        if not SYSTEM_PID.exists():
            # `nginx -t` on the stock configuration creates an empty pid file: take it away.
            self.addCleanup(remove_empty_pid_file)
        self.dir = Path(tempfile.mkdtemp(prefix="corsgate-dist-deb-"))
        self.dir.chmod(0o755)  # nginx's workers run as nobody and read html/ from here
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.addCleanup(purge)

    def private_nginx(self, cors: bool) -> int:
        """Checks (nginx -t) and starts a private nginx; returns its port. Stopped at cleanup."""
        prefix = self.dir / ("cors" if cors else "plain")
        prefix.mkdir()
        # As Debian's prefix /usr/share/nginx does: the snippets say `modules/<name>.so`.
        (prefix / "modules").symlink_to("/usr/lib/nginx/modules")
        (prefix / "policy.toml").write_text(POLICY)
        (prefix / "html").mkdir()
        (prefix / "html" / "index.html").write_text("stored\n")
        port = free_port()
        conf = prefix / "nginx.conf"
        conf.write_text(nginx_conf(prefix, port, cors))
        tested = run([NGINX, "-t", "-p", prefix, "-c", conf])
        self.assertIn("test is successful", tested.stderr)
        server = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(conf)])
        self.addCleanup(server.wait)
        self.addCleanup(server.send_signal, signal.SIGQUIT)
        wait_for_port(port, server)
        return port

    def test_install_use_and_remove(self) -> None:
        run(["dpkg", "-i", *self.debs])
        for package in PACKAGES:
            self.assertTrue(installed(package), package)

        # Enabled as Debian's libnginx-mod-* packages are, and accepted by the stock config.
        self.assertEqual(os.readlink(ENABLED), "/usr/share/nginx/modules-available/mod-http-corsgate.conf")
        self.assertIn("load_module modules/ngx_http_corsgate_module.so;", ENABLED.read_text())
        self.assertIn("test is successful", run([NGINX, "-t"]).stderr)

        port = self.private_nginx(cors=True)
        status, headers, body = request(port, "OPTIONS", "/orders/42", preflight_headers())
        # docs/semantics.md: an allowed preflight is answered 204 (preflight_status), with the
        # origin, the method and headers asked for, and max_age.
        self.assertEqual(status, 204)
        self.assertEqual(body, b"")
        self.assertEqual(headers.get("access-control-allow-origin"), APP)
        self.assertEqual(headers.get("access-control-allow-methods"), "PUT")
        self.assertEqual(headers.get("access-control-allow-headers"), "content-type")
        self.assertEqual(headers.get("access-control-max-age"), "600")
        status, headers, _ = request(
            port, "OPTIONS", "/orders/42", {**preflight_headers(), "Origin": "https://evil.example"}
        )
        self.assertEqual(status, 403)
        self.assertNotIn("access-control-allow-origin", headers)

        # libcorsgate-dev: the header and pkg-config; libcorsgate0: the shared library.
        flags = run(["pkg-config", "--cflags", "--libs", "corsgate"]).stdout.split()
        self.assertEqual(run(["pkg-config", "--modversion", "corsgate"]).stdout.strip(), VERSION)
        source = self.dir / "version.c"
        source.write_text(C_PROGRAM)
        run(["cc", "-Wall", "-Wextra", "-Werror", source, "-o", self.dir / "version", *flags])
        linked = run(["ldd", self.dir / "version"]).stdout
        self.assertRegex(linked, r"libcorsgate\.so\.0 => (/usr)?/lib/[a-z0-9_-]+/libcorsgate\.so\.0 ")
        self.assertEqual(run([self.dir / "version"]).stdout.split()[0], VERSION)
        library = ctypes.CDLL("libcorsgate.so.0")
        library.corsgate_version.restype = ctypes.c_char_p
        self.assertEqual(library.corsgate_version().decode(), VERSION)

        # corsgate: the CLI.
        self.assertEqual(run(["/usr/bin/corsgate", "--version"]).stdout.strip(), f"corsgate {VERSION}")
        (self.dir / "policy.toml").write_text(POLICY)
        checked = run(["/usr/bin/corsgate", "check", "--policy", self.dir / "policy.toml", "--origin", APP])
        self.assertIn("verdict  allowed", checked.stdout)

        # Removal disables the module first: nginx keeps working.
        run(["dpkg", "-r", *PACKAGES])
        self.assertFalse(ENABLED.exists())
        self.assertFalse(Path("/usr/lib/nginx/modules/ngx_http_corsgate_module.so").exists())
        self.assertIn("test is successful", run([NGINX, "-t"]).stderr)
        port = self.private_nginx(cors=False)
        status, headers, body = request(port, "GET", "/", {"Origin": APP})
        self.assertEqual((status, body), (200, b"stored\n"))
        self.assertNotIn("access-control-allow-origin", headers)
        self.assertFalse(system_nginx_running(), "dpkg started the system nginx")


if __name__ == "__main__":
    unittest.main()
