"""Every shared vector (tests/vectors/requests/*.json) sent over HTTP through Apache httpd.

Layout: one name-based <VirtualHost> per case on one port (`ServerName c<N>.test`, or the
case's own `Host` header when it has one), each with the case's policy file, and one
`AliasMatch` that serves a static file (the application) for every path. So the request path
reaches corsgate exactly as the vector writes it (routes match it).

Checked per case: a preflight the module answers has the expected status and is not the
application's answer (which carries `Last-Modified`, or `Allow` for an OPTIONS httpd answers
itself); any other request is the application's; the Access-Control-* headers (in order,
values byte-exact) and the Vary names are the expected ones; and the access log's
`%{corsgate_kind}n %{corsgate_verdict}n %{corsgate_reason}n` are the vector's kind, verdict
and reason code.

A request target in absolute form (`GET http://api.example/x`) names its own host, which httpd
prefers to the Host header: that case's virtual host is named after it.

Cases an HTTP stack cannot carry are reported, with their reason, instead of failing:
- a request target httpd refuses with 400 itself, before any handler (a fragment, a `..` that
  climbs above the root once `%3f` is decoded): the application never sees it; checked to carry
  no CORS header the vector does not expect;
- a request header sent on several lines (`Access-Control-Request-Headers` twice): httpd joins
  repeated lines into one comma-separated value while it reads the request, before any module
  runs (RFC 9110, section 5.3 allows it), so corsgate sees one line where the vector has
  several (a reflected list comes back as one header, a limit on the number of lines does not
  apply: httpd's own LimitRequestFields and LimitRequestFieldSize do);
- a header value with leading or trailing spaces or tabs: HTTP strips that whitespace around
  field values (RFC 9110, section 5.5), so corsgate sees another value than the vector's;
  such a case counts as passed when the stripped value gives the same answer.
"""

from __future__ import annotations

import json
import sys
import time
import unittest
from typing import Any
from urllib.parse import urlsplit

import httpd

harness = httpd.harness
VECTORS = httpd.ROOT / "tests/vectors/requests"
REFUSED = "httpd refuses this request target with 400 before any handler runs (the application never sees it)"


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
    """Why HTTP (through httpd) cannot carry this case unchanged, or None."""
    names = [n.lower() for n, _ in case["request"]["headers"]]
    if len(set(names)) != len(names):
        return "httpd joins repeated request header lines into one value before any module runs (RFC 9110, 5.3)"
    for _, v in case["request"]["headers"]:
        if not isinstance(v, dict) and v != v.strip(" \t"):
            return "HTTP strips spaces and tabs around header values (RFC 9110, 5.5)"
    return None


class Vectors(unittest.TestCase):
    def test_every_request_vector(self) -> None:
        cases = load_cases()
        self.assertGreater(len(cases), 500)

        h = httpd.Httpd()
        self.addCleanup(h.stop)
        port = harness.free_port()
        app = h.write("htdocs/app.txt", "app\n")

        vhosts = []
        hosts = []
        for i, (_, case) in enumerate(cases):
            h.write(f"policies/{i}.json", json.dumps(case["policy"]))
            host = next((str(v) for n, v in case["request"]["headers"] if n.lower() == "host"), f"c{i}.test")
            target = urlsplit(case["request"].get("path", "/"))
            if target.scheme and target.hostname:
                host = target.hostname
            hosts.append(host)
            vhosts.append(
                f"<VirtualHost 127.0.0.1:{port}>\n  ServerName {host}\n  CorsgatePolicy policies/{i}.json\n"
                # Paths with %2F reach the application (and corsgate's routes) instead of
                # httpd's own 404 (which gets the same CORS headers).
                "  AllowEncodedSlashes NoDecode\n"
                "</VirtualHost>\n"
            )
        self.assertEqual(len(set(hosts)), len(hosts), "every case needs its own ServerName")
        h.conf.write_text(
            h.config(
                f"""
# Room for the vectors' 1 MiB Access-Control-Request-Headers line.
LimitRequestFieldSize 2097152
LimitRequestLine 65536
AliasMatch "^/" "{app}"
LogFormat "%v %{{corsgate_kind}}n %{{corsgate_verdict}}n %{{corsgate_reason}}n" corsgate
CustomLog {h.access_log} corsgate
# The first virtual host answers names no case uses.
<VirtualHost 127.0.0.1:{port}>
  ServerName default.test
</VirtualHost>
{"".join(vhosts)}
""",
                port,
                log_level="warn",
            )
        )
        h.start(port, wait=30.0)

        failures: list[str] = []
        skipped: dict[str, list[str]] = {}
        passed = 0
        for i, (file, case) in enumerate(cases):
            req, exp = case["request"], case["expect"]
            name = f"{file}:{case['name']}"
            headers = [(n, value_of(v)) for n, v in req["headers"]]
            resp = harness.request(port, req["method"], req.get("path", "/"), headers, host=hosts[i])
            why = uncarriable(case)

            problems = []
            application = resp.get("Last-Modified") is not None or resp.get("Allow") is not None
            if exp["status"] is not None:
                if resp.status != exp["status"]:
                    problems.append(f"status {resp.status}, expected {exp['status']}")
                if application:
                    problems.append("the preflight reached the application")
            elif not application:
                problems.append(f"not answered by the application (status {resp.status})")
            want = [(n.lower(), v.encode("latin-1")) for n, v in exp["headers"]]
            if resp.cors() != want:
                problems.append(f"CORS headers {resp.cors()!r}, expected {want!r}")
            if resp.vary() != exp["vary"]:
                problems.append(f"Vary {resp.vary()!r}, expected {exp['vary']!r}")

            refused = resp.status == 400 and not application and exp["status"] is None
            if refused and resp.cors() == want:
                skipped.setdefault(REFUSED, []).append(name)
            elif not problems:
                passed += 1
            elif why:
                skipped.setdefault(why, []).append(f"{name} ({'; '.join(problems)})")
            else:
                failures.append(f"{name}: {'; '.join(problems)}")

        # The access log: what each request reported (written after each response).
        deadline = time.monotonic() + httpd.WAIT
        while True:
            lines = h.access_log.read_text().splitlines() if h.access_log.exists() else []
            if len(lines) >= len(cases) or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        logged = {ln.split(" ")[0]: ln.split(" ")[1:] for ln in lines}
        for i, (file, case) in enumerate(cases):
            exp = case["expect"]
            if uncarriable(case) or any(f"{file}:{case['name']}" in names for names in skipped.values()):
                continue
            want_log = [exp["kind"], "allowed" if exp["allowed"] else "denied", exp["reason"] or "-"]
            if logged.get(hosts[i]) != want_log:
                failures.append(f"{file}:{case['name']}: logged {logged.get(hosts[i])!r}, expected {want_log!r}")

        total_skipped = sum(len(v) for v in skipped.values())
        print(
            f"\nhttpd vectors: {passed} passed, {total_skipped} skipped, {len(failures)} failed of {len(cases)}",
            file=sys.stderr,
        )
        for why, names in skipped.items():
            print(f"  skipped {len(names)}: {why}", file=sys.stderr)
            for n in names:
                print(f"    {n}", file=sys.stderr)
        self.assertEqual(failures, [], "\n" + "\n".join(failures) + "\n" + h.log()[-3000:])
        self.assertLess(total_skipped, 20)


if __name__ == "__main__":
    unittest.main()
