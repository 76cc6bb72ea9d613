"""The response vectors (tests/vectors/responses/) through examples/c-server: one server per
policy on 127.0.0.1, its built-in application answering what each request instructs, checked on
the wire with http.client. usage: responses.py <corsgate-server> <work dir>"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "vectors"))
import responses  # noqa: E402


def serve(binary: str, policy: Path) -> tuple[subprocess.Popen[str], int]:
    env = dict(os.environ, CORSGATE_SERVER_APP="instructed")
    proc = subprocess.Popen([binary, str(policy), "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    line = proc.stdout.readline() if proc.stdout else ""
    if not line.startswith("listening on http://127.0.0.1:"):
        proc.kill()
        raise SystemExit(f"corsgate-server did not start: {line!r}")
    return proc, int(line.rsplit(":", 1)[1])


def main() -> int:
    binary, work = sys.argv[1], Path(sys.argv[2])
    work.mkdir(parents=True, exist_ok=True)
    cases = responses.load_cases()
    failures: list[str] = []
    by_policy: dict[str, list[dict]] = {}
    for case in cases:
        by_policy.setdefault(json.dumps(case["policy"], sort_keys=True), []).append(case)
    for n, (policy, group) in enumerate(by_policy.items()):
        path = work / f"policy{n}.json"
        path.write_text(policy)
        proc, port = serve(binary, path)
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            for case in group:
                req = case["request"]
                headers = [(k, v) for k, v in req["headers"]] + responses.instructions(case)
                conn.putrequest(req["method"], req["path"], skip_accept_encoding=True)
                for k, v in headers:
                    conn.putheader(k, v.encode("latin-1"))
                conn.endheaders()
                resp = conn.getresponse()
                body = resp.read()
                got = [(k, v.encode("latin-1")) for k, v in resp.getheaders()]
                problems = responses.check(case, resp.status, got, body)
                if problems:
                    failures.append(f"{case['name']}: {'; '.join(problems)}")
            conn.close()
        finally:
            proc.terminate()
            proc.wait(5)
    print(f"C server response vectors: {len(cases) - len(failures)} of {len(cases)} passed")
    for f in failures:
        print("  FAIL " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
