"""Every shared vector (tests/vectors/requests/*.json) sent over HTTP through nginx.

Layout: one `server` per case on one port, told apart by `server_name` (`c<N>.test`, or the
case's own `Host` header when it has one), each with the case's policy file at server level and
`location /` proxying to the upstream. So the request path reaches corsgate exactly as the
vector writes it (routes match it; no prefix to strip, no rewrite). The upstream gets no
request headers (`proxy_pass_request_headers off`): a 1 MiB header is corsgate's test, not
the upstream's.

Checked per case: a preflight the module answers has the expected status and never reaches the
upstream (no `X-Upstream`); any other request is answered by the upstream; the
Access-Control-* headers (in order, values byte-exact) and the Vary names are the expected ones.

Cases an HTTP stack cannot carry are reported, with their reason, instead of failing:
- a method nginx refuses before any module runs (it accepts only `A-Z`, `_`, `-` in methods,
  and answers 400): checked to get that 400;
- a header value with leading or trailing spaces or tabs: HTTP strips that whitespace around
  field values (RFC 9110, section 5.5), so corsgate sees another value than the vector's;
  such a case counts as passed when the stripped value gives the same answer.
"""

from __future__ import annotations

import json
import re
import sys
import unittest
from typing import Any

import harness

VECTORS = harness.ROOT / "tests/vectors/requests"
NGINX_METHOD = re.compile(r"[A-Z_-]+")


def value_of(v: Any) -> str:
    """A vector header value: a string, or the `repeat` form for huge inputs."""
    if isinstance(v, dict):
        return str(v.get("prefix", "")) + str(v["repeat"]) * int(v["times"]) + str(v.get("suffix", ""))
    return str(v)


def load_cases() -> list[tuple[str, dict[str, Any]]]:
    cases = []
    for path in sorted(VECTORS.glob("*.json")):
        for case in json.loads(path.read_text())["cases"]:
            cases.append((path.name, case))
    return cases


def uncarriable(case: dict[str, Any]) -> str | None:
    """Why HTTP cannot carry this case unchanged, or None."""
    req = case["request"]
    if not NGINX_METHOD.fullmatch(req["method"]):
        return "nginx answers 400 to a method outside A-Z, '_' and '-' before any module runs"
    for _, v in req["headers"]:
        if not isinstance(v, dict) and v != v.strip(" \t"):
            return "HTTP strips spaces and tabs around header values (RFC 9110, 5.5)"
    return None


class Vectors(unittest.TestCase):
    def test_every_request_vector(self) -> None:
        cases = load_cases()
        self.assertGreater(len(cases), 500)

        up = harness.Upstream().start()
        self.addCleanup(up.stop)
        ngx = harness.Nginx()
        self.addCleanup(ngx.stop)
        port = harness.free_port()

        servers = []
        hosts = []
        for i, (_, case) in enumerate(cases):
            ngx.write(f"policies/{i}.json", json.dumps(case["policy"]))
            host = next((str(v) for n, v in case["request"]["headers"] if n.lower() == "host"), f"c{i}.test")
            hosts.append(host)
            servers.append(f"""
    server {{
        listen 127.0.0.1:{port};
        server_name {host};
        corsgate_policy policies/{i}.json;
        location / {{ proxy_pass http://up; proxy_pass_request_headers off; }}
    }}""")
        self.assertEqual(len(set(hosts)), len(hosts), "every case needs its own server_name")
        ngx.conf.write_text(
            ngx.config(
                f"""
    server_names_hash_max_size 8192;
    server_names_hash_bucket_size 128;
    # Room for the vectors' 1 MiB Access-Control-Request-Headers line.
    large_client_header_buffers 8 2m;
    upstream up {{ server 127.0.0.1:{up.port}; }}
    server {{ listen 127.0.0.1:{port} default_server; return 421; }}
{"".join(servers)}
""",
                error_level="notice",
            )
        )
        ngx.start()

        failures: list[str] = []
        skipped: dict[str, list[str]] = {}
        passed = 0
        for i, (file, case) in enumerate(cases):
            req, exp = case["request"], case["expect"]
            name = f"{file}:{case['name']}"
            headers = [(n, value_of(v)) for n, v in req["headers"]]
            resp = harness.request(port, req["method"], req.get("path", "/"), headers, host=hosts[i])
            why = uncarriable(case)

            if why and why.startswith("nginx answers 400"):
                if resp.status != 400:
                    failures.append(f"{name}: expected nginx's own 400 for method {req['method']!r}, got {resp.status}")
                else:
                    skipped.setdefault(why, []).append(name)
                continue

            problems = []
            upstream = resp.get("X-Upstream") is not None
            if exp["status"] is not None:
                if resp.status != exp["status"]:
                    problems.append(f"status {resp.status}, expected {exp['status']}")
                if upstream:
                    problems.append("the preflight reached the upstream")
            elif not upstream:
                problems.append(f"not answered by the upstream (status {resp.status})")
            want = [(n.lower(), v.encode("latin-1")) for n, v in exp["headers"]]
            if resp.cors() != want:
                problems.append(f"CORS headers {resp.cors()!r}, expected {want!r}")
            if resp.vary() != exp["vary"]:
                problems.append(f"Vary {resp.vary()!r}, expected {exp['vary']!r}")

            if not problems:
                passed += 1
            elif why:
                skipped.setdefault(why, []).append(f"{name} ({'; '.join(problems)})")
            else:
                failures.append(f"{name}: {'; '.join(problems)}")

        total_skipped = sum(len(v) for v in skipped.values())
        print(
            f"\nnginx vectors: {passed} passed, {total_skipped} skipped, {len(failures)} failed of {len(cases)}",
            file=sys.stderr,
        )
        for why, names in skipped.items():
            print(f"  skipped {len(names)}: {why}", file=sys.stderr)
            for n in names:
                print(f"    {n}", file=sys.stderr)
        self.assertEqual(failures, [], "\n" + "\n".join(failures) + "\n" + ngx.log()[-3000:])
        self.assertLess(total_skipped, 20)


if __name__ == "__main__":
    unittest.main()
