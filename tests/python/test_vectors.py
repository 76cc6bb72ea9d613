"""Every shared conformance vector (tests/vectors/) through the Python API.

Request vectors run through ``Policy.evaluate``, through the strict ASGI middleware (the
wire answer must carry exactly the expected CORS headers and Vary) and, when the request fits
a WSGI environ (no header name twice), through the WSGI middleware (the status line too);
invalid and warning vectors through ``Policy(**keys)`` / ``Policy.from_toml``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from corsgate import ConfigError, Policy
from corsgate.asgi import CORSMiddleware
from corsgate.wsgi import CORSMiddleware as WsgiCORSMiddleware

from conftest import http_scope, run_asgi

VECTORS = Path(__file__).resolve().parent.parent / "vectors"


def load(kind: str) -> list[tuple[str, dict[str, Any]]]:
    cases = []
    for file in sorted((VECTORS / kind).glob("*.json")):
        for case in json.loads(file.read_text(encoding="utf-8"))["cases"]:
            cases.append((f"{file.stem}:{case['name']}", case))
    return cases


def value_bytes(value: str | dict[str, Any]) -> bytes:
    if isinstance(value, dict):
        text = value.get("prefix", "") + value["repeat"] * value["times"] + value.get("suffix", "")
    else:
        text = value
    return text.encode("latin-1")


def compile_policy(case: dict[str, Any]) -> Policy:
    if "policy_toml" in case:
        return Policy.from_toml(case["policy_toml"])
    policy = case["policy"]
    if isinstance(policy, dict):
        return Policy(**policy)
    return Policy.from_json(json.dumps(policy))


pytestmark = pytest.mark.filterwarnings("ignore::corsgate.SecurityWarning")

REQUESTS = load("requests")
INVALID = load("invalid")
WARNINGS = load("warnings")


def test_vectors_are_present() -> None:
    assert REQUESTS
    assert INVALID
    assert WARNINGS


@pytest.mark.parametrize(("name", "case"), REQUESTS, ids=[n for n, _ in REQUESTS])
def test_request_vector(name: str, case: dict[str, Any]) -> None:
    policy = compile_policy(case)
    req = case["request"]
    headers = [(n.encode("latin-1"), value_bytes(v)) for n, v in req["headers"]]
    path = req.get("path", "/")
    expect = case["expect"]

    d = policy.evaluate(req["method"], headers, path=path)
    assert d.kind == expect["kind"]
    assert d.allowed == expect["allowed"]
    assert d.status == expect["status"]
    got = [(n.lower().encode(), v.encode("utf-8")) for n, v in d.headers]
    want = [(n.lower().encode(), v.encode("latin-1")) for n, v in expect["headers"]]
    assert got == want
    assert d.vary == expect["vary"]
    assert (d.reason.code if d.reason else None) == expect["reason"]

    # The same request through the strict ASGI middleware, on the wire.
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 299, "headers": [(b"x-app", b"1")]})
        await send({"type": "http.response.body", "body": b""})

    sent = run_asgi(CORSMiddleware(app, policy=policy), http_scope(req["method"], headers, path))
    start = sent[0]
    assert start["status"] == (expect["status"] if expect["status"] is not None else 299)
    wire = [(bytes(n), bytes(v)) for n, v in start["headers"]]
    assert [h for h in wire if h[0].startswith(b"access-control-")] == want
    vary = [v for n, v in wire if n == b"vary"]
    assert vary == ([", ".join(expect["vary"]).encode()] if expect["vary"] else [])

    # And through the WSGI middleware, when a WSGI environ can hold the request (one value
    # per header name).
    names = [n.lower() for n, _ in headers]
    if len(set(names)) == len(names):
        status, wsgi_headers = wsgi_answer(policy, req["method"], headers, path)
        want_status = expect["status"] if expect["status"] is not None else 299
        assert status.startswith(f"{want_status} ")
        assert len(status) > 4
        got_wsgi = [(n.lower().encode(), v.encode("latin-1")) for n, v in wsgi_headers]
        assert [h for h in got_wsgi if h[0].startswith(b"access-control-")] == want
        vary = [v for n, v in got_wsgi if n == b"vary"]
        assert vary == ([", ".join(expect["vary"]).encode()] if expect["vary"] else [])


def wsgi_answer(
    policy: Policy, method: str, headers: list[tuple[bytes, bytes]], path: str
) -> tuple[str, list[tuple[str, str]]]:
    """The status line and headers the WSGI middleware starts the response with."""
    # As a server fills it in: the raw target, and PATH_INFO decoded (from the path part of
    # an absolute-form target too).
    target = urlsplit(path)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "REQUEST_URI": path,
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote(target.path, encoding="latin-1"),
        "QUERY_STRING": target.query,
    }
    for name, value in headers:
        key = "HTTP_" + name.decode("latin-1").upper().replace("-", "_")
        environ[key] = value.decode("latin-1")
    seen: list[tuple[str, list[tuple[str, str]]]] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("299 App", [("X-App", "1")])
        return [b""]

    def start_response(status: str, response_headers: list[tuple[str, str]]) -> Any:
        seen.append((status, response_headers))
        return lambda data: None

    WsgiCORSMiddleware(app, policy=policy)(environ, start_response)
    [answer] = seen
    return answer


def diag_set(found: list[Any]) -> set[tuple[str, str]]:
    return {(d.path, d.code) for d in found}


@pytest.mark.parametrize(("name", "case"), INVALID, ids=[n for n, _ in INVALID])
def test_invalid_vector(name: str, case: dict[str, Any]) -> None:
    with pytest.raises(ConfigError) as info:
        compile_policy(case)
    err = info.value
    assert isinstance(err, ValueError)
    assert diag_set(err.errors) == {(e["path"], e["code"]) for e in case["errors"]}
    for d in err.errors:
        assert d.message


@pytest.mark.parametrize(("name", "case"), WARNINGS, ids=[n for n, _ in WARNINGS])
def test_warning_vector(name: str, case: dict[str, Any]) -> None:
    policy = compile_policy(case)
    assert diag_set(policy.warnings) == {(w["path"], w["code"]) for w in case["warnings"]}
