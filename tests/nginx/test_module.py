"""nginx-specific behaviour of ngx_http_corsgate_module, against a real nginx and upstream.

Expected values come from docs/semantics.md and the Fetch standard (an allowed origin is
echoed byte-for-byte, a denied one gets no Access-Control-* header, Vary: Origin on every
answer of an origin-dependent policy), applied to nginx's situations: error pages, upstream
headers, nested locations, access checks, reloads.
"""

from __future__ import annotations

import os
import re
import shutil
import time
import unittest

import harness

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
PREFLIGHT_VARY = ["Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"]


def preflight(origin: str, method: str = "PUT", headers: str = "content-type") -> list[tuple[str, str | bytes]]:
    return [("Origin", origin), ("Access-Control-Request-Method", method), ("Access-Control-Request-Headers", headers)]


class Module(unittest.TestCase):
    """One nginx for the request-level cases."""

    ngx: harness.Nginx
    up: harness.Upstream
    port: int

    @classmethod
    def setUpClass(cls) -> None:
        cls.up = harness.Upstream().start()
        cls.ngx = harness.Nginx()
        try:
            cls._configure()
            cls.ngx.start()
        except BaseException:
            cls.ngx.stop()
            cls.up.stop()
            raise

    @classmethod
    def tearDownClass(cls) -> None:
        cls.ngx.stop()
        cls.up.stop()

    @classmethod
    def _configure(cls) -> None:
        ngx = cls.ngx
        ngx.write("cors/api.toml", API_TOML)
        ngx.write("cors/public.json", PUBLIC_JSON)
        ngx.write("cors/partner.toml", PARTNER_TOML)
        ngx.write("cors/continue.toml", CONTINUE_TOML)
        ngx.write("html/index.html", "static\n")
        ngx.write("html/errors/404.html", "custom not found\n")
        # user "u", password "p" (the {PLAIN} scheme nginx reads without a crypt library).
        ngx.write("htpasswd", "u:{PLAIN}p\n")
        cls.port = harness.free_port()
        dead = harness.free_port()  # nothing listens there: nginx answers 502 itself
        p = ngx.prefix
        ngx.conf.write_text(
            ngx.config(f"""
    upstream up {{ server 127.0.0.1:{cls.up.port}; keepalive 4; }}
    server {{
        listen 127.0.0.1:{cls.port};
        root {p}/html;
        # Relative to nginx.conf's directory, like "include".
        corsgate_policy cors/api.toml;

        location /app/ {{ proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; }}
        location /static/ {{ }}
        location = /nginx500 {{ return 500; }}
        location = /nginx302 {{ return 302 /elsewhere; }}
        location /dead/ {{ proxy_pass http://127.0.0.1:{dead}; }}
        location /small/ {{ client_max_body_size 10; proxy_pass http://up; }}
        location /denied/ {{ deny all; proxy_pass http://up; }}
        location /auth/ {{
            auth_basic "api";
            auth_basic_user_file {p}/htpasswd;
            proxy_pass http://up;
        }}
        location /addheader/ {{
            add_header Access-Control-Allow-Origin "*" always;
            add_header Vary "Accept-Encoding" always;
            proxy_pass http://up;
        }}
        location /errpage/ {{
            error_page 404 /errors/404.html;
            proxy_pass http://up;
            proxy_intercept_errors on;
        }}
        location /errors/ {{ internal; }}
        location /public/ {{
            corsgate_policy cors/public.json;
            proxy_pass http://up;
            location /public/partner/ {{
                corsgate_policy cors/partner.toml;
                proxy_pass http://up;
            }}
            location /public/plain/ {{
                corsgate off;
                proxy_pass http://up;
            }}
        }}
        location /continue/ {{ corsgate_policy cors/continue.toml; proxy_pass http://up; }}
    }}
""")
        )

    # -- preflights --------------------------------------------------------------------

    def test_allowed_preflight_is_answered_by_nginx_not_the_upstream(self) -> None:
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

    def test_denied_preflight_is_403_without_cors_headers_and_never_reaches_upstream(self) -> None:
        before = self.up.count("/app/")
        for headers in (preflight(EVIL), preflight(APP, method="PATCH"), preflight(APP, headers="x-other")):
            r = harness.request(self.port, "OPTIONS", "/app/orders", headers)
            self.assertEqual(r.status, 403, headers)
            self.assertEqual(r.cors(), [])
            self.assertEqual(r.vary(), PREFLIGHT_VARY)
            self.assertEqual(r.get("Content-Length"), b"0")
            self.assertIsNone(r.get("X-Upstream"))
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

    def test_preflight_passes_auth_basic_and_deny_which_still_guard_actual_requests(self) -> None:
        # A browser never sends credentials on a preflight: it must not meet the 401.
        for path in ("/auth/x", "/denied/x"):
            r = harness.request(self.port, "OPTIONS", path, preflight(APP))
            self.assertEqual(r.status, 204, path)
            self.assertEqual(r.get("Access-Control-Allow-Origin"), APP.encode())
        r = harness.request(self.port, "GET", "/auth/x", [("Origin", APP)])
        self.assertEqual(r.status, 401)
        self.assertEqual(r.cors(), ALLOWED_ACTUAL)  # the page can read the 401
        r = harness.request(self.port, "GET", "/auth/x", [("Origin", APP), ("Authorization", "Basic dTpw")])
        self.assertEqual(r.status, 200)
        self.assertEqual(r.get("X-Upstream"), b"1")
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

    def test_twenty_acrh_lines_are_too_large(self) -> None:
        # More request lines than the module keeps on its stack: all must reach corsgate.
        headers: list[tuple[str, str | bytes]] = [("Origin", APP), ("Access-Control-Request-Method", "PUT")]
        headers += [("Access-Control-Request-Headers", "content-type")] * 20
        r = harness.request(self.port, "OPTIONS", "/app/x", headers)
        self.assertEqual(r.status, 403)
        self.assertEqual(r.cors(), [])

    # -- actual requests on every status ---------------------------------------------------

    def test_upstream_statuses_keep_cors_headers(self) -> None:
        for status in (200, 201, 301, 404, 500, 503):
            r = harness.request(self.port, "GET", f"/app/status/{status}/x", [("Origin", APP)])
            self.assertEqual(r.status, status)
            self.assertEqual(r.get("X-Upstream"), b"1")
            self.assertEqual(r.cors(), ALLOWED_ACTUAL, status)
            self.assertEqual(r.vary(), ["Origin"])

    def test_nginx_own_error_pages_keep_cors_headers(self) -> None:
        cases = [
            ("GET", "/static/missing.txt", b"", 404),
            ("GET", "/nginx500", b"", 500),
            ("GET", "/nginx302", b"", 302),
            ("GET", "/dead/x", b"", 502),
            ("POST", "/small/x", b"x" * 100, 413),
        ]
        for method, path, body, status in cases:
            r = harness.request(self.port, method, path, [("Origin", APP)], body=body)
            self.assertEqual(r.status, status, path)
            self.assertIsNone(r.get("X-Upstream"))
            self.assertEqual(r.cors(), ALLOWED_ACTUAL, path)
            self.assertEqual(r.vary(), ["Origin"], path)
        # A 400 while reading the headers (a second Host line): Origin was already read.
        r = harness.request(self.port, "GET", "/app/x", [("Origin", APP), ("Host", "a"), ("Host", "b")])
        self.assertEqual(r.status, 400)
        self.assertEqual(r.cors(), ALLOWED_ACTUAL)
        # A 400 for the request line itself comes before nginx reads any header: no Origin
        # to answer, the answer of a request without one (Vary: Origin).
        r = harness.request(self.port, "GET", "/static/../../x", [("Origin", APP)])
        self.assertEqual((r.status, r.cors(), r.vary()), (400, [], ["Origin"]))

    def test_error_page_redirect_keeps_cors_headers(self) -> None:
        r = harness.request(self.port, "GET", "/errpage/status/404/x", [("Origin", APP)])
        self.assertEqual(r.status, 404)
        self.assertEqual(r.body, b"custom not found\n")
        self.assertEqual(r.cors(), ALLOWED_ACTUAL)

    def test_static_file_and_head(self) -> None:
        for method in ("GET", "HEAD"):
            r = harness.request(self.port, method, "/index.html", [("Origin", APP)])
            self.assertEqual(r.status, 200)
            self.assertEqual(r.cors(), ALLOWED_ACTUAL)
            self.assertEqual(r.vary(), ["Origin"])

    def test_denied_and_not_cors_requests_get_vary_only(self) -> None:
        for headers in ([("Origin", EVIL)], [], [("Origin", "https://APP.example.com")]):
            r = harness.request(self.port, "GET", "/app/x", headers)
            self.assertEqual(r.get("X-Upstream"), b"1")
            self.assertEqual(r.cors(), [], headers)
            self.assertEqual(r.vary(), ["Origin"])

    def denial_log(self, headers: list[tuple[str, str | bytes]], marker: str) -> str:
        """The info line a denied request to /app/<marker> logged (the worker writes it before
        answering, so it is there once the answer is)."""
        mark = len(self.ngx.error_log.read_bytes())
        r = harness.request(self.port, "GET", f"/app/{marker}", headers)
        self.assertEqual(r.cors(), [])
        lines = [ln for ln in self.ngx.error_log.read_bytes()[mark:].split(b"\n") if b"corsgate: " in ln]
        self.assertEqual(len(lines), 1, lines)
        return lines[0].decode("ascii")  # every byte escaped: the line is ASCII

    def test_denial_log_escapes_bytes_that_are_not_printable(self) -> None:
        origin = b'https://\x1b[31mred\x07"\\\x7f\xe9.example'
        line = self.denial_log([("Origin", origin)], "log-escape")
        self.assertIn('malformed_origin "https://\\x1b[31mred\\x07\\"\\\\\\x7f\\xe9.example"', line)

    def test_denial_log_names_the_first_of_two_origins(self) -> None:
        line = self.denial_log([("Origin", EVIL), ("Origin", APP)], "log-repeated")
        self.assertIn(f'corsgate: denied actual /app/log-repeated: malformed_origin "{EVIL}"', line)

    def test_denial_log_lines_are_bounded(self) -> None:
        line = self.denial_log([("Origin", "https://" + "a" * 3000 + ".example")], "log-long")
        self.assertLess(len(line), 2200)

    def test_upstream_cors_headers_are_replaced_never_duplicated(self) -> None:
        r = harness.request(self.port, "GET", "/app/acao/x", [("Origin", APP)])
        self.assertEqual(r.get("X-Upstream"), b"1")
        self.assertEqual(r.cors(), ALLOWED_ACTUAL)
        # A denied origin gets none of the upstream's (`*` + credentials) either.
        r = harness.request(self.port, "GET", "/app/acao/x", [("Origin", EVIL)])
        self.assertEqual(r.cors(), [])

    def test_add_header_cors_lines_are_replaced_and_its_vary_appended_to(self) -> None:
        r = harness.request(self.port, "GET", "/addheader/x", [("Origin", APP)])
        self.assertEqual(r.cors(), ALLOWED_ACTUAL)
        self.assertEqual(r.vary(), ["Accept-Encoding", "Origin"])

    def test_vary_is_appended_to_the_upstream_vary(self) -> None:
        r = harness.request(self.port, "GET", "/app/vary/x", [("Origin", APP)])
        self.assertEqual(r.all("Vary"), [b"Accept-Encoding, Origin"])
        r = harness.request(self.port, "OPTIONS", "/continue/vary/x", preflight(APP, headers=""))
        self.assertEqual(
            r.all("Vary"), [b"Accept-Encoding, Origin, Access-Control-Request-Method, Access-Control-Request-Headers"]
        )

    def test_keepalive_requests_each_get_their_own_answer(self) -> None:
        c = harness.Client(self.port)
        self.addCleanup(c.close)
        for i in range(50):
            origin, want = (APP, ALLOWED_ACTUAL) if i % 2 == 0 else (EVIL, [])
            r = c.request("GET", f"/app/k{i}", [("Origin", origin)])
            self.assertEqual(r.cors(), want)
            r = c.request("OPTIONS", f"/app/k{i}", preflight(origin))
            self.assertEqual(r.status, 204 if origin == APP else 403)

    # -- nested locations and `corsgate off` ----------------------------------------------

    def test_nested_locations_use_their_own_policy(self) -> None:
        r = harness.request(self.port, "GET", "/public/feed", [("Origin", EVIL)])
        self.assertEqual(r.cors(), [("access-control-allow-origin", b"*")])
        self.assertEqual(r.vary(), [])  # any-origin answers do not depend on Origin
        r = harness.request(self.port, "OPTIONS", "/public/feed", preflight(EVIL, method="PATCH", headers=""))
        self.assertEqual((r.status, r.get("Access-Control-Allow-Methods")), (204, b"PATCH"))

        r = harness.request(self.port, "GET", "/public/partner/x", [("Origin", PARTNER)])
        self.assertEqual(r.cors(), [("access-control-allow-origin", PARTNER.encode())])
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


class Configuration(unittest.TestCase):
    """`nginx -t` and reloads."""

    def setUp(self) -> None:
        self.ngx = harness.Nginx()
        self.addCleanup(self.ngx.stop)
        self.up = harness.Upstream().start()
        self.addCleanup(self.up.stop)
        self.port = harness.free_port()

    def write_conf(self, server_body: str) -> None:
        self.ngx.conf.write_text(
            self.ngx.config(f"""
    upstream up {{ server 127.0.0.1:{self.up.port}; }}
    server {{
        listen 127.0.0.1:{self.port};
{server_body}
    }}
""")
        )

    def conf_line(self, needle: str) -> int:
        for n, line in enumerate(self.ngx.conf.read_text().splitlines(), 1):
            if needle in line:
                return n
        raise AssertionError(needle)

    def test_nginx_t_fails_on_a_broken_policy_and_logs_every_problem(self) -> None:
        self.ngx.write(
            "bad.toml",
            """
origins = ["https://app.example.com/", "*"]
credentials = true
methods = ["TRACE"]
max_age = 100000
colour = "blue"
""",
        )
        self.write_conf("        location / { corsgate_policy bad.toml; proxy_pass http://up; }")
        r = self.ngx.test_config()
        self.assertNotEqual(r.returncode, 0)
        line = self.conf_line("bad.toml")
        where = f" in {self.ngx.conf}:{line}"
        bad = self.ngx.prefix / "bad.toml"
        expected = [
            ("origins[0]", "origin_trailing_slash"),
            ("origins[1]", "wildcard_origin_mixed"),
            ("origins[1]", "wildcard_origin_with_credentials"),
            ("methods[0]", "method_forbidden"),
            ("max_age", "max_age_out_of_range"),
            ("colour", "unknown_key"),
        ]
        emerg = [ln for ln in r.stderr.splitlines() if "[emerg]" in ln]
        self.assertEqual(len(emerg), 1 + len(expected), r.stderr)
        self.assertTrue(
            emerg[0].endswith(f': corsgate_policy "{bad}": invalid CORS policy ({len(expected)} problems){where}'),
            emerg[0],
        )
        for path, code in expected:
            found = [ln for ln in emerg if f'corsgate_policy "{bad}": {path}: ' in ln and f"({code})" in ln]
            self.assertEqual(len(found), 1, f"{path} {code}:\n{r.stderr}")
            self.assertTrue(found[0].endswith(where), found[0])
        self.assertIn("hint: ", "\n".join(emerg))  # the trailing slash comes with its fix
        self.assertIn("test failed", r.stderr)

    def test_nginx_t_logs_warnings_and_passes(self) -> None:
        self.ngx.write(
            "warn.json", '{"origins": ["https://a.example.com"], "allow_null_origin": true, "max_age": 9000}'
        )
        self.write_conf("        corsgate_policy warn.json;\n        location / { proxy_pass http://up; }")
        r = self.ngx.test_config()
        self.assertEqual(r.returncode, 0, r.stderr)
        warn = [ln for ln in r.stderr.splitlines() if "[warn]" in ln]
        self.assertEqual(
            len([ln for ln in warn if "(null_origin_allowed)" in ln and "allow_null_origin: " in ln]), 1, r.stderr
        )
        self.assertEqual(len([ln for ln in warn if "(max_age_above_browser_cap)" in ln]), 1, r.stderr)
        self.assertIn("test is successful", r.stderr)

    def test_nginx_t_refuses_a_fifo_and_an_oversized_policy(self) -> None:
        fifo = self.ngx.prefix / "fifo.toml"
        os.mkfifo(fifo)
        big = self.ngx.write("big.json", '{"origins": []}' + " " * (1024 * 1024))
        for path, problem in ((fifo, "it is a FIFO (named pipe), not a regular file"), (big, "more than the")):
            self.write_conf(f"        location / {{ corsgate_policy {path.name}; proxy_pass http://up; }}")
            # Before the check, reading the FIFO waited for a writer: nginx -t never ended.
            r = self.ngx.test_config()
            self.assertNotEqual(r.returncode, 0, r.stderr)
            self.assertRegex(r.stderr, r"\[emerg\] .*" + re.escape(problem) + r".*\(io_error\)", r.stderr)

    def test_nginx_t_fails_on_a_missing_file_and_wrong_directives(self) -> None:
        cases = [
            ("corsgate_policy missing.toml;", r"missing\.toml.*\(io_error\)"),
            ("corsgate on;", r'invalid value "on" in "corsgate"'),
            ("corsgate_policy p.json; corsgate off;", r'"corsgate" directive is duplicate'),
            ("corsgate_policy p.json; corsgate_policy p.json;", r'"corsgate_policy" directive is duplicate'),
            ("corsgate_policy;", r'invalid number of arguments in "corsgate_policy"'),
        ]
        self.ngx.write("p.json", '{"origins": ["https://a.example.com"]}')
        for directive, pattern in cases:
            self.write_conf(f"        location / {{ {directive} proxy_pass http://up; }}")
            r = self.ngx.test_config()
            self.assertNotEqual(r.returncode, 0, directive)
            self.assertRegex(r.stderr, r"\[emerg\] .*" + pattern + r".* in " + re.escape(str(self.ngx.conf)), directive)

    def test_reload_applies_a_changed_file_and_a_broken_one_keeps_the_old(self) -> None:
        policy = self.ngx.write("cors.toml", 'origins = ["https://one.example.com"]\n')
        self.write_conf("        corsgate_policy cors.toml;\n        location / { proxy_pass http://up; }")
        self.ngx.start()

        def acao(origin: str) -> bytes | None:
            return harness.request(self.port, "GET", "/x", [("Origin", origin)]).get("Access-Control-Allow-Origin")

        self.assertEqual(acao("https://one.example.com"), b"https://one.example.com")
        self.assertIsNone(acao("https://two.example.com"))
        workers = self.ngx.worker_pids()

        # A good change: applied by new workers.
        policy.write_text('origins = ["https://two.example.com"]\n')
        mark = len(self.ngx.log())
        self.ngx.reload()
        self.ngx.wait_log("reconfiguring", mark)
        self.ngx.wait_one_worker()
        self.assertEqual(acao("https://two.example.com"), b"https://two.example.com")
        self.assertIsNone(acao("https://one.example.com"))
        new_workers = self.ngx.worker_pids()
        self.assertTrue(new_workers and set(new_workers).isdisjoint(workers))

        # A broken change: the reload fails, logs the problems, the running policy stays.
        policy.write_text('origins = ["https://three.example.com/"]\nbogus = 1\n')
        mark = len(self.ngx.log())
        self.ngx.reload()
        log = self.ngx.wait_log("invalid CORS policy (2 problems)", mark)[mark:]
        self.assertIn("(origin_trailing_slash)", log)
        self.assertIn("(unknown_key)", log)
        time.sleep(0.2)  # the master would have started new workers by now
        self.assertEqual(self.ngx.worker_pids(), new_workers)
        self.assertIsNone(self.ngx.proc.poll() if self.ngx.proc else 1)
        self.assertEqual(acao("https://two.example.com"), b"https://two.example.com")
        self.assertIsNone(acao("https://three.example.com"))

    @unittest.skipUnless(shutil.which("valgrind"), "valgrind is not installed")
    def test_reloads_free_every_policy_and_requests_touch_no_bad_memory(self) -> None:
        # The master compiles the policies of each configuration and must free them with it
        # (pool cleanup): after reloads with the same, a changed and a broken file, and its
        # exit (which destroys the last cycle), valgrind finds nothing definitely lost in it.
        # Workers serve requests under valgrind too: no invalid access anywhere.
        policy = self.ngx.write(
            "cors.json",
            '{"origins": ["https://a.example.com"], "origin_regexes": '
            '["https://pr-[0-9]+\\\\.preview\\\\.example\\\\.com"]}',
        )
        self.write_conf(
            "        corsgate_policy cors.json;\n"
            "        location / { proxy_pass http://up; }\n"
            "        location /b/ { corsgate_policy cors.json; proxy_pass http://up; }"
        )
        vg = [
            "valgrind",
            "--leak-check=full",
            "--show-leak-kinds=definite",
            f"--log-file={self.ngx.prefix}/valgrind.%p",
        ]
        slow = 60.0
        self.ngx.start(wrapper=vg, wait=slow)
        assert self.ngx.proc is not None
        master = self.ngx.proc.pid

        def traffic(origin: str) -> list[tuple[str, bytes]]:
            c = harness.Client(self.port)
            try:
                c.sock.settimeout(slow)
                c.request("OPTIONS", "/b/x", preflight(origin, method="GET", headers=""))
                c.request("GET", "/x", [("Origin", "https://pr-12.preview.example.com")])
                return c.request("GET", "/b/x", [("Origin", origin)]).cors()
            finally:
                c.close()

        self.assertEqual(traffic("https://a.example.com"), [("access-control-allow-origin", b"https://a.example.com")])
        steps = [
            (None, "start worker process"),  # the same file again
            ('{"origins": ["https://c.example.com"]}', "start worker process"),  # a changed one
            ('{"origins": ["https://c.example.com/"]}', "invalid CORS policy"),  # a broken one
        ]
        for text, outcome in steps:
            if text is not None:
                policy.write_text(text)
            mark = len(self.ngx.log())
            self.ngx.reload()
            self.ngx.wait_log("reconfiguring", mark)
            self.ngx.wait_log(outcome, mark)
        self.ngx.wait_one_worker(wait=slow)
        self.assertEqual(traffic("https://c.example.com"), [("access-control-allow-origin", b"https://c.example.com")])
        self.ngx.stop(wait=slow, remove=False)

        logs = {int(p.name.split(".")[1]): p.read_text() for p in self.ngx.prefix.glob("valgrind.*")}
        self.assertIn(master, logs)
        self.assertIn(
            "definitely lost: 0 bytes in 0 blocks",
            logs[master].replace("All heap blocks were freed", "definitely lost: 0 bytes in 0 blocks"),
        )
        for pid, log in logs.items():
            self.assertNotRegex(log, r"Invalid (read|write|free)|uninitialised|Mismatched free", f"process {pid}")


if __name__ == "__main__":
    unittest.main()
