"""The response vectors (tests/vectors/responses/*.json) through nginx: one `server` per case
(`server_name r<N>.test`) with the case's policy, proxying to an upstream that answers what
the request instructs, its own CORS headers and Vary included. Checked on the wire: status,
body, and the CORS headers and Vary the client receives (tests/vectors/README.md); a preflight
the module answers never reaches the upstream."""

from __future__ import annotations

import json
import sys
import unittest

import harness

sys.path.insert(0, str(harness.ROOT / "tests/vectors"))
import responses  # noqa: E402


class Responses(unittest.TestCase):
    def test_every_response_vector(self) -> None:
        cases = responses.load_cases()
        self.assertGreater(len(cases), 10)
        up = responses.InstructedApp().start()
        self.addCleanup(up.stop)
        ngx = harness.Nginx()
        self.addCleanup(ngx.stop)
        port = harness.free_port()
        servers = []
        for i, case in enumerate(cases):
            ngx.write(f"policies/r{i}.json", json.dumps(case["policy"]))
            servers.append(f"""
    server {{
        listen 127.0.0.1:{port};
        server_name r{i}.test;
        corsgate_policy policies/r{i}.json;
        location / {{ proxy_pass http://up; }}
    }}""")
        ngx.conf.write_text(
            ngx.config(
                f"""
    upstream up {{ server 127.0.0.1:{up.port}; }}
    server {{ listen 127.0.0.1:{port} default_server; return 421; }}
{"".join(servers)}
""",
                error_level="notice",
            )
        )
        ngx.start()
        failures = []
        for i, case in enumerate(cases):
            req = case["request"]
            headers = [(n, v) for n, v in req["headers"]] + responses.instructions(case)
            resp = harness.request(port, req["method"], req["path"], headers, host=f"r{i}.test")
            problems = responses.check(case, resp.status, resp.headers, resp.body)
            names = {n.lower() for n, _ in req["headers"]}
            answered = req["method"] == "OPTIONS" and "access-control-request-method" in names
            if answered and not case["policy"].get("preflight_continue") and resp.get("X-Upstream"):
                problems.append("the preflight reached the upstream")
            if problems:
                failures.append(f"{case['name']}: {'; '.join(problems)}")
        print(f"\nnginx response vectors: {len(cases) - len(failures)} of {len(cases)} passed", file=sys.stderr)
        self.assertEqual(failures, [], "\n" + "\n".join(failures) + "\n" + ngx.log()[-3000:])


if __name__ == "__main__":
    unittest.main()
