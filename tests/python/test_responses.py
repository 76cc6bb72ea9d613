"""The response vectors (tests/vectors/responses/*.json) through the strict middlewares' real
write paths: corsgate.asgi under uvicorn and corsgate.wsgi under waitress, one server per
policy on 127.0.0.1, the application answering each case's `application` (its own CORS headers
and Vary included), checked on the wire (tests/vectors/README.md)."""

from __future__ import annotations

import http.client
import json
import sys
from pathlib import Path

import pytest
from test_servers import uvicorn, waitress

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "vectors"))
import responses

CASES = responses.load_cases()
POLICIES = sorted({json.dumps(c["policy"], sort_keys=True) for c in CASES})


@pytest.mark.parametrize("server", ["uvicorn", "waitress"])
@pytest.mark.parametrize("policy", range(len(POLICIES)))
def test_response_vectors(server: str, policy: int, tmp_path: Path) -> None:
    path = tmp_path / "policy.json"
    path.write_text(POLICIES[policy])
    srv = (
        uvicorn("instructed", path)
        if server == "uvicorn"
        else waitress(path, "wsgi_apps:instructed")
    )
    try:
        srv.wait()
        failures = []
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
        for index, case in enumerate(CASES):
            if json.dumps(case["policy"], sort_keys=True) != POLICIES[policy]:
                continue
            req = case["request"]
            conn.putrequest(req["method"], req["path"], skip_accept_encoding=True)
            for name, value in [*req["headers"], ("X-Vector-Case", str(index))]:
                conn.putheader(name, value.encode("latin-1"))
            conn.endheaders()
            resp = conn.getresponse()
            body = resp.read()
            got = [(n, v.encode("latin-1")) for n, v in resp.getheaders()]
            problems = responses.check(case, resp.status, got, body)
            if problems:
                failures.append(f"{case['name']}: {'; '.join(problems)}")
        conn.close()
        assert failures == []
    finally:
        srv.stop()
