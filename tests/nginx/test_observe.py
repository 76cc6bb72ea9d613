"""Observability in nginx: the $corsgate_* variables in log_format and `if`, the denial log
(libcorsgate's report line, rate-limited), the corsgate_status counters summed across two
workers, and report-only mode in front of an upstream that sends its own, deliberately wrong,
hand-written CORS headers (docs/observability.md, docs/migrating-from-nginx.md)."""

from __future__ import annotations

import time
import unittest

import harness

APP = "https://app.example.com"
EVIL = "https://evil.example.net"

POLICY = """
origins = ["https://app.example.com"]
methods = ["PUT"]
credentials = true
"""
REPORT_ONLY = 'mode = "report-only"\n' + POLICY


class Observe(unittest.TestCase):
    ngx: harness.Nginx
    up: harness.Upstream
    port: int

    @classmethod
    def setUpClass(cls) -> None:
        cls.up = harness.Upstream().start()
        cls.ngx = harness.Nginx()
        ngx = cls.ngx
        try:
            ngx.write("cors/api.toml", POLICY)
            ngx.write("cors/report-only.toml", REPORT_ONLY)
            cls.port = harness.free_port()
            p = ngx.prefix
            conf = ngx.config(f"""
    log_format cors '$request_method $uri kind=$corsgate_kind verdict=$corsgate_verdict reason=$corsgate_reason';
    corsgate_denial_log_rate 0;
    server {{
        listen 127.0.0.1:{cls.port};
        access_log {p}/logs/cors.log cors;
        location /app/ {{ corsgate_policy cors/api.toml; proxy_pass http://127.0.0.1:{cls.up.port}; }}
        location /if/ {{
            corsgate_policy cors/api.toml;
            if ($corsgate_reason = origin_not_allowed) {{ return 451; }}
            proxy_pass http://127.0.0.1:{cls.up.port};
        }}
        location /quiet/ {{
            corsgate_policy cors/api.toml;
            corsgate_denial_log_level off;
            proxy_pass http://127.0.0.1:{cls.up.port};
        }}
        location /ro/ {{ corsgate_policy cors/report-only.toml; proxy_pass http://127.0.0.1:{cls.up.port}; }}
        location = /status {{ corsgate_status; }}
    }}
""")
            ngx.conf.write_text(conf.replace("worker_processes 1;", "worker_processes 2;"))
            ngx.start()
        except BaseException:
            ngx.stop()
            cls.up.stop()
            raise

    @classmethod
    def tearDownClass(cls) -> None:
        cls.ngx.stop()
        cls.up.stop()

    def access_line(self, path: str) -> str:
        """The access log line of the request to `path` (written after the response)."""
        log = self.ngx.prefix / "logs/cors.log"
        deadline = time.monotonic() + harness.WAIT
        while time.monotonic() < deadline:
            lines = [ln for ln in log.read_text().splitlines() if f" {path} " in ln] if log.exists() else []
            if lines:
                return lines[-1]
            time.sleep(0.02)
        raise AssertionError(f"no access log line for {path}")

    def error_lines(self, mark: int, needle: str) -> list[str]:
        return [ln for ln in self.ngx.log()[mark:].splitlines() if needle in ln]

    def test_log_format_variables(self) -> None:
        cases = [
            ("GET", "/app/var-allowed", [("Origin", APP)], "kind=actual verdict=allowed reason="),
            ("GET", "/app/var-denied", [("Origin", EVIL)], "kind=actual verdict=denied reason=origin_not_allowed"),
            ("GET", "/app/var-plain", [], "kind=not_cors verdict=allowed reason="),
            (
                "OPTIONS",
                "/app/var-preflight",
                [("Origin", APP), ("Access-Control-Request-Method", "DELETE")],
                "kind=preflight verdict=denied reason=method_not_allowed",
            ),
        ]
        for method, path, headers, want in cases:
            harness.request(self.port, method, path, headers)
            self.assertTrue(self.access_line(path).endswith(want), (self.access_line(path), want))

    def test_if_sees_the_decision_before_the_module_runs(self) -> None:
        self.assertEqual(harness.request(self.port, "GET", "/if/x", [("Origin", EVIL)]).status, 451)
        self.assertEqual(harness.request(self.port, "GET", "/if/x", [("Origin", APP)]).status, 200)

    def test_denials_are_logged_as_one_escaped_report_line_unless_off(self) -> None:
        mark = len(self.ngx.log())
        harness.request(self.port, "GET", "/app/den-log", [("Origin", b"https://e\x1b[31m.example")])
        self.ngx.wait_log("corsgate: denied actual /app/den-log", mark)
        (line,) = self.error_lines(mark, "corsgate: denied")
        self.assertIn('[info]', line)
        self.assertIn('malformed_origin "https://e\\x1b[31m.example"', line)
        mark = len(self.ngx.log())
        harness.request(self.port, "GET", "/quiet/x", [("Origin", EVIL)])
        harness.request(self.port, "GET", "/app/den-after-quiet", [("Origin", EVIL)])
        self.ngx.wait_log("/app/den-after-quiet", mark)
        self.assertEqual(self.error_lines(mark, "/quiet/x"), [])

    def test_status_counts_across_workers(self) -> None:
        before = self.status()
        for _ in range(6):
            harness.request(self.port, "GET", "/app/count", [("Origin", EVIL)])
        for _ in range(4):
            harness.request(self.port, "OPTIONS", "/app/count", [("Origin", APP), ("Access-Control-Request-Method", "PUT")])
        after = self.status()
        key = 'kind="actual",verdict="denied",reason="origin_not_allowed"'
        self.assertEqual(after[key] - before[key], 6)
        key = 'kind="preflight",verdict="allowed",reason=""'
        self.assertEqual(after[key] - before[key], 4)

    def status(self) -> dict[str, int]:
        r = harness.request(self.port, "GET", "/status")
        self.assertEqual(r.status, 200)
        text = r.body.decode()
        self.assertTrue(text.startswith("# HELP corsgate_requests_total"), text)
        out: dict[str, int] = {}
        for line in text.splitlines():
            if line.startswith("corsgate_requests_total{") and "api.toml" in line:
                labels, value = line.split("} ")
                out[labels.split('",', 1)[1]] = int(value)
        self.assertEqual(len(out), 23, text)
        return out

    def report_only(self, method: str, path: str, headers: list[tuple[str, str | bytes]]) -> tuple[harness.Response, list[str]]:
        mark = len(self.ngx.log())
        r = harness.request(self.port, method, path, headers)
        self.access_line(path)  # the report is written before the access log line
        return r, self.error_lines(mark, "corsgate report-only")

    def test_report_only_changes_nothing_and_reports_each_difference(self) -> None:
        # The upstream's /acao/ answers carry `*`, credentials and an exposed header.
        wrong = [
            ("access-control-allow-origin", b"*"),
            ("access-control-allow-credentials", b"true"),
            ("access-control-expose-headers", b"x-secret"),
        ]
        r, lines = self.report_only("GET", "/ro/acao/evil", [("Origin", EVIL)])
        self.assertEqual((r.get("X-Upstream"), r.cors()), (b"1", wrong))
        self.assertEqual(len(lines), 1, lines)
        self.assertIn(
            "corsgate report-only: actual /ro/acao/evil from https://evil.example.net: today the browser "
            "allows this; under the new policy it would block it, because No 'Access-Control-Allow-Origin' "
            "header is present on the requested resource. [origin_not_allowed:",
            lines[0],
        )
        r, lines = self.report_only("GET", "/ro/acao/app", [("Origin", APP)])
        self.assertEqual(r.cors(), wrong)
        self.assertEqual(len(lines), 1, lines)
        self.assertIn(
            "actual /ro/acao/app from https://app.example.com, with credentials: today the browser blocks "
            "this (The value of the 'Access-Control-Allow-Origin' header in the response must not be the "
            "wildcard '*' when the request's credentials mode is 'include'.); under the new policy it would allow it",
            lines[0],
        )
        # A preflight goes to the upstream (report-only answers nothing), which lacks the method.
        r, lines = self.report_only(
            "OPTIONS", "/ro/acao/pf", [("Origin", APP), ("Access-Control-Request-Method", "PUT")]
        )
        self.assertEqual((r.status, r.get("X-Upstream")), (200, b"1"))
        self.assertEqual(len(lines), 1, lines)
        self.assertIn("preflight /ro/acao/pf from https://app.example.com: today the browser blocks this", lines[0])
        self.assertIn("under the new policy it would allow it", lines[0])
        # No CORS headers at all: the allowed origin is newly allowed, a request without Origin
        # is not compared.
        r, lines = self.report_only("GET", "/ro/plain", [("Origin", APP)])
        self.assertEqual(r.cors(), [])
        self.assertEqual(len(lines), 1, lines)
        self.assertIn("today the browser blocks this (No 'Access-Control-Allow-Origin' header", lines[0])
        _, lines = self.report_only("GET", "/ro/no-origin", [])
        self.assertEqual(lines, [])
        _, lines = self.report_only("GET", "/ro/evil-plain", [("Origin", EVIL)])
        self.assertEqual(lines, [], "both block: no difference")


if __name__ == "__main__":
    unittest.main()
