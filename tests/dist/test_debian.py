"""The Debian packages of dist/, installed on this machine with dpkg, then removed and purged.

- `dpkg -i` of libcorsgate0, libcorsgate-dev, corsgate, libnginx-mod-http-corsgate and
  libapache2-mod-corsgate.
- nginx: the module is enabled in /etc/nginx/modules-enabled as Debian's libnginx-mod-* are,
  `nginx -t` accepts the stock configuration with it, and an nginx that includes
  modules-enabled and names a policy file answers a real preflight and request.
- Apache: after `a2enmod corsgate`, `apache2ctl -t` accepts the stock configuration, and an
  httpd that includes mods-enabled and names a policy file answers the same requests.
- C: a program built with `pkg-config --cflags --libs corsgate` links the installed
  libcorsgate.so.0 and reports the version; the CLI answers too.
- `dpkg -r` disables both modules first: both stock configurations still pass their checks and
  both servers still serve (without CORS). The packages are then purged: the machine is as it
  was.

nginx and httpd here are private ones (own prefix or ServerRoot, pid file and logs, 127.0.0.1 on
an ephemeral port): the system's nginx and apache2 services are never started.
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

PACKAGES = ["libcorsgate0", "libcorsgate-dev", "corsgate", "libnginx-mod-http-corsgate", "libapache2-mod-corsgate"]
NGINX = "/usr/sbin/nginx"
NGINX_ENABLED = Path("/etc/nginx/modules-enabled/50-mod-http-corsgate.conf")
NGINX_PID = Path("/run/nginx.pid")
APACHE = "/usr/sbin/apache2"
APACHE_ENABLED = Path("/etc/apache2/mods-enabled/corsgate.load")
APACHE_PID = Path("/run/apache2/apache2.pid")

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


def apache_conf(root: Path, port: int, cors: bool) -> str:
    """A private httpd that loads what the system enabled (mods-enabled/*.load, as a2enmod left it)."""
    directive = f"CorsgatePolicy {root}/policy.toml" if cors else ""
    return f"""
ServerRoot {root}
DefaultRuntimeDir {root}
PidFile {root}/httpd.pid
Listen 127.0.0.1:{port}
ServerName localhost
User nobody
Group nogroup
ErrorLog {root}/error.log
IncludeOptional /etc/apache2/mods-enabled/*.load
IncludeOptional /etc/apache2/mods-enabled/corsgate.conf
TypesConfig /etc/mime.types
DocumentRoot {root}/html
{directive}
"""


def installed(package: str) -> bool:
    """Whether dpkg has `package` installed (not merely known, or removed with its config)."""
    status = subprocess.run(
        ["dpkg-query", "-W", "-f=${db:Status-Status}", package], capture_output=True, text=True, check=False
    )
    return status.stdout.strip() == "installed"


def service_running(pid_file: Path) -> bool:
    """Whether a system service runs (its pid file names a live process)."""
    pid = pid_file.read_text().strip() if pid_file.exists() else ""
    return pid.isdigit() and Path(f"/proc/{pid}").exists()


def remove_empty_pid_file() -> None:
    """Removes the empty pid file `nginx -t` leaves behind (a running nginx's is never empty)."""
    if NGINX_PID.exists() and NGINX_PID.stat().st_size == 0:
        NGINX_PID.unlink()


def purge() -> None:
    """Leaves the machine without the packages, whatever the test reached."""
    subprocess.run(["dpkg", "--purge", *PACKAGES], capture_output=True, check=False)


@unittest.skipUnless(os.geteuid() == 0, "dpkg -i needs root: the Debian package test did not run")
class DebianPackages(unittest.TestCase):
    def setUp(self) -> None:
        self.debs = [artefact(f"{p}_{VERSION}-1_*.deb") for p in PACKAGES]
        already = [p for p in PACKAGES if installed(p)]
        self.assertEqual(already, [], "corsgate packages are installed already: this test would remove them")
        for pid_file in (NGINX_PID, APACHE_PID):
            self.assertFalse(service_running(pid_file), f"{pid_file}: a system service runs; this test leaves it alone")
        if not NGINX_PID.exists():
            # `nginx -t` on the stock configuration creates an empty pid file: take it away.
            self.addCleanup(remove_empty_pid_file)
        self.dir = Path(tempfile.mkdtemp(prefix="corsgate-dist-deb-"))
        self.dir.chmod(0o755)  # the servers' workers run as nobody and read html/ from here
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.addCleanup(purge)

    def site(self, name: str) -> Path:
        """A directory with the policy and html/index.html ("stored"), readable by nobody."""
        root = self.dir / name
        (root / "html").mkdir(parents=True)
        (root / "policy.toml").write_text(POLICY)
        (root / "html" / "index.html").write_text("stored\n")
        root.chmod(0o777)  # httpd's error log, opened before it drops root, and nginx's temp dirs
        return root

    def serve(self, argv: list[str], port: int) -> None:
        """Starts a server in the foreground; stopped (SIGQUIT for nginx, SIGTERM for httpd) at cleanup."""
        server = subprocess.Popen(argv)
        self.addCleanup(server.wait)
        self.addCleanup(server.send_signal, signal.SIGQUIT if argv[0] == NGINX else signal.SIGTERM)
        wait_for_port(port, server)

    def private_nginx(self, cors: bool) -> int:
        """Checks (nginx -t) and starts a private nginx; returns its port."""
        prefix = self.site("nginx-cors" if cors else "nginx-plain")
        # As Debian's prefix /usr/share/nginx does: the snippets say `modules/<name>.so`.
        (prefix / "modules").symlink_to("/usr/lib/nginx/modules")
        port = free_port()
        conf = prefix / "nginx.conf"
        conf.write_text(nginx_conf(prefix, port, cors))
        self.assertIn("test is successful", run([NGINX, "-t", "-p", prefix, "-c", conf]).stderr)
        self.serve([NGINX, "-p", str(prefix), "-c", str(conf)], port)
        return port

    def private_httpd(self, cors: bool) -> int:
        """Checks (apache2 -t) and starts a private httpd; returns its port."""
        root = self.site("apache-cors" if cors else "apache-plain")
        port = free_port()
        conf = root / "httpd.conf"
        conf.write_text(apache_conf(root, port, cors))
        self.assertIn("Syntax OK", run([APACHE, "-f", conf, "-t"]).stderr)
        self.serve([APACHE, "-f", str(conf), "-D", "FOREGROUND"], port)
        return port

    def assert_cors(self, port: int) -> None:
        """docs/semantics.md: an allowed preflight is answered 204 with the origin, the method and
        headers asked for and max_age; a denied one 403 without CORS headers; an allowed request
        gets the application's answer with the origin."""
        status, headers, body = request(port, "OPTIONS", "/orders/42", preflight_headers())
        self.assertEqual((status, body), (204, b""))
        self.assertEqual(headers.get("access-control-allow-origin"), APP)
        self.assertEqual(headers.get("access-control-allow-methods"), "PUT")
        self.assertEqual(headers.get("access-control-allow-headers"), "content-type")
        self.assertEqual(headers.get("access-control-max-age"), "600")
        evil = {**preflight_headers(), "Origin": "https://evil.example"}
        status, headers, _ = request(port, "OPTIONS", "/orders/42", evil)
        self.assertEqual(status, 403)
        self.assertNotIn("access-control-allow-origin", headers)
        status, headers, body = request(port, "GET", "/", {"Origin": APP})
        self.assertEqual((status, body), (200, b"stored\n"))
        self.assertEqual(headers.get("access-control-allow-origin"), APP)

    def assert_serves_without_cors(self, port: int) -> None:
        status, headers, body = request(port, "GET", "/", {"Origin": APP})
        self.assertEqual((status, body), (200, b"stored\n"))
        self.assertNotIn("access-control-allow-origin", headers)

    def test_install_use_and_remove(self) -> None:
        run(["dpkg", "-i", *self.debs])
        for package in PACKAGES:
            self.assertTrue(installed(package), package)

        # nginx: enabled as Debian's libnginx-mod-* packages are, accepted by the stock config.
        self.assertEqual(os.readlink(NGINX_ENABLED), "/usr/share/nginx/modules-available/mod-http-corsgate.conf")
        self.assertIn("load_module modules/ngx_http_corsgate_module.so;", NGINX_ENABLED.read_text())
        self.assertIn("test is successful", run([NGINX, "-t"]).stderr)
        self.assert_cors(self.private_nginx(cors=True))

        # Apache: a2enmod, then the stock config and a real httpd.
        self.assertIn("corsgate", run(["a2enmod", "corsgate"]).stdout)
        self.assertEqual(os.readlink(APACHE_ENABLED), "../mods-available/corsgate.load")
        self.assertIn("Syntax OK", run(["apache2ctl", "-t"]).stderr)
        self.assert_cors(self.private_httpd(cors=True))

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

        # Removal disables both modules first: both servers keep working.
        run(["dpkg", "-r", *PACKAGES])
        self.assertFalse(NGINX_ENABLED.exists())
        self.assertFalse(APACHE_ENABLED.exists() or APACHE_ENABLED.is_symlink())
        self.assertFalse(Path("/usr/lib/nginx/modules/ngx_http_corsgate_module.so").exists())
        self.assertFalse(Path("/usr/lib/apache2/modules/mod_corsgate.so").exists())
        self.assertIn("test is successful", run([NGINX, "-t"]).stderr)
        self.assertIn("Syntax OK", run(["apache2ctl", "-t"]).stderr)
        self.assert_serves_without_cors(self.private_nginx(cors=False))
        self.assert_serves_without_cors(self.private_httpd(cors=False))
        for pid_file in (NGINX_PID, APACHE_PID):
            self.assertFalse(service_running(pid_file), f"{pid_file}: dpkg started a system service")


if __name__ == "__main__":
    unittest.main()
