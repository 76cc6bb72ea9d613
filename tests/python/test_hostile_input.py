"""Predicates that cannot allow by accident, and bad input that gets a clear error (issue 12).

Each test here failed before its fix: an awaitable or a truthy non-bool answer allowed every
origin (``async def`` checks are awaited since issue 14: test_origin_checks.py), a cyclic or
very deep policy killed the interpreter, ``max_age=10**30`` and ``nan`` got the wrong message,
and WSGI answered a 209 preflight with a 500.
"""

from __future__ import annotations

import math
import subprocess
import sys
import warnings
from typing import Any

import pytest
from test_middlewares import wsgi_call, wsgi_hello

from corsgate import ConfigError, Policy
from corsgate.asgi import CORSMiddleware as AsgiCORS
from corsgate.wsgi import CORSMiddleware as WsgiCORS

from conftest import http_scope, run_asgi

APP = "https://app.example.com"


# --- allow_origin predicates ----------------------------------------------------------------


async def async_verdict(origin: str) -> bool:
    return False


def test_verdict_returning_an_awaitable_raises_at_the_request_and_is_closed() -> None:
    made: list[Any] = []

    def sync_wrapper(origin: str) -> Any:
        coro = async_verdict(origin)
        made.append(coro)
        return coro

    p = Policy(allow_origin=sync_wrapper, credentials=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "coroutine ... was never awaited" would be a warning
        with pytest.raises(TypeError, match="awaitable"):
            p.evaluate("GET", {"origin": APP})
    [coro] = made
    assert coro.cr_frame is None  # closed, not left pending


@pytest.mark.parametrize(
    "answer",
    ["yes", 1, 0, None, [], [False], object()],
    ids=["str", "int_1", "int_0", "none", "empty_list", "list", "object"],
)
def test_non_bool_verdict_raises_type_error(answer: Any) -> None:
    p = Policy(allow_origin=lambda origin: answer, credentials=True)
    with pytest.raises(TypeError, match="must return a bool"):
        p.evaluate("GET", {"origin": APP})
    with pytest.raises(TypeError, match="must return a bool"):
        p.evaluate("OPTIONS", {"origin": APP, "access-control-request-method": "GET"})


def test_non_bool_verdict_never_allows_through_the_middlewares() -> None:
    p = Policy(allow_origin=lambda origin: "yes", credentials=True)
    sent: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"secret"})

    preflight = [(b"origin", APP.encode()), (b"access-control-request-method", b"GET")]
    for method, headers in (("GET", [(b"origin", APP.encode())]), ("OPTIONS", preflight)):
        with pytest.raises(TypeError, match="must return a bool"):
            sent = run_asgi(AsgiCORS(app, policy=p), http_scope(method, headers))
        assert sent == []
    with pytest.raises(TypeError, match="must return a bool"):
        wsgi_call(WsgiCORS(wsgi_hello, policy=p), "GET", {"Origin": APP})


def test_bool_verdicts_still_work() -> None:
    p = Policy(allow_origin=lambda origin: origin == APP, credentials=True)
    assert p.evaluate("GET", {"origin": APP}).allowed
    assert not p.evaluate("GET", {"origin": "https://evil.example"}).allowed


# --- Policy(**keys) with hostile values -----------------------------------------------------


def run_isolated(code: str) -> subprocess.CompletedProcess[str]:
    # A crash (SIGSEGV from unbounded recursion) must fail this test, not kill the suite.
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize(
    "build",
    [
        "v = []; v.append(v); keys = {'origins': v}",
        "v = {}; v['routes'] = [v]; keys = v",
        "v = []\nfor _ in range(100_000): v = [v]\nkeys = {'origins': v}",
        "v = {}\nfor _ in range(100_000): v = {'k': v}\nkeys = {'routes': [v]}",
    ],
    ids=["cyclic_list", "cyclic_dict", "deep_list", "deep_dict"],
)
def test_cyclic_or_deep_policy_raises_type_error(build: str) -> None:
    code = (
        "import corsgate\n"
        f"{build}\n"
        "try:\n"
        "    corsgate.Policy(**keys)\n"
        "except TypeError as e:\n"
        "    print('TypeError:', e)\n"
    )
    result = run_isolated(code)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("TypeError:")
    assert "deeper than" in result.stdout


def test_a_policy_of_usual_depth_still_compiles() -> None:
    p = Policy(origins=[APP], routes=[{"path": "/public/*", "origins": ["*"]}])
    assert p.evaluate("GET", {"origin": APP}, path="/x").allowed


def errors_of(**keys: Any) -> list[tuple[str, str, str]]:
    with pytest.raises(ConfigError) as info:
        Policy(**keys)
    return [(d.path, d.code, d.message) for d in info.value.errors]


def test_huge_max_age_is_out_of_range() -> None:
    for value in (10**30, -(10**30), 2**63, 2**64):
        [(path, code, message)] = errors_of(origins=[APP], max_age=value)
        assert (path, code) == ("max_age", "max_age_out_of_range")
        assert "0..=86400" in message


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf], ids=["nan", "inf", "-inf"])
def test_non_finite_max_age_is_not_a_finite_integer(value: float) -> None:
    [(path, code, message)] = errors_of(origins=[APP], max_age=value)
    assert (path, code) == ("max_age", "invalid_type")
    assert "finite integer" in message


def test_non_finite_number_inside_a_route_names_its_path() -> None:
    [(path, code, _)] = errors_of(origins=[APP], routes=[{"path": "/a", "max_age": math.nan}])
    assert (path, code) == ("routes[0].max_age", "invalid_type")


# --- WSGI preflight status ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "line"),
    [
        (200, "200 OK"),
        (204, "204 No Content"),
        (207, "207 Multi-Status"),
        (209, "209 Successful"),
        (218, "218 Successful"),
        (299, "299 Successful"),
    ],
)
def test_wsgi_preflight_status_line_for_every_2xx(status: int, line: str) -> None:
    p = Policy(origins=[APP], methods=["PUT"], preflight_status=status)
    got, headers, body = wsgi_call(
        WsgiCORS(wsgi_hello, policy=p),
        "OPTIONS",
        {"Origin": APP, "Access-Control-Request-Method": "PUT"},
    )
    assert got == line
    assert ("Access-Control-Allow-Origin", APP) in headers
    assert body == b""
