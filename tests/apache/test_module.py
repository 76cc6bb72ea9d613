"""httpd-specific behaviour of mod_corsgate, against a real httpd and upstream.

Expected values come from docs/semantics.md and the Fetch standard (an allowed origin is
echoed byte-for-byte, a denied one gets no Access-Control-* header, Vary: Origin on every
answer of an origin-dependent policy), applied to httpd's situations: inheritance between the
server, <VirtualHost>, <Location>, <Directory> and .htaccess, authentication, error documents,
mod_proxy backends and mod_headers lines with their own CORS headers, configtest, graceful
restarts and a valgrind run.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import subprocess
import time
import unittest

import httpd

harness = httpd.harness

APP = "https://app.example.com"
EVIL = "https://evil.example.net"
PARTNER = "https://partner.example.org"

API_TOML = """
origins = ["https://app.example.com"]
methods = ["PUT", "DELETE"]
request_headers = ["content-type", "authorization"]
expose_headers = ["x-request-id"]
credentials = true
max_age = 600
"""

PUBLIC_JSON = '{"origins": ["*"], "methods": ["*"]}'

PARTNER_TOML = """
origins = ["https://partner.example.org"]
methods = ["PATCH"]
preflight_status = 200
"""

CONTINUE_TOML = """
origins = ["https://app.example.com"]
methods = ["PUT"]
preflight_continue = true
"""

ALLOWED_PREFLIGHT = [
    ("access-control-allow-origin", APP.encode()),
    ("access-control-allow-credentials", b"true"),
    ("access-control-allow-methods", b"PUT"),
    ("access-control-allow-headers", b"content-type, authorization"),
    ("access-control-max-age", b"600"),
]
ALLOWED_ACTUAL = [
    ("access-control-allow-origin", APP.encode()),
    ("access-control-allow-credentials", b"true"),
    ("access-control-expose-headers", b"x-request-id"),
]
PARTNER_ACTUAL = [("access-control-allow-origin", PARTNER.encode())]
PREFLIGHT_VARY = ["Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"]


def preflight(origin: str, method: str = "PUT", headers: str = "content-type") -> list[tuple[str, str | bytes]]:
    return [("Origin", origin), ("Access-Control-Request-Method", method), ("Access-Control-Request-Headers", headers)]


def sha_password(user: str, password: str) -> str:
    """An htpasswd line in the {SHA} scheme, which httpd reads without crypt()."""
    return f"{user}:{{SHA}}{base64.b64encode(hashlib.sha1(password.encode()).digest()).decode()}\n"


def apachectl(h: httpd.Httpd, command: str) -> subprocess.CompletedProcess[str]:
    """Debian's apachectl (configtest, graceful) on the test's configuration file."""
    env = {**os.environ, "APACHE_ARGUMENTS": f"-f {h.conf}", "APACHE_ENVVARS": str(h.root / "envvars")}
    return subprocess.run(
        ["apachectl", command], capture_output=True, text=True, timeout=httpd.WAIT, check=False, env=env
    )


REQUEST_MODULES = (
    "proxy",
    "proxy_http",
    "headers",
    "auth_basic",
    "authn_core",
    "authn_file",
    "authz_user",
    "authz_host",
)


class Module(unittest.TestCase):
    """One httpd for the request-level cases."""

    h: httpd.Httpd
    up: harness.Upstream
    port: int

    @classmethod
    def setUpClass(cls) -> None:
        cls.up = harness.Upstream().start()
        cls.h = httpd.Httpd()
        try:
            cls._configure()
            cls.h.start(cls.port)
        except BaseException:
            cls.h.stop()
            cls.up.stop()
            raise

    @classmethod
    def tearDownClass(cls) -> None:
        cls.h.stop()
        cls.up.stop()

    @classmethod
    def _configure(cls) -> None:
        h = cls.h
        h.write("cors/api.toml", API_TOML)
        h.write("cors/public.json", PUBLIC_JSON)
        h.write("cors/partner.toml", PARTNER_TOML)
        h.write("cors/continue.toml", CONTINUE_TOML)
        h.write("cors/ht.toml", 'origins = ["https://one.example.com"]\n')
        h.write("htdocs/index.html", "static\n")
        h.write("htdocs/small/f.txt", "small\n")
        h.write("htdocs/errors/404.html", "custom not found\n")
        h.write("htdocs/ht/file.txt", "ht\n")
        h.write("htdocs/ht/.htaccess", "CorsgatePolicy cors/ht.toml\n")
        h.write("htdocs/ht/off/file.txt", "off\n")
        h.write("htdocs/ht/off/.htaccess", "Corsgate Off\n")
        h.write("htdocs/ht/inherit/file.txt", "inherit\n")
        h.write("htdocs/ht/loc/file.txt", "loc\n")
        h.write("htdocs/authconf/file.txt", "authconf\n")
        h.write("htdocs/authconf/.htaccess", "CorsgatePolicy cors/ht.toml\n")
        h.write("htdocs/ignored/file.txt", "ignored\n")
        h.write("htdocs/listed/file.txt", "listed\n")
        h.write("htdocs/listed/.htaccess", "CorsgatePolicy cors/ht.toml\n")
        h.write("htdocs/ignored/.htaccess", "CorsgatePolicy cors/public.json\n")
        h.write("htdocs/broken/file.txt", "broken\n")
        h.write("cors/broken.toml", 'origins = ["https://a.example.com/"]\ncolour = 1\n')
        h.write("htdocs/broken/.htaccess", "CorsgatePolicy cors/broken.toml\n")
        h.write("htpasswd", sha_password("u", "p"))
        cls.port = harness.free_port()
        dead = harness.free_port()  # nothing listens there: mod_proxy answers 503 itself
        up = f"http://127.0.0.1:{cls.up.port}"
        r = h.root
        h.conf.write_text(
            h.config(
                f"""
LogFormat "%U %>s %{{corsgate_kind}}n %{{corsgate_verdict}}n %{{corsgate_reason}}n %{{corsgate_verdict}}e" corsgate
CustomLog {h.access_log} corsgate
# Relative to ServerRoot, like AuthUserFile.
CorsgatePolicy cors/api.toml

ProxyPass /app/ {up}/app/
ProxyPass /dead/ http://127.0.0.1:{dead}/dead/
ProxyPass /continue/ {up}/continue/
ProxyPass /public/ {up}/public/
ProxyPass /quiet/ {up}/quiet/
ProxyPass /loud/ {up}/loud/
ProxyPass /errpage/ {up}/errpage/

<Location /auth/>
    AuthType Basic
    AuthName api
    AuthBasicProvider file
    AuthUserFile htpasswd
    Require valid-user
    ProxyPass {up}/auth/
</Location>
<Location /denied/>
    Require all denied
    ProxyPass {up}/denied/
</Location>
<Location /headers/>
    Header always set Access-Control-Allow-Origin "*"
    Header always set Access-Control-Allow-Credentials "true"
    Header always set Vary "Accept-Encoding"
    Header always set X-Frame-Options "DENY"
    ProxyPass {up}/headers/
</Location>
<Location /small/>
    LimitRequestBody 10
</Location>
<Location /errpage/>
    ProxyErrorOverride On
    ErrorDocument 404 /errors/404.html
</Location>
<Location /public/>
    CorsgatePolicy cors/public.json
</Location>
<Location /public/partner/>
    CorsgatePolicy cors/partner.toml
</Location>
<Location /public/plain/>
    Corsgate Off
</Location>
<Location /continue/>
    CorsgatePolicy cors/continue.toml
</Location>
<Location /quiet/>
    CorsgateDenialLogLevel off
</Location>
<Location /loud/>
    CorsgateDenialLogLevel warn
</Location>
<Location /ht/loc/>
    Corsgate Off
</Location>

<Directory {r}/htdocs/ht>
    AllowOverride FileInfo
</Directory>
<Directory {r}/htdocs/broken>
    AllowOverride FileInfo
</Directory>
<Directory {r}/htdocs/authconf>
    AllowOverride AuthConfig
</Directory>
<Directory {r}/htdocs/ignored>
    AllowOverride None
</Directory>
<Directory {r}/htdocs/listed>
    AllowOverride None
    AllowOverrideList CorsgatePolicy
</Directory>

<VirtualHost 127.0.0.1:{cls.port}>
    ServerName localhost
</VirtualHost>
<VirtualHost 127.0.0.1:{cls.port}>
    ServerName partner.test
    CorsgatePolicy cors/partner.toml
</VirtualHost>
<VirtualHost 127.0.0.1:{cls.port}>
    ServerName off.test
    Corsgate Off
</VirtualHost>
""",
                cls.port,
                modules=REQUEST_MODULES,
            )
        )

    def logged(self, path: str) -> list[str]:
        """The access log's fields after the path for the last request to `path`."""
        log = self.h.wait_log(f"{path} ", path=self.h.access_log)
        return [ln.split(" ")[1:] for ln in log.splitlines() if ln.startswith(f"{path} ")][-1]

    # -- preflights --------------------------------------------------------------------

    def test_allowed_preflight_is_answered_by_httpd_not_the_upstream(self) -> None:
        before = self.up.count("/app/")
        r = harness.request(
            self.port, "OPTIONS", "/app/orders/42", preflight(APP, headers="content-type,authorization")
        )
        self.assertEqual(r.status, 204)
        self.assertEqual(r.cors(), ALLOWED_PREFLIGHT)
        self.assertEqual(r.vary(), PREFLIGHT_VARY)
        self.assertIsNone(r.get("X-Upstream"))
        self.assertEqual(r.body, b"")
        self.assertEqual(self.up.count("/app/"), before)
        self.assertEqual(self.logged("/app/orders/42"), ["204", "preflight", "allowed", "-", "allowed"])

    def test_denied_preflight_is_403_without_cors_headers_and_never_reaches_upstream(self) -> None:
        before = self.up.count("/app/")
        cases = [
            (preflight(EVIL), "origin_not_allowed"),
            (preflight(APP, method="PATCH"), "method_not_allowed"),
            (preflight(APP, headers="x-other"), "header_not_allowed"),
        ]
        for i, (headers, reason) in enumerate(cases):
            r = harness.request(self.port, "OPTIONS", f"/app/denied{i}", headers)
            self.assertEqual(r.status, 403, headers)
            self.assertEqual(r.cors(), [])
            self.assertEqual(r.vary(), PREFLIGHT_VARY)
            self.assertEqual(r.get("Content-Length"), b"0")
            self.assertIsNone(r.get("X-Upstream"))
            self.assertEqual(self.logged(f"/app/denied{i}"), ["403", "preflight", "denied", reason, "denied"])
        self.assertEqual(self.up.count("/app/"), before)

    def test_options_without_acrm_is_an_actual_request_for_the_upstream(self) -> None:
        r = harness.request(self.port, "OPTIONS", "/app/x", [("Origin", APP)])
        self.assertEqual(r.get("X-Upstream"), b"1")
        self.assertEqual(r.cors(), ALLOWED_ACTUAL)

    def test_preflight_with_a_body_is_answered_and_the_connection_stays_usable(self) -> None:
        c = harness.Client(self.port)
        self.addCleanup(c.close)
        r = c.request("OPTIONS", "/app/a", preflight(APP), body=b"ignored body")
        self.assertEqual(r.status, 204)
        r = c.request("GET", "/app/b", [("Origin", APP)])
        self.assertEqual(r.status, 200)
        self.assertEqual(r.cors(), ALLOWED_ACTUAL)

    def test_preflight_is_answered_before_authentication_and_authorization(self) -> None:
        # A browser never sends credentials on a preflight: it must not meet the 401.
        for path in ("/auth/x", "/denied/x"):
            r = harness.request(self.port, "OPTIONS", path, preflight(APP))
            self.assertEqual(r.status, 204, path)
            self.assertEqual(r.get("Access-Control-Allow-Origin"), APP.encode())
            self.assertIsNone(r.get("X-Upstream"))
        r = harness.request(self.port, "GET", "/auth/x", [("Origin", APP)])
        self.assertEqual(r.status, 401)
        self.assertEqual(r.cors(), ALLOWED_ACTUAL)  # the page can read the 401
        self.assertEqual(r.vary(), ["Origin"])
        r = harness.request(self.port, "GET", "/auth/x", [("Origin", APP), ("Authorization", "Basic dTpw")])
        self.assertEqual(r.status, 200)
        self.assertEqual(r.get("X-Upstream"), b"1")
        self.assertEqual(r.cors(), ALLOWED_ACTUAL)
        r = harness.request(self.port, "GET", "/denied/x", [("Origin", APP)])
        self.assertEqual(r.status, 403)
        self.assertEqual(r.cors(), ALLOWED_ACTUAL)

    def test_preflight_continue_reaches_the_upstream_and_gets_corsgate_headers(self) -> None:
        before = self.up.count("/continue/")
        r = harness.request(self.port, "OPTIONS", "/continue/acao/x", preflight(APP, headers=""))
        self.assertEqual(self.up.count("/continue/"), before + 1)
        self.assertEqual(r.get("X-Upstream"), b"1")
        self.assertEqual(r.status, 200)
        # The upstream's own `*` and credentials headers are gone, corsgate's are there.
        self.assertEqual(
            r.cors(), [("access-control-allow-origin", APP.encode()), ("access-control-allow-methods", b"PUT")]
        )
        r = harness.request(self.port, "OPTIONS", "/continue/acao/x", preflight(EVIL, headers=""))
        self.assertEqual(r.get("X-Upstream"), b"1")
        self.assertEqual(r.cors(), [])

    # -- actual requests on every status ---------------------------------------------------

    def test_upstream_statuses_keep_cors_headers(self) -> None:
        for status in (200, 201, 301, 404, 500, 503):
            r = harness.request(self.port, "GET", f"/app/status/{status}/x", [("Origin", APP)])
            self.assertEqual(r.status, status)
            self.assertEqual(r.get("X-Upstream"), b"1")
            self.assertEqual(r.cors(), ALLOWED_ACTUAL, status)
            self.assertEqual(r.vary(), ["Origin"])

    def test_httpd_own_error_responses_keep_cors_headers(self) -> None:
        cases = [
            ("GET", "/missing.txt", b"", 404),
            ("GET", "/dead/x", b"", 503),  # mod_proxy: the backend refused the connection
            ("POST", "/small/f.txt", b"x" * 100, 413),
            ("PATCH", "/index.html", b"", 405),
        ]
        for method, path, body, status in cases:
            r = harness.request(self.port, method, path, [("Origin", APP)], body=body)
            self.assertEqual(r.status, status, path)
            self.assertIsNone(r.get("X-Upstream"))
            self.assertEqual(r.cors(), ALLOWED_ACTUAL, path)
            self.assertEqual(r.vary(), ["Origin"], path)
        # A 400 for a broken request: httpd read the headers, the server's policy answers.
        r = harness.request(self.port, "GET", "/app/x", [("Origin", APP), ("Host", "a"), ("Host", "b")])
        self.assertEqual(r.status, 400)
        self.assertEqual(r.cors(), ALLOWED_ACTUAL)
        # A broken request line is refused before httpd reads any header: no Origin to
        # answer, the answer of a request without one (Vary: Origin).
        r = harness.request(self.port, "GET", "/app/x\x01y", [("Origin", APP)])
        self.assertEqual((r.status, r.cors(), r.vary()), (400, [], ["Origin"]))

    def test_error_document_keeps_cors_headers(self) -> None:
        r = harness.request(self.port, "GET", "/errpage/status/404/x", [("Origin", APP)])
        self.assertEqual(r.status, 404)
        self.assertEqual(r.body, b"custom not found\n")
        self.assertEqual(r.cors(), ALLOWED_ACTUAL)
        self.assertEqual(r.vary(), ["Origin"])

    def test_static_file_and_head(self) -> None:
        for method in ("GET", "HEAD"):
            r = harness.request(self.port, method, "/index.html", [("Origin", APP)])
            self.assertEqual(r.status, 200)
            self.assertEqual(r.cors(), ALLOWED_ACTUAL)
            self.assertEqual(r.vary(), ["Origin"])

    def test_denied_and_not_cors_requests_get_vary_only(self) -> None:
        for i, headers in enumerate(([("Origin", EVIL)], [], [("Origin", "https://APP.example.com")])):
            r = harness.request(self.port, "GET", f"/app/vo{i}", headers)
            self.assertEqual(r.get("X-Upstream"), b"1")
            self.assertEqual(r.cors(), [], headers)
            self.assertEqual(r.vary(), ["Origin"])
        self.assertEqual(self.logged("/app/vo0"), ["200", "actual", "denied", "origin_not_allowed", "denied"])
        self.assertEqual(self.logged("/app/vo1"), ["200", "not_cors", "allowed", "-", "allowed"])
        self.assertEqual(self.logged("/app/vo2"), ["200", "actual", "denied", "malformed_origin", "denied"])

    def test_upstream_cors_headers_are_replaced_never_duplicated(self) -> None:
        r = harness.request(self.port, "GET", "/app/acao/x", [("Origin", APP)])
        self.assertEqual(r.get("X-Upstream"), b"1")
        self.assertEqual(r.cors(), ALLOWED_ACTUAL)
        # A denied origin gets none of the upstream's (`*` + credentials) either.
        r = harness.request(self.port, "GET", "/app/acao/x", [("Origin", EVIL)])
        self.assertEqual(r.cors(), [])
        r = harness.request(self.port, "GET", "/app/acao/status/500/x", [("Origin", APP)])
        self.assertEqual((r.status, r.cors()), (500, ALLOWED_ACTUAL))

    def test_mod_headers_cors_lines_are_replaced_and_its_vary_merged(self) -> None:
        r = harness.request(self.port, "GET", "/headers/x", [("Origin", APP)])
        self.assertEqual(r.cors(), ALLOWED_ACTUAL)
        self.assertEqual(r.vary(), ["Accept-Encoding", "Origin"])
        r = harness.request(self.port, "GET", "/headers/status/404/x", [("Origin", EVIL)])
        self.assertEqual((r.status, r.cors(), r.vary()), (404, [], ["Accept-Encoding", "Origin"]))

    def test_answered_preflights_go_through_mod_headers_like_other_responses(self) -> None:
        # The <Location>'s `Header always set` lines run on the module's own answer too; by the
        # core's rule for an answered preflight, its CORS lines and its Vary are replaced by
        # the decision's, the other headers stay.
        r = harness.request(self.port, "OPTIONS", "/headers/x", preflight(APP, headers="content-type,authorization"))
        self.assertEqual(r.status, 204)
        self.assertIsNone(r.get("X-Upstream"))
        self.assertEqual(r.get("X-Frame-Options"), b"DENY")
        self.assertEqual(r.cors(), ALLOWED_PREFLIGHT)
        self.assertEqual(r.vary(), PREFLIGHT_VARY)
        self.assertIsNone(r.get("Content-Length"))  # 204 carries none (RFC 9110, 8.6)

    def test_vary_is_merged_with_the_upstream_vary(self) -> None:
        r = harness.request(self.port, "GET", "/app/vary/x", [("Origin", APP)])
        self.assertEqual(r.vary(), ["Accept-Encoding", "Origin"])
        self.assertEqual(len(r.all("Vary")), 1)
        r = harness.request(self.port, "OPTIONS", "/continue/vary/x", preflight(APP, headers=""))
        self.assertEqual(r.vary(), ["Accept-Encoding", *PREFLIGHT_VARY])

    def test_keepalive_requests_each_get_their_own_answer(self) -> None:
        c = harness.Client(self.port)
        self.addCleanup(c.close)
        for i in range(50):
            origin, want = (APP, ALLOWED_ACTUAL) if i % 2 == 0 else (EVIL, [])
            r = c.request("GET", f"/app/k{i}", [("Origin", origin)])
            self.assertEqual(r.cors(), want)
            r = c.request("OPTIONS", f"/app/k{i}", preflight(origin))
            self.assertEqual(r.status, 204 if origin == APP else 403)

    # -- inheritance -----------------------------------------------------------------------

    def test_locations_use_their_own_policy_the_longer_one_last(self) -> None:
        r = harness.request(self.port, "GET", "/public/feed", [("Origin", EVIL)])
        self.assertEqual(r.cors(), [("access-control-allow-origin", b"*")])
        self.assertEqual(r.vary(), [])  # any-origin answers do not depend on Origin
        r = harness.request(self.port, "OPTIONS", "/public/feed", preflight(EVIL, method="PATCH", headers=""))
        self.assertEqual((r.status, r.get("Access-Control-Allow-Methods")), (204, b"PATCH"))

        r = harness.request(self.port, "GET", "/public/partner/x", [("Origin", PARTNER)])
        self.assertEqual(r.cors(), PARTNER_ACTUAL)
        r = harness.request(self.port, "GET", "/public/partner/x", [("Origin", APP)])
        self.assertEqual(r.cors(), [])
        r = harness.request(self.port, "OPTIONS", "/public/partner/x", preflight(PARTNER, method="PATCH", headers=""))
        self.assertEqual(r.status, 200)  # that policy's preflight_status
        self.assertEqual(r.get("Content-Length"), b"0")

    def test_corsgate_off_leaves_requests_and_upstream_headers_alone(self) -> None:
        before = self.up.count("/public/plain/")
        r = harness.request(self.port, "OPTIONS", "/public/plain/acao/x", preflight(APP))
        self.assertEqual(self.up.count("/public/plain/"), before + 1)
        self.assertEqual(r.get("X-Upstream"), b"1")
        self.assertEqual(r.vary(), [])
        # Whatever the upstream sends passes untouched.
        self.assertEqual(r.get("Access-Control-Allow-Origin"), b"*")
        self.assertEqual(self.logged("/public/plain/acao/x"), ["200", "-", "-", "-", "-"])

    def test_virtual_hosts_inherit_the_server_policy_or_set_their_own(self) -> None:
        r = harness.request(self.port, "GET", "/index.html", [("Origin", APP)], host="localhost")
        self.assertEqual(r.cors(), ALLOWED_ACTUAL)
        r = harness.request(self.port, "GET", "/index.html", [("Origin", PARTNER)], host="partner.test")
        self.assertEqual(r.cors(), PARTNER_ACTUAL)
        # A <Location> of the main server applies in every virtual host, over the host's own.
        r = harness.request(self.port, "GET", "/public/x", [("Origin", EVIL)], host="partner.test")
        self.assertEqual(r.cors(), [("access-control-allow-origin", b"*")])
        r = harness.request(self.port, "OPTIONS", "/index.html", preflight(APP), host="off.test")
        self.assertEqual((r.cors(), r.vary()), ([], []))
        self.assertNotEqual(r.status, 403)

    def test_htaccess_sets_a_policy_for_its_directory_and_below(self) -> None:
        one = "https://one.example.com"
        for path in ("/ht/file.txt", "/ht/inherit/file.txt"):
            r = harness.request(self.port, "GET", path, [("Origin", one)])
            self.assertEqual(r.cors(), [("access-control-allow-origin", one.encode())], path)
            r = harness.request(self.port, "GET", path, [("Origin", APP)])
            self.assertEqual(r.cors(), [], path)
        r = harness.request(self.port, "OPTIONS", "/ht/file.txt", preflight(one, method="GET", headers=""))
        self.assertEqual((r.status, r.get("Access-Control-Allow-Origin")), (204, one.encode()))
        # `Corsgate Off` in a deeper .htaccess; a <Location> beats any .htaccess.
        for path in ("/ht/off/file.txt", "/ht/loc/file.txt"):
            r = harness.request(self.port, "GET", path, [("Origin", one)])
            self.assertEqual((r.status, r.cors(), r.vary()), (200, [], []), path)

    def test_htaccess_policy_file_changes_apply_without_a_restart(self) -> None:
        policy = self.h.root / "cors/ht.toml"
        self.addCleanup(policy.write_text, 'origins = ["https://one.example.com"]\n')
        two = "https://two.example.com"
        policy.write_text(f'origins = ["{two}"]\n# a longer file: another size\n')
        r = harness.request(self.port, "GET", "/ht/file.txt", [("Origin", two)])
        self.assertEqual(r.cors(), [("access-control-allow-origin", two.encode())])
        r = harness.request(self.port, "GET", "/ht/file.txt", [("Origin", "https://one.example.com")])
        self.assertEqual(r.cors(), [])

    def test_htaccess_with_a_broken_policy_is_a_500_with_every_problem_logged(self) -> None:
        mark = len(self.h.log())
        for _ in range(2):  # compiled once, the same answer from the cache
            r = harness.request(self.port, "GET", "/broken/file.txt", [("Origin", APP)])
            self.assertEqual(r.status, 500)
        log = self.h.wait_log("invalid CORS policy (2 problems", mark)[mark:]
        broken = self.h.root / "cors/broken.toml"
        self.assertIn(f"CorsgatePolicy {broken}: origins[0]: ", log)
        self.assertIn("(origin_trailing_slash)", log)
        self.assertIn(f"CorsgatePolicy {broken}: colour: ", log)
        self.assertIn("(unknown_key)", log)
        self.assertIn(str(self.h.root / "htdocs/broken/.htaccess"), log)

    def test_htaccess_needs_allowoverride_fileinfo_or_allowoverridelist(self) -> None:
        # AllowOverride AuthConfig: the directive is refused (httpd's 500 and log line).
        mark = len(self.h.log())
        r = harness.request(self.port, "GET", "/authconf/file.txt", [("Origin", "https://one.example.com")])
        self.assertEqual(r.status, 500)
        self.assertIn("CorsgatePolicy not allowed here", self.h.wait_log("not allowed here", mark)[mark:])
        # AllowOverride None: the .htaccess is never read, the server's policy answers.
        r = harness.request(self.port, "GET", "/ignored/file.txt", [("Origin", APP)])
        self.assertEqual(r.cors(), ALLOWED_ACTUAL)
        # AllowOverrideList names the directive instead.
        one = "https://one.example.com"
        r = harness.request(self.port, "GET", "/listed/file.txt", [("Origin", one)])
        self.assertEqual(r.cors(), [("access-control-allow-origin", one.encode())])

    # -- denial reports --------------------------------------------------------------------

    def test_denials_are_logged_at_the_configured_level(self) -> None:
        mark = len(self.h.log())
        harness.request(self.port, "GET", "/app/report", [("Origin", EVIL)])
        harness.request(self.port, "GET", "/quiet/report", [("Origin", EVIL)])
        harness.request(self.port, "OPTIONS", "/loud/report", preflight(APP, method="PATCH"))
        log = self.h.wait_log("/loud/report", mark)[mark:]
        self.assertRegex(
            log,
            r"\[corsgate:info\] .*corsgate: actual denied \(origin_not_allowed\): \"https://evil\.example\.net\" "
            r"for /app/report under .*/cors/api\.toml; the browser says: No 'Access-Control-Allow-Origin' header",
        )
        self.assertRegex(
            log, r"\[corsgate:warn\] .*corsgate: preflight denied \(method_not_allowed\): \"PATCH\" for /loud/report"
        )
        self.assertNotIn("/quiet/report", log)
        # The variables were set all the same.
        self.assertEqual(self.logged("/quiet/report"), ["200", "actual", "denied", "origin_not_allowed", "denied"])


class Configuration(unittest.TestCase):
    """configtest and graceful restarts."""

    def setUp(self) -> None:
        self.h = httpd.Httpd()
        self.addCleanup(self.h.stop)
        self.up = harness.Upstream().start()
        self.addCleanup(self.up.stop)
        self.port = harness.free_port()

    def write_conf(self, body: str) -> None:
        self.h.conf.write_text(
            self.h.config(
                body + f"\nProxyPass / http://127.0.0.1:{self.up.port}/\n", self.port, ("proxy", "proxy_http")
            )
        )

    def conf_line(self, needle: str) -> int:
        for n, line in enumerate(self.h.conf.read_text().splitlines(), 1):
            if needle in line:
                return n
        raise AssertionError(needle)

    def test_configtest_fails_on_a_broken_policy_and_prints_every_problem(self) -> None:
        bad = self.h.write(
            "bad.toml",
            """
origins = ["https://app.example.com/", "*"]
credentials = true
methods = ["TRACE"]
max_age = 100000
colour = "blue"
""",
        )
        self.write_conf("<Location /api/>\n    CorsgatePolicy bad.toml\n</Location>")
        expected = [
            ("origins[0]", "origin_trailing_slash"),
            ("origins[1]", "wildcard_origin_mixed"),
            ("origins[1]", "wildcard_origin_with_credentials"),
            ("methods[0]", "method_forbidden"),
            ("max_age", "max_age_out_of_range"),
            ("colour", "unknown_key"),
        ]
        for r in (self.h.test_config(), apachectl(self.h, "configtest")):
            self.assertNotEqual(r.returncode, 0)
            lines = r.stderr.splitlines()
            for path, code in expected:
                found = [ln for ln in lines if ln.startswith(f"CorsgatePolicy {bad}: {path}: ") and f"({code})" in ln]
                self.assertEqual(len(found), 1, f"{path} {code}:\n{r.stderr}")
            self.assertIn(f"Syntax error on line {self.conf_line('bad.toml')} of {self.h.conf}:", r.stderr)
            self.assertIn(f"CorsgatePolicy {bad}: invalid CORS policy ({len(expected)} problems, above)", r.stderr)
            self.assertIn("hint: write `https://app.example.com`", r.stderr)  # the fix comes along

    def test_configtest_prints_warnings_and_passes(self) -> None:
        self.h.write("warn.json", '{"origins": ["https://a.example.com"], "allow_null_origin": true, "max_age": 9000}')
        self.write_conf("CorsgatePolicy warn.json")
        r = self.h.test_config()
        self.assertEqual(r.returncode, 0, r.stderr)
        warn = r.stderr.splitlines()
        self.assertEqual(len([ln for ln in warn if "(null_origin_allowed)" in ln and "allow_null_origin: " in ln]), 1)
        self.assertEqual(len([ln for ln in warn if "(max_age_above_browser_cap)" in ln]), 1, r.stderr)
        self.assertIn("Syntax OK", r.stderr)

    def test_configtest_fails_on_a_missing_file_and_wrong_directives(self) -> None:
        self.h.write("p.json", '{"origins": ["https://a.example.com"]}')
        cases = [
            ("CorsgatePolicy missing.toml", r"missing\.toml: .*\(io_error\)"),
            ("Corsgate On", r'Corsgate: invalid value "On": only "Corsgate Off" exists'),
            ("CorsgatePolicy p.json\n    Corsgate Off", r"already set in this context"),
            ("CorsgatePolicy p.json\n    CorsgatePolicy p.json", r"already set in this context"),
            ("CorsgatePolicy", r"CorsgatePolicy takes one argument"),
            ("CorsgateDenialLogLevel loud", r"CorsgateDenialLogLevel: Log level keyword must be one of .* \(or off\)"),
        ]
        for directive, pattern in cases:
            self.write_conf(f"<Location /x/>\n    {directive}\n</Location>")
            r = self.h.test_config()
            self.assertNotEqual(r.returncode, 0, directive)
            self.assertRegex(r.stderr, f"Syntax error on line [0-9]+ of {re.escape(str(self.h.conf))}", directive)
            self.assertRegex(r.stderr, pattern, directive)

    def test_graceful_restart_applies_a_changed_file_and_a_broken_one_keeps_the_old(self) -> None:
        policy = self.h.write("cors.toml", 'origins = ["https://one.example.com"]\n')
        self.write_conf("CorsgatePolicy cors.toml")
        self.h.start(self.port)

        def acao(origin: str) -> bytes | None:
            return harness.request(self.port, "GET", "/x", [("Origin", origin)]).get("Access-Control-Allow-Origin")

        self.assertEqual(acao("https://one.example.com"), b"https://one.example.com")
        self.assertIsNone(acao("https://two.example.com"))

        # A good change: applied by the new generation of children.
        policy.write_text('origins = ["https://two.example.com"]\n')
        mark = len(self.h.log())
        r = apachectl(self.h, "graceful")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.h.wait_log("resuming normal operations", mark)
        deadline = time.monotonic() + httpd.WAIT
        while acao("https://two.example.com") is None and time.monotonic() < deadline:
            time.sleep(0.05)  # until the old generation's idle children are gone
        self.assertEqual(acao("https://two.example.com"), b"https://two.example.com")
        self.assertIsNone(acao("https://one.example.com"))

        # A broken change: the graceful restart is refused with every problem, the running
        # server keeps its policy.
        policy.write_text('origins = ["https://three.example.com/"]\nbogus = 1\n')
        for r in (apachectl(self.h, "graceful"), self.h.run("-k", "graceful")):
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("invalid CORS policy (2 problems", r.stderr)
            self.assertIn("(origin_trailing_slash)", r.stderr)
            self.assertIn("(unknown_key)", r.stderr)
        self.assertIsNone(self.h.proc.poll() if self.h.proc else 1)
        self.assertEqual(acao("https://two.example.com"), b"https://two.example.com")
        self.assertIsNone(acao("https://three.example.com"))

    @unittest.skipUnless(shutil.which("valgrind"), "valgrind is not installed")
    def test_single_process_under_valgrind_touches_no_bad_memory_and_leaks_no_policy(self) -> None:
        # httpd -X (one process serving) under memcheck: preflights, actual requests, an
        # error document, a proxied backend and a .htaccess policy (compiled, cached, then
        # recompiled after a change); then a stop, which frees the configuration's policies.
        self.h.write(
            "cors.json", '{"origins": ["https://a.example.com"], "origin_regexes": ["https://pr-[0-9]+\\\\.x\\\\.com"]}'
        )
        ht = self.h.write("ht.toml", 'origins = ["https://b.example.com"]\n')
        self.h.write("htdocs/ht/.htaccess", f"CorsgatePolicy {ht}\n")
        self.h.write("htdocs/ht/f.txt", "f\n")
        self.write_conf(
            "CorsgatePolicy cors.json\n"
            f"<Directory {self.h.root}/htdocs/ht>\n    AllowOverride FileInfo\n</Directory>\n"
            "ProxyPass /ht/ !\nProxyPass /missing !"
        )
        vg = [
            "valgrind",
            "--leak-check=full",
            "--show-leak-kinds=definite",
            "--errors-for-leak-kinds=definite",
            f"--log-file={self.h.root}/valgrind.log",
        ]
        slow = 90.0
        self.h.start(self.port, wrapper=vg, args=("-X",), wait=slow)

        def send(method: str, path: str, headers: list[tuple[str, str | bytes]]) -> harness.Response:
            c = harness.Client(self.port)
            try:
                c.sock.settimeout(slow)
                return c.request(method, path, headers)
            finally:
                c.close()

        a, b = "https://a.example.com", "https://b.example.com"
        self.assertEqual(send("OPTIONS", "/x", preflight(a, method="GET", headers="")).status, 204)
        self.assertEqual(send("OPTIONS", "/x", preflight(EVIL, method="GET", headers="")).status, 403)
        self.assertEqual(send("GET", "/x", [("Origin", "https://pr-7.x.com")]).cors()[0][1], b"https://pr-7.x.com")
        self.assertEqual(send("GET", "/missing", [("Origin", a)]).status, 404)
        self.assertEqual(
            send("GET", "/ht/f.txt", [("Origin", b)]).cors(), [("access-control-allow-origin", b.encode())]
        )
        self.assertEqual(
            send("GET", "/ht/f.txt", [("Origin", b)]).cors(), [("access-control-allow-origin", b.encode())]
        )
        ht.write_text('origins = ["https://c.example.com"]\n# changed\n')
        self.assertEqual(send("GET", "/ht/f.txt", [("Origin", b)]).cors(), [])
        self.h.stop(wait=slow, remove=False)

        log = (self.h.root / "valgrind.log").read_text()
        self.assertNotRegex(log, r"Invalid (read|write|free)|uninitialised|Mismatched free", log[-4000:])
        self.assertRegex(log, r"ERROR SUMMARY: 0 errors", log[-4000:])


if __name__ == "__main__":
    unittest.main()
