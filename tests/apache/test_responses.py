"""The response vectors (tests/vectors/responses/*.json) through Apache httpd: one name-based
<VirtualHost> per case (`ServerName r<N>.test`) with the case's policy, proxying (mod_proxy) to
an application that answers what the request instructs, its own CORS headers and Vary
included. Checked on the wire: status, body, and the CORS headers and Vary the client receives
(tests/vectors/README.md); a preflight the module answers never reaches the application.

httpd joins repeated request header lines into one before mod_proxy passes them on, so the
instructions go as numbered lines (`X-App-Header-1`, `-2`, ...). And httpd's HTTP header
filter, which runs after every module, rewrites the Vary lines of every response into one,
its elements joined by `,` without duplicates (`fix_vary` in modules/http/http_filters.c): the
expected Vary is compared in that form."""

from __future__ import annotations

import copy
import json
import sys
import unittest
from typing import Any

import httpd

harness = httpd.harness
sys.path.insert(0, str(httpd.ROOT / "tests/vectors"))
import responses  # noqa: E402


def as_httpd_sends(case: dict[str, Any]) -> dict[str, Any]:
    """The case with its expected Vary lines joined the way httpd's fix_vary joins them."""
    out = copy.deepcopy(case)
    headers = out["expect"]["headers"]
    for name in [n for n in headers if n.lower() == "vary"]:
        elements: list[str] = []
        for value in headers[name]:
            for e in (x.strip() for x in value.split(",")):
                if e and e.lower() not in (k.lower() for k in elements):
                    elements.append(e)
        headers[name] = [",".join(elements)] if elements else []
    return out


class Responses(unittest.TestCase):
    def test_every_response_vector(self) -> None:
        cases = responses.load_cases()
        self.assertGreater(len(cases), 10)
        app = responses.InstructedApp().start()
        self.addCleanup(app.stop)
        h = httpd.Httpd()
        self.addCleanup(h.stop)
        port = harness.free_port()
        vhosts = []
        for i, case in enumerate(cases):
            h.write(f"policies/r{i}.json", json.dumps(case["policy"]))
            vhosts.append(
                f"<VirtualHost 127.0.0.1:{port}>\n  ServerName r{i}.test\n  CorsgatePolicy policies/r{i}.json\n"
                "</VirtualHost>\n"
            )
        h.conf.write_text(
            h.config(
                f"""
ProxyPass / http://127.0.0.1:{app.port}/
<VirtualHost 127.0.0.1:{port}>
  ServerName default.test
</VirtualHost>
{"".join(vhosts)}
""",
                port,
                modules=("proxy", "proxy_http"),
                log_level="warn",
            )
        )
        h.start(port)
        failures = []
        for i, case in enumerate(cases):
            req = case["request"]
            headers = [(n, v) for n, v in req["headers"]] + responses.instructions(case, numbered=True)
            resp = harness.request(port, req["method"], req["path"], headers, host=f"r{i}.test")
            problems = responses.check(as_httpd_sends(case), resp.status, resp.headers, resp.body)
            names = {n.lower() for n, _ in req["headers"]}
            answered = req["method"] == "OPTIONS" and "access-control-request-method" in names
            if answered and not case["policy"].get("preflight_continue") and resp.get("X-Upstream"):
                problems.append("the preflight reached the application")
            if problems:
                failures.append(f"{case['name']}: {'; '.join(problems)}")
        print(f"\nhttpd response vectors: {len(cases) - len(failures)} of {len(cases)} passed", file=sys.stderr)
        self.assertEqual(failures, [], "\n" + "\n".join(failures) + "\n" + h.log()[-3000:])


if __name__ == "__main__":
    unittest.main()
