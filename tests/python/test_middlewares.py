"""The Python API and both middlewares in corsgate's strict mode, driven directly."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Any
from wsgiref.util import setup_testing_defaults
from wsgiref.validate import validator

import anyio
import pytest
import trio

import corsgate
from corsgate import ConfigError, Policy, SecurityWarning, SharedPolicy, StarlettePolicy
from corsgate.asgi import CORSMiddleware as AsgiCORS
from corsgate.wsgi import CORSMiddleware as WsgiCORS

from conftest import http_scope, run_asgi

APP = "https://app.example.com"
PREFLIGHT = [
    (b"origin", APP.encode()),
    (b"access-control-request-method", b"PUT"),
    (b"access-control-request-headers", b"content-type,x-trace"),
]


def strict() -> Policy:
    return Policy(
        origins=[APP],
        methods=["PUT"],
        request_headers=["Content-Type", "X-Trace"],
        expose_headers=["X-Request-Id"],
        credentials=True,
        max_age=600,
    )


# --- the Python API -------------------------------------------------------------------------


def test_headers_accept_mapping_pairs_and_raw_asgi() -> None:
    p = strict()
    forms: list[Any] = [
        {"Origin": APP, "Access-Control-Request-Method": "PUT"},
        [("origin", APP), ("access-control-request-method", "PUT")],
        [(b"origin", APP.encode()), (b"access-control-request-method", b"PUT")],
    ]
    for headers in forms:
        d = p.evaluate("OPTIONS", headers)
        assert (d.kind, d.allowed, d.status) == ("preflight", True, 204)
        assert d.headers == [
            ("Access-Control-Allow-Origin", APP),
            ("Access-Control-Allow-Credentials", "true"),
            ("Access-Control-Allow-Methods", "PUT"),
            ("Access-Control-Max-Age", "600"),
        ]


def test_repeated_header_lines_are_kept() -> None:
    # Two Origin lines make a malformed origin (a list of pairs keeps both).
    d = strict().evaluate("GET", [("Origin", APP), ("Origin", APP)])
    assert not d.allowed
    assert d.reason is not None
    assert d.reason.code == "malformed_origin"


def test_denial_reason_speaks_like_the_browser() -> None:
    d = strict().evaluate("GET", {"Origin": "http://app.example.com"})
    assert d.reason is not None
    assert d.reason.code == "origin_not_allowed"
    assert d.reason.value == "http://app.example.com"
    assert "https://app.example.com" in d.reason.message  # the hint names the close origin
    assert d.reason.browser_message("https://api.example.com/x", "http://app.example.com") == (
        "Access to fetch at 'https://api.example.com/x' from origin 'http://app.example.com' "
        "has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present "
        "on the requested resource."
    )


def test_config_error_lists_every_problem() -> None:
    with pytest.raises(ConfigError) as info:
        Policy(origins=["https://a.example.com/", "*"], credentials=True, max_age=-1, metods=[])
    err = info.value
    assert isinstance(err, ValueError)
    codes = {(e.path, e.code) for e in err.errors}
    assert ("origins[0]", "origin_trailing_slash") in codes
    assert ("origins[1]", "wildcard_origin_with_credentials") in codes
    assert ("max_age", "max_age_out_of_range") in codes
    assert ("metods", "unknown_key") in codes
    hints = {e.code: e.hint for e in err.errors}
    assert hints["unknown_key"] == "did you mean `methods`?"
    assert hints["origin_trailing_slash"] is not None


def test_files_json_and_toml(tmp_path: Path) -> None:
    toml = tmp_path / "cors.toml"
    toml.write_text('origins = ["https://app.example.com"]\nmethods = ["PUT"]\n')
    js = tmp_path / "cors.json"
    js.write_text('{"origins": ["https://app.example.com"], "methods": ["PUT"]}')
    for p in (
        Policy.from_file(toml),
        Policy.from_file(str(js)),
        Policy.from_toml(toml.read_text()),
        Policy.from_json(js.read_text()),
    ):
        assert p.evaluate(
            "OPTIONS", {"origin": APP, "access-control-request-method": "PUT"}
        ).allowed
    with pytest.raises(ConfigError) as info:
        Policy.from_file(tmp_path / "missing.toml")
    assert info.value.errors[0].code == "io_error"


def test_warnings_are_listed() -> None:
    p = Policy(origins=[APP], allow_null_origin=True)
    assert [w.code for w in p.warnings] == ["null_origin_allowed"]


def test_callable_origin_verdict_replaces_the_origin_list() -> None:
    asked: list[str] = []

    def verdict(origin: str) -> bool:
        asked.append(origin)
        return origin.endswith(".tenant.example")

    p = Policy(allow_origin=verdict, credentials=True)
    assert p.warnings == []
    ok = p.evaluate("GET", {"origin": "https://a.tenant.example"})
    assert ok.allowed
    assert ok.headers[0] == (
        "Access-Control-Allow-Origin",
        "https://a.tenant.example",
    )
    denied = p.evaluate("GET", {"origin": "https://evil.example"})
    assert not denied.allowed
    assert denied.reason is not None
    assert denied.reason.code == "origin_not_allowed"
    assert p.evaluate("GET", {}).kind == "not_cors"
    assert asked == ["https://a.tenant.example", "https://evil.example"]
    with pytest.raises(TypeError):
        Policy(allow_origin="https://a.example")  # type: ignore[arg-type]


def test_callable_errors_propagate() -> None:
    def broken(origin: str) -> bool:
        raise RuntimeError("database down")

    with pytest.raises(RuntimeError, match="database down"):
        Policy(allow_origin=broken).evaluate("GET", {"origin": APP})


def test_starlette_policy_evaluate_and_config_errors() -> None:
    d = StarlettePolicy(allow_origins=[APP]).evaluate(
        "OPTIONS", {"origin": APP, "access-control-request-method": "PUT"}
    )
    assert (d.status, d.body, d.allowed) == (400, "Disallowed CORS method", False)
    assert d.reason is not None
    assert d.reason.code == "method_not_allowed"
    # The origin passed (ACAO is sent), so Chromium reports the status.
    assert d.reason.browser_reason.endswith("It does not have HTTP ok status.")
    with pytest.raises(ConfigError) as info:
        StarlettePolicy(allow_origin_regex="https://(?=a).*", expose_headers=["x-é"])
    assert {e.code for e in info.value.errors} == {"origin_regex_invalid", "value_not_ascii"}


def test_version() -> None:
    assert corsgate.__version__ == "0.1.0"


# --- ASGI, strict mode ----------------------------------------------------------------------


async def hello(scope: dict[str, Any], receive: Any, send: Any) -> None:
    headers = [(b"content-type", b"text/plain"), (b"vary", b"accept-encoding")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"hello"})


def test_asgi_strict_preflight_is_answered() -> None:
    sent = run_asgi(AsgiCORS(hello, policy=strict()), http_scope("OPTIONS", PREFLIGHT))
    assert sent == [
        {
            "type": "http.response.start",
            "status": 204,
            "headers": [
                (b"access-control-allow-origin", APP.encode()),
                (b"access-control-allow-credentials", b"true"),
                (b"access-control-allow-methods", b"PUT"),
                (b"access-control-allow-headers", b"content-type, x-trace"),
                (b"access-control-max-age", b"600"),
                (b"vary", b"Origin, Access-Control-Request-Method, Access-Control-Request-Headers"),
            ],
        },
        {"type": "http.response.body", "body": b""},
    ]


def test_asgi_strict_denied_preflight_is_403_without_cors_headers() -> None:
    scope = http_scope("OPTIONS", [(b"origin", b"https://evil.example"), *PREFLIGHT[1:]])
    start = run_asgi(AsgiCORS(hello, policy=strict()), scope)[0]
    assert start["status"] == 403
    assert start["headers"] == [
        (b"vary", b"Origin, Access-Control-Request-Method, Access-Control-Request-Headers"),
        (b"content-length", b"0"),
        (b"content-type", b"text/plain; charset=utf-8"),
    ]


def test_asgi_strict_actual_request_headers_are_merged() -> None:
    start = run_asgi(
        AsgiCORS(hello, policy=strict()), http_scope("GET", [(b"origin", APP.encode())])
    )[0]
    assert start["headers"] == [
        (b"content-type", b"text/plain"),
        (b"access-control-allow-origin", APP.encode()),
        (b"access-control-allow-credentials", b"true"),
        (b"access-control-expose-headers", b"x-request-id"),
        # The core's rule: the application's Vary keeps its names, merged into one line.
        (b"vary", b"accept-encoding, Origin"),
    ]


def test_asgi_strict_replaces_app_cors_headers_and_keeps_its_vary() -> None:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        headers = [(b"Access-Control-Allow-Origin", b"*"), (b"vary", b"Origin, Cookie")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    start = run_asgi(
        AsgiCORS(app, policy=strict()), http_scope("GET", [(b"origin", APP.encode())])
    )[0]
    assert start["headers"] == [
        (b"vary", b"Origin, Cookie"),
        (b"access-control-allow-origin", APP.encode()),
        (b"access-control-allow-credentials", b"true"),
        (b"access-control-expose-headers", b"x-request-id"),
    ]


def test_asgi_any_origin_not_cors_request_is_untouched() -> None:
    start = run_asgi(AsgiCORS(hello, policy=Policy(origins=["*"])), http_scope("GET", []))[0]
    assert start["headers"] == [(b"content-type", b"text/plain"), (b"vary", b"accept-encoding")]


def test_asgi_policy_from_path_and_routes(tmp_path: Path) -> None:
    f = tmp_path / "cors.toml"
    f.write_text(
        'origins = ["https://app.example.com"]\n[[routes]]\npath = "/public/*"\norigins = ["*"]\n'
    )
    mw = AsgiCORS(hello, policy=f)
    start = run_asgi(mw, http_scope("GET", [(b"origin", b"https://x.example")], "/public/a"))[0]
    assert (b"access-control-allow-origin", b"*") in start["headers"]
    start = run_asgi(mw, http_scope("GET", [(b"origin", b"https://x.example")], "/private"))[0]
    assert not [h for h in start["headers"] if h[0].startswith(b"access-control")]


def test_asgi_policy_and_starlette_arguments_are_exclusive() -> None:
    with pytest.raises(TypeError):
        AsgiCORS(hello, allow_origins=["*"], policy=strict())
    with pytest.raises(TypeError):
        AsgiCORS(hello, policy=42)  # type: ignore[arg-type]


def test_asgi_live_reconfiguration() -> None:
    shared = SharedPolicy(Policy(origins=["https://one.example"]))
    mw = AsgiCORS(hello, policy=shared)

    def acao(origin: bytes) -> list[bytes]:
        start = run_asgi(mw, http_scope("GET", [(b"origin", origin)]))[0]
        return [v for n, v in start["headers"] if n == b"access-control-allow-origin"]

    assert acao(b"https://one.example") == [b"https://one.example"]
    shared.store(Policy(origins=["https://two.example"]))
    assert acao(b"https://one.example") == []
    assert acao(b"https://two.example") == [b"https://two.example"]
    # A bad configuration raises before anything is swapped.
    with pytest.raises(ConfigError):
        shared.store(Policy(origins=["https://three.example/"]))
    assert acao(b"https://two.example") == [b"https://two.example"]
    # The middleware's own policy can be swapped too, between Starlette and strict modes.
    mw.policy = StarlettePolicy(allow_origins=["https://s.example"])
    assert acao(b"https://s.example") == [b"https://s.example"]
    mw.policy = Policy(origins=["https://p.example"])
    assert acao(b"https://p.example") == [b"https://p.example"]


def test_asgi_streaming_body_and_trailers_untouched() -> None:
    async def stream(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for chunk in (b"a", b"b"):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    sent = run_asgi(
        AsgiCORS(stream, policy=strict()), http_scope("GET", [(b"origin", APP.encode())])
    )
    assert [m.get("body") for m in sent[1:]] == [b"a", b"b", b""]


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_asgi_under_anyio_backends(backend: str) -> None:
    async def slow(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await anyio.sleep(0)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await anyio.sleep(0)
        await send({"type": "http.response.body", "body": b"ok"})

    async def main() -> list[Any]:
        sent: list[Any] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b""}

        async def send(message: Any) -> None:
            await anyio.sleep(0)
            sent.append(message)

        for mw in (AsgiCORS(slow, allow_origins=[APP]), AsgiCORS(slow, policy=strict())):
            await mw(http_scope("GET", [(b"origin", APP.encode())]), receive, send)
            await mw(http_scope("OPTIONS", PREFLIGHT), receive, send)
        return sent

    sent = anyio.run(main, backend=backend)
    starts = [m for m in sent if m["type"] == "http.response.start"]
    assert [s["status"] for s in starts] == [200, 400, 200, 204]


def test_asgi_under_plain_trio() -> None:
    async def main() -> int:
        got: list[Any] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request"}

        async def send(message: Any) -> None:
            await trio.sleep(0)
            got.append(message)

        await AsgiCORS(hello, policy=strict())(http_scope("OPTIONS", PREFLIGHT), receive, send)
        return int(got[0]["status"])

    assert trio.run(main) == 204


# --- WSGI -----------------------------------------------------------------------------------


def wsgi_call(
    app: Any, method: str, headers: dict[str, str], path: str = "/"
) -> tuple[str, list[tuple[str, str]], bytes]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
    }
    setup_testing_defaults(environ)
    for name, value in headers.items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    seen: dict[str, Any] = {}

    def start_response(
        status: str, response_headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Any:
        if exc_info is not None and "status" in seen:
            pass  # replacing headers before the body started is allowed
        seen["status"] = status
        seen["headers"] = response_headers
        return lambda data: None

    result = validator(app)(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return seen["status"], seen["headers"], body


def wsgi_hello(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain"), ("Vary", "Accept-Encoding")])
    return [b"hello"]


def test_wsgi_preflight_is_answered_without_calling_the_app() -> None:
    def never(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        raise AssertionError("the app must not see an answered preflight")

    status, headers, body = wsgi_call(
        WsgiCORS(never, policy=strict()),
        "OPTIONS",
        {
            "Origin": APP,
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "x-trace",
        },
    )
    assert status == "204 No Content"
    assert headers == [
        ("Access-Control-Allow-Origin", APP),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Allow-Methods", "PUT"),
        ("Access-Control-Allow-Headers", "content-type, x-trace"),
        ("Access-Control-Max-Age", "600"),
        ("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"),
    ]
    assert body == b""


def test_wsgi_denied_preflight() -> None:
    status, headers, _ = wsgi_call(
        WsgiCORS(wsgi_hello, policy=strict()),
        "OPTIONS",
        {"Origin": "https://evil.example", "Access-Control-Request-Method": "PUT"},
    )
    assert status == "403 Forbidden"
    assert ("Content-Length", "0") in headers
    assert not [h for h in headers if h[0].startswith("Access-Control")]


def test_wsgi_actual_request_headers_are_added() -> None:
    status, headers, body = wsgi_call(WsgiCORS(wsgi_hello, policy=strict()), "GET", {"Origin": APP})
    assert (status, body) == ("200 OK", b"hello")
    assert headers == [
        ("Content-Type", "text/plain"),
        ("Access-Control-Allow-Origin", APP),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Expose-Headers", "x-request-id"),
        # The core's rule: the application's Vary keeps its names, merged into one line.
        ("Vary", "Accept-Encoding, Origin"),
    ]


def test_wsgi_exc_info_path_gets_cors_headers() -> None:
    def failing(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            start_response(
                "500 Internal Server Error", [("Content-Type", "text/plain")], sys.exc_info()
            )
        return [b"error"]

    status, headers, body = wsgi_call(WsgiCORS(failing, policy=strict()), "GET", {"Origin": APP})
    assert status == "500 Internal Server Error"
    assert ("Access-Control-Allow-Origin", APP) in headers
    assert body == b"error"


def test_wsgi_body_is_not_read_or_buffered() -> None:
    closed: list[bool] = []

    class Stream:
        def __init__(self) -> None:
            self.chunks = [b"a", b"b"]

        def __iter__(self) -> Stream:
            return self

        def __next__(self) -> bytes:
            if not self.chunks:
                raise StopIteration
            return self.chunks.pop(0)

        def close(self) -> None:
            closed.append(True)

    stream = Stream()

    def app(environ: dict[str, Any], start_response: Any) -> Stream:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return stream

    environ: dict[str, Any] = {"REQUEST_METHOD": "POST", "HTTP_ORIGIN": APP}
    setup_testing_defaults(environ)

    class Exploding:
        def read(self, *args: Any) -> bytes:
            raise AssertionError("the request body must not be read")

    environ["wsgi.input"] = Exploding()
    result = WsgiCORS(app, policy=strict())(environ, lambda s, h, e=None: lambda d: None)
    assert result is stream  # the very iterable: nothing buffered
    assert b"".join(result) == b"ab"
    stream.close()
    assert closed == [True]


def test_wsgi_not_cors_any_origin_passes_through() -> None:
    _status, headers, _ = wsgi_call(WsgiCORS(wsgi_hello, policy=Policy(origins=["*"])), "GET", {})
    assert headers == [("Content-Type", "text/plain"), ("Vary", "Accept-Encoding")]


def test_wsgi_live_reconfiguration_and_warnings() -> None:
    mw = WsgiCORS(wsgi_hello, policy=Policy(origins=["https://one.example"]))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        mw.policy = Policy(origins=["https://two.example"], allow_null_origin=True)
    assert [w.category for w in caught] == [SecurityWarning]
    _, headers, _ = wsgi_call(mw, "GET", {"Origin": "https://two.example"})
    assert ("Access-Control-Allow-Origin", "https://two.example") in headers
