"""The application's own origin check (issue 14): `allow_origin` sync or `async def`, the
request-aware `allow_request`, the per-origin cache, the startup checks, and uvicorn with an
async check backed by an asyncio task (a timeout denies)."""

from __future__ import annotations

import functools
import sys
import time
import warnings
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest
from test_middlewares import wsgi_call, wsgi_hello
from test_servers import Server

from corsgate import ConfigError, OriginRequest, Policy, SharedPolicy
from corsgate.asgi import CORSMiddleware as AsgiCORS
from corsgate.wsgi import CORSMiddleware as WsgiCORS

from conftest import free_port, http_scope

TENANT = "https://a.tenant.example"
EVIL = "https://evil.example"


async def hello(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"hello"})


def asgi(
    mw: Any, method: str, origin: str, backend: str = "asyncio", path: str = "/items"
) -> dict[str, Any]:
    """One request through `mw` on a real event loop: the response start message."""
    headers = [(b"origin", origin.encode())]
    if method == "OPTIONS":
        headers.append((b"access-control-request-method", b"PUT"))
    sent: list[Any] = []

    async def main() -> None:
        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b""}

        async def send(message: Any) -> None:
            sent.append(message)

        await mw(http_scope(method, headers, path), receive, send)

    anyio.run(main, backend=backend)
    start: dict[str, Any] = sent[0]
    start["names"] = {n for n, _ in start["headers"]}
    return start


# --- async allow_origin in the ASGI middleware ----------------------------------------------


async def tenant_lookup(origin: str) -> bool:
    await anyio.sleep(0)  # suspends: the middleware really awaits
    return origin.endswith(".tenant.example")


class AsyncCallable:
    async def __call__(self, origin: str) -> bool:
        return await tenant_lookup(origin)


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
@pytest.mark.parametrize(
    "check",
    [tenant_lookup, AsyncCallable(), functools.partial(tenant_lookup)],
    ids=["async_def", "async_dunder_call", "partial_of_async_def"],
)
def test_async_allow_origin_is_awaited(backend: str, check: Any) -> None:
    policy = Policy(allow_origin=check, methods=["PUT"], credentials=True)
    assert policy.is_async
    mw = AsgiCORS(hello, policy=policy)
    ok = asgi(mw, "GET", TENANT, backend)
    assert (ok["status"], dict(ok["headers"])[b"access-control-allow-origin"]) == (
        200,
        TENANT.encode(),
    )
    assert b"access-control-allow-origin" not in asgi(mw, "GET", EVIL, backend)["names"]
    assert asgi(mw, "OPTIONS", TENANT, backend)["status"] == 204
    assert asgi(mw, "OPTIONS", EVIL, backend)["status"] == 403
    # Behind a SharedPolicy too.
    shared = AsgiCORS(hello, policy=SharedPolicy(policy))
    assert asgi(shared, "OPTIONS", TENANT, backend)["status"] == 204


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_a_check_that_does_not_answer_in_time_denies_and_is_cancelled(backend: str) -> None:
    cancelled: list[bool] = []

    async def hangs(origin: str) -> bool:
        try:
            await anyio.sleep_forever()
        except anyio.get_cancelled_exc_class():
            cancelled.append(True)
            raise
        raise AssertionError("unreachable")

    policy = Policy(allow_origin=hangs, methods=["PUT"], check_timeout=0.05, cache_ttl=60)
    mw = AsgiCORS(hello, policy=policy)
    assert asgi(mw, "OPTIONS", TENANT, backend)["status"] == 403
    start = asgi(mw, "GET", TENANT, backend)
    assert start["status"] == 200
    assert b"access-control-allow-origin" not in start["names"]
    assert cancelled == [True, True]
    assert policy.cached_origins == 0  # a timeout is never cached


def test_an_async_check_answering_a_non_bool_fails_the_request() -> None:
    async def truthy(origin: str) -> Any:
        return "yes"

    mw = AsgiCORS(hello, policy=Policy(allow_origin=truthy))
    with pytest.raises(TypeError, match="allow_origin must return a bool"):
        asgi(mw, "GET", TENANT)


def test_an_async_check_error_propagates() -> None:
    async def down(origin: str) -> bool:
        raise RuntimeError("database down")

    with pytest.raises(RuntimeError, match="database down"):
        asgi(AsgiCORS(hello, policy=Policy(allow_origin=down)), "GET", TENANT)


def test_sync_checks_work_in_the_asgi_middleware_without_suspending() -> None:
    policy = Policy(allow_origin=lambda o: o == TENANT, methods=["PUT"])
    assert not policy.is_async
    assert asgi(AsgiCORS(hello, policy=policy), "OPTIONS", TENANT)["status"] == 204


# --- where nothing can await: refused at startup, or at the request -------------------------


def test_wsgi_django_and_flask_refuse_an_async_check_at_startup() -> None:
    policy = Policy(allow_origin=tenant_lookup)
    with pytest.raises(TypeError, match=r"corsgate\.wsgi cannot await .*fix: "):
        WsgiCORS(wsgi_hello, policy=policy)
    with pytest.raises(TypeError, match="cannot await"):
        WsgiCORS(wsgi_hello, policy=SharedPolicy(policy))
    mw = WsgiCORS(wsgi_hello, policy=Policy(allow_origin=lambda o: True))
    with pytest.raises(TypeError, match="cannot await"):
        mw.policy = policy


def test_evaluate_refuses_an_async_check_and_closes_it() -> None:
    made: list[Any] = []

    async def check(origin: str) -> bool:
        return True

    def spy(origin: str) -> Any:
        made.append(check(origin))
        return made[-1]

    for f in (check, spy):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "coroutine ... was never awaited"
            with pytest.raises(TypeError, match=r"only corsgate\.asgi\.CORSMiddleware awaits"):
                Policy(allow_origin=f).evaluate("GET", {"origin": TENANT})
    assert made[0].cr_frame is None


# --- allow_request: the request-aware check -------------------------------------------------


def test_allow_request_sees_method_path_and_headers_everywhere() -> None:
    seen: list[OriginRequest] = []

    def check(request: OriginRequest) -> bool:
        seen.append(request)
        return request.path.startswith("/public/") or request.header("X-Tenant") == "a"

    policy = Policy(allow_request=check, methods=["PUT"])
    d = policy.evaluate("GET", {"Origin": TENANT, "X-Tenant": "a"}, path="/private")
    assert d.allowed
    assert not policy.evaluate("GET", {"Origin": TENANT}, path="/private").allowed
    assert policy.evaluate("GET", {"Origin": EVIL}, path="/public/x").allowed
    first = seen[0]
    assert (first.method, first.path, first.origin) == ("GET", "/private", TENANT)
    assert ("x-tenant", "a") in first.headers
    assert policy.evaluate("GET", {}).kind == "not_cors"
    assert len(seen) == 3

    asgi_start = asgi(AsgiCORS(hello, policy=policy), "OPTIONS", EVIL, path="/public/a")
    assert asgi_start["status"] == 204
    assert (seen[-1].method, seen[-1].path) == ("OPTIONS", "/public/a")
    assert ("access-control-request-method", "PUT") in seen[-1].headers

    _status, headers, _ = wsgi_call(
        WsgiCORS(wsgi_hello, policy=policy), "GET", {"Origin": EVIL, "X-Tenant": "a"}, "/p"
    )
    assert ("Access-Control-Allow-Origin", EVIL) in headers
    assert (seen[-1].path, seen[-1].header("x-tenant")) == ("/p", "a")
    assert ("origin", EVIL) in seen[-1].headers


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_async_allow_request_is_awaited(backend: str) -> None:
    async def check(request: OriginRequest) -> bool:
        await anyio.sleep(0)
        return request.method == "OPTIONS"

    mw = AsgiCORS(hello, policy=Policy(allow_request=check, methods=["PUT"]))
    assert asgi(mw, "OPTIONS", EVIL, backend)["status"] == 204
    assert b"access-control-allow-origin" not in asgi(mw, "GET", EVIL, backend)["names"]


# --- the cache ------------------------------------------------------------------------------


def counting(answer: bool = True) -> tuple[Any, list[str]]:
    asked: list[str] = []

    def check(origin: str) -> bool:
        asked.append(origin)
        return answer and origin != EVIL

    return check, asked


def test_cache_keeps_answers_for_the_ttl_and_can_be_invalidated() -> None:
    check, asked = counting()
    policy = Policy(allow_origin=check, cache_ttl=3600)
    for _ in range(3):
        assert policy.evaluate("GET", {"Origin": TENANT}).allowed
        assert not policy.evaluate("GET", {"Origin": EVIL}).allowed  # denials are cached too
    assert asked == [TENANT, EVIL]
    assert policy.cached_origins == 2
    policy.invalidate(TENANT)
    policy.evaluate("GET", {"Origin": TENANT})
    policy.evaluate("GET", {"Origin": EVIL})
    assert asked == [TENANT, EVIL, TENANT]
    policy.invalidate()
    assert policy.cached_origins == 0
    policy.evaluate("GET", {"Origin": EVIL})
    assert asked[-1] == EVIL


def test_cache_entries_expire() -> None:
    check, asked = counting()
    policy = Policy(allow_origin=check, cache_ttl=0.01)
    policy.evaluate("GET", {"Origin": TENANT})
    time.sleep(0.05)  # past the TTL whatever the machine's load: not a timing assertion
    policy.evaluate("GET", {"Origin": TENANT})
    assert asked == [TENANT, TENANT]


def test_cache_is_bounded_and_evicts_the_oldest() -> None:
    check, asked = counting()
    policy = Policy(allow_origin=check, cache_ttl=3600, cache_size=2)
    origins = [f"https://t{i}.example" for i in range(3)]
    for origin in origins:
        policy.evaluate("GET", {"Origin": origin})
    assert policy.cached_origins == 2
    for origin in reversed(origins[1:]):
        policy.evaluate("GET", {"Origin": origin})
    assert asked == origins  # t1 and t2 came from the cache
    policy.evaluate("GET", {"Origin": origins[0]})
    assert asked == [*origins, origins[0]]  # t0 had been evicted


def test_an_async_answer_is_cached() -> None:
    asked: list[str] = []

    async def check(origin: str) -> bool:
        asked.append(origin)
        await anyio.sleep(0)
        return True

    policy = Policy(allow_origin=check, methods=["PUT"], cache_ttl=3600)
    mw = AsgiCORS(hello, policy=policy)
    assert [asgi(mw, "OPTIONS", TENANT)["status"] for _ in range(3)] == [204, 204, 204]
    assert asked == [TENANT]


# --- startup validation: the key and the fix ------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "path", "hint"),
    [
        ({"check_timeout": 0}, "check_timeout", "check_timeout=1.0"),
        ({"check_timeout": float("nan")}, "check_timeout", "check_timeout=1.0"),
        ({"cache_ttl": -1}, "cache_ttl", "cache_ttl=60"),
        ({"cache_ttl": 60, "cache_size": 0}, "cache_size", "cache_size=1024"),
    ],
)
def test_bad_check_values_are_config_errors(kwargs: Any, path: str, hint: str) -> None:
    with pytest.raises(ConfigError) as info:
        Policy(allow_origin=lambda o: True, **kwargs)
    [error] = info.value.errors
    assert (error.path, error.code, error.hint) == (path, "invalid_type", hint)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"allow_origin": "https://a.example"}, r"allow_origin: expected a callable"),
        ({"allow_request": 3}, r"allow_request: expected a callable"),
        (
            {"allow_origin": lambda o: True, "allow_request": lambda r: True},
            "allow_request: allow_origin and allow_request are the same check",
        ),
        ({"allow_request": lambda r: True, "cache_ttl": 5}, "cache_ttl: allow_request answers"),
        ({"cache_ttl": 5}, "cache_ttl: there is no allow_origin check"),
    ],
)
def test_bad_check_arguments_are_type_errors_naming_the_key_and_fix(
    kwargs: Any, match: str
) -> None:
    with pytest.raises(TypeError, match=match) as info:
        Policy(**kwargs)
    assert "(fix: " in str(info.value)


def test_an_async_generator_is_refused() -> None:
    async def gen(origin: str) -> Any:
        yield True

    with pytest.raises(TypeError, match="async generator never answers"):
        Policy(allow_origin=gen)


# --- uvicorn: an async check backed by an asyncio task --------------------------------------


@pytest.fixture(scope="module")
def tenant_server() -> Iterator[Server]:
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", "--factory", "async_check_app:create"]
    argv += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    server = Server(argv, {}, port)
    try:
        server.wait()
        yield server
    finally:
        server.stop()


def test_uvicorn_awaits_the_tenant_database(tenant_server: Server) -> None:
    url = tenant_server.url
    preflight = {"Access-Control-Request-Method": "PUT"}
    with httpx.Client(base_url=url) as c:
        ok = c.options("/items", headers={"Origin": TENANT, **preflight})
        assert (ok.status_code, ok.headers["access-control-allow-origin"]) == (204, TENANT)
        assert ok.headers["access-control-allow-methods"] == "PUT"
        actual = c.put("/items", headers={"Origin": TENANT})
        assert (actual.text, actual.headers["access-control-allow-origin"]) == ("items", TENANT)
        denied = c.options("/items", headers={"Origin": EVIL, **preflight})
        assert denied.status_code == 403
        assert "access-control-allow-origin" not in denied.headers
        get = c.get("/items", headers={"Origin": EVIL})
        assert get.text == "items"
        assert "access-control-allow-origin" not in get.headers
        # Asked once per origin: the later answers came from the cache.
        assert c.get("/asked").json() == [TENANT, EVIL]


def test_uvicorn_denies_when_the_database_does_not_answer_in_time(tenant_server: Server) -> None:
    slow = "https://slow.example"
    with httpx.Client(base_url=tenant_server.url, timeout=30) as c:
        r = c.options("/items", headers={"Origin": slow, "Access-Control-Request-Method": "PUT"})
        assert r.status_code == 403
        assert "access-control-allow-origin" not in r.headers
        r = c.get("/items", headers={"Origin": slow})
        assert r.text == "items"
        assert "access-control-allow-origin" not in r.headers
        # Not cached: the database was asked again.
        assert c.get("/asked").json().count(slow) == 2
