"""Compatibility matrix: corsgate.asgi.CORSMiddleware against Starlette's own CORSMiddleware.

For every generated configuration and every request, both middlewares wrap the same inner
application and must send identical ASGI messages: status, headers (names, values, order)
and body. The expected answers come from the real Starlette installed from PyPI.
"""

from __future__ import annotations

import itertools
import warnings
from typing import Any

import pytest
from starlette.middleware.cors import CORSMiddleware as StarletteCORS

from corsgate import ConfigError, SecurityWarning
from corsgate.asgi import CORSMiddleware

from conftest import Message, http_scope, run_asgi

A = b"https://a.example"
B = b"https://b.example"
EVIL = b"https://evil.example"
REGEX_HIT = b"https://pr-12.preview.example.org"
REGEX_MISS = b"https://pr-12.preview.example.org.evil.example"

ORIGINS: list[list[str]] = [
    [],
    ["https://a.example"],
    ["*"],
    ["https://a.example", "https://b.example"],
    ["https://a.example", "*"],
]
REGEXES: list[str | None] = [None, r"https://pr-[0-9]+\.preview\.example\.org"]
METHODS: list[list[str]] = [["GET"], ["GET", "POST", "PUT"], ["*"], ["put", "DELETE"]]
HEADERS: list[list[str]] = [[], ["X-Custom", "content-type"], ["*"], ["*", "Authorization"]]
EXPOSE: list[list[str]] = [[], ["X-Request-Id", "x-other"]]
MAX_AGE = [600, 0]


def pre(
    origin: bytes, method: bytes, *extra: tuple[bytes, bytes]
) -> tuple[str, list[tuple[bytes, bytes]]]:
    return "OPTIONS", [(b"origin", origin), (b"access-control-request-method", method), *extra]


ACRH = b"access-control-request-headers"
ACRPN = b"access-control-request-private-network"

REQUESTS: list[tuple[str, list[tuple[bytes, bytes]]]] = [
    ("GET", []),
    ("GET", [(b"host", b"api.example")]),
    ("GET", [(b"origin", A)]),
    ("GET", [(b"origin", B), (b"cookie", b"session=1")]),
    ("GET", [(b"origin", EVIL)]),
    ("GET", [(b"origin", REGEX_HIT)]),
    ("GET", [(b"origin", REGEX_MISS)]),
    ("GET", [(b"origin", b"null")]),
    ("GET", [(b"origin", b"")]),
    ("GET", [(b"origin", EVIL), (b"origin", A)]),
    ("POST", [(b"origin", A), (b"content-type", b"application/json")]),
    ("OPTIONS", [(b"origin", A)]),
    ("OPTIONS", [(b"access-control-request-method", b"GET")]),
    ("options", [(b"origin", A), (b"access-control-request-method", b"GET")]),
    pre(A, b"GET"),
    pre(A, b"PUT"),
    pre(A, b"put"),
    pre(A, b"DELETE"),
    pre(A, b"PATCH"),
    pre(A, b""),
    pre(B, b"POST"),
    pre(EVIL, b"GET"),
    pre(EVIL, b"PATCH", (ACRH, b"x-nope"), (ACRPN, b"true")),
    pre(REGEX_HIT, b"GET"),
    pre(REGEX_MISS, b"GET"),
    pre(b"null", b"GET"),
    pre(A, b"GET", (ACRH, b"x-custom")),
    pre(A, b"GET", (ACRH, b"content-type,x-custom")),
    pre(A, b"GET", (ACRH, b"X-Custom, Content-Type")),
    pre(A, b"GET", (ACRH, b"authorization")),
    pre(A, b"GET", (ACRH, b"accept, content-language")),
    pre(A, b"GET", (ACRH, b"")),
    pre(A, b"GET", (ACRH, b"x-custom, ")),
    pre(A, b"GET", (ACRH, b"  x-custom\t")),
    pre(A, b"GET", (ACRH, b"x-custom"), (ACRH, b"x-nope")),
    pre(A, b"GET", (ACRH, b"x-nope"), (ACRH, b"x-custom")),
    pre(A, b"GET", (ACRPN, b"true")),
    pre(A, b"PUT", (ACRPN, b"false"), (ACRH, b"x-custom")),
    pre(A, b"GET", (b"access-control-request-method", b"PUT")),
    pre(EVIL + b"/", b"GET"),
]


def plain_app_headers() -> list[tuple[bytes, bytes]]:
    return [(b"content-type", b"text/plain"), (b"content-length", b"2")]


def busy_app_headers() -> list[tuple[bytes, bytes]]:
    # An application that sets its own Vary (twice) and CORS headers.
    return [
        (b"vary", b"Accept-Encoding"),
        (b"access-control-allow-origin", b"https://app-set.example"),
        (b"content-type", b"text/plain"),
        (b"vary", b"Cookie"),
        (b"access-control-allow-credentials", b"false"),
        (b"x-request-id", b"42"),
        (b"access-control-expose-headers", b"x-app"),
    ]


def inner(headers_factory: Any) -> Any:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": headers_factory()})
        await send({"type": "http.response.body", "body": b"hi"})

    return app


def normalise(messages: list[Message]) -> list[dict[str, Any]]:
    out = []
    for m in messages:
        m = dict(m)
        if "headers" in m:
            m["headers"] = [(bytes(k), bytes(v)) for k, v in m["headers"]]
        out.append(m)
    return out


CONFIGS = list(
    itertools.product(
        ORIGINS, REGEXES, [False, True], METHODS, HEADERS, EXPOSE, MAX_AGE, [False, True]
    )
)


def config_id(c: tuple[Any, ...]) -> str:
    origins, regex, cred, methods, headers, expose, max_age, pna = c
    return (
        f"o={'+'.join(origins) or '-'}|re={bool(regex)}|cred={cred}|m={'+'.join(methods)}|"
        f"h={'+'.join(headers) or '-'}|x={len(expose)}|age={max_age}|pn={pna}"
    )


@pytest.mark.parametrize("config", CONFIGS, ids=[config_id(c) for c in CONFIGS])
def test_same_messages_as_starlette(config: tuple[Any, ...]) -> None:
    origins, regex, cred, methods, headers, expose, max_age, pna = config
    kwargs: dict[str, Any] = {
        "allow_origins": origins,
        "allow_methods": methods,
        "allow_headers": headers,
        "allow_credentials": cred,
        "allow_origin_regex": regex,
        "allow_private_network": pna,
        "expose_headers": expose,
        "max_age": max_age,
    }
    for factory in (plain_app_headers, busy_app_headers):
        theirs = StarletteCORS(inner(factory), **kwargs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SecurityWarning)
            ours = CORSMiddleware(inner(factory), **kwargs)
        for method, req_headers in REQUESTS:
            expected = normalise(run_asgi(theirs, http_scope(method, req_headers)))
            got = normalise(run_asgi(ours, http_scope(method, req_headers)))
            assert got == expected, (method, req_headers)


def test_default_parameters_are_starlettes() -> None:
    for method, req_headers in REQUESTS:
        theirs = StarletteCORS(inner(busy_app_headers))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SecurityWarning)
            ours = CORSMiddleware(inner(busy_app_headers))
        assert normalise(run_asgi(ours, http_scope(method, req_headers))) == normalise(
            run_asgi(theirs, http_scope(method, req_headers))
        )


def test_app_without_headers_key() -> None:
    async def bare(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 204})
        await send({"type": "http.response.body"})

    for method, req_headers in REQUESTS:
        theirs = StarletteCORS(bare, allow_origins=["https://a.example"], expose_headers=["x-a"])
        ours = CORSMiddleware(bare, allow_origins=["https://a.example"], expose_headers=["x-a"])
        assert normalise(run_asgi(ours, http_scope(method, req_headers))) == normalise(
            run_asgi(theirs, http_scope(method, req_headers))
        )


def test_wildcard_with_credentials_warns_once_and_reflects() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        mw = CORSMiddleware(inner(plain_app_headers), allow_origins=["*"], allow_credentials=True)
    risky = [w for w in caught if issubclass(w.category, SecurityWarning)]
    assert len(risky) == 1
    assert "wildcard_origin_with_credentials" in str(risky[0].message)
    sent = run_asgi(mw, http_scope("GET", [(b"origin", EVIL)]))
    assert (b"access-control-allow-origin", EVIL) in sent[0]["headers"]


def test_non_http_scopes_pass_through() -> None:
    seen: list[str] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append(scope["type"])

    mw = CORSMiddleware(app, allow_origins=["*"])
    for kind in ("websocket", "lifespan"):
        assert run_asgi(mw, {"type": kind, "headers": [(b"origin", A)]}) == []
    assert seen == ["websocket", "lifespan"]


# --- the deliberate differences of docs/python.md, each checked against Starlette ------------


def start_headers(app: Any, method: str, headers: list[tuple[bytes, bytes]]) -> Any:
    return normalise(run_asgi(app, http_scope(method, headers)))[0]


def test_difference_lone_string_is_one_entry() -> None:
    substring = [(b"origin", b"https://a")]
    theirs = start_headers(
        StarletteCORS(inner(plain_app_headers), "https://a.example"), "GET", substring
    )
    ours = start_headers(
        CORSMiddleware(inner(plain_app_headers), "https://a.example"), "GET", substring
    )
    assert (b"access-control-allow-origin", b"https://a") in theirs["headers"]  # Starlette's bug
    assert not [h for h in ours["headers"] if h[0] == b"access-control-allow-origin"]


def test_difference_unsendable_values_fail_at_construction() -> None:
    with pytest.raises(ConfigError) as info:
        CORSMiddleware(inner(plain_app_headers), expose_headers=["x-caf\u00e9"])
    assert info.value.errors[0].code == "value_not_ascii"


def test_difference_python_only_regex_syntax_is_rejected() -> None:
    with pytest.raises(ConfigError) as info:
        CORSMiddleware(inner(plain_app_headers), allow_origin_regex=r"https://(?!evil).*")
    assert info.value.errors[0].code == "origin_regex_invalid"


def test_difference_non_utf8_origin_is_not_reflected() -> None:
    latin1 = [(b"origin", b"https://caf\xe9.example")]
    kwargs: dict[str, Any] = {"allow_origin_regex": "https://.*"}
    theirs = start_headers(StarletteCORS(inner(plain_app_headers), **kwargs), "GET", latin1)
    ours = start_headers(CORSMiddleware(inner(plain_app_headers), **kwargs), "GET", latin1)
    assert (b"access-control-allow-origin", b"https://caf\xe9.example") in theirs["headers"]
    assert not [h for h in ours["headers"] if h[0] == b"access-control-allow-origin"]
    assert ours["headers"][-1] == (b"vary", b"Origin")


def test_difference_header_names_are_case_insensitive() -> None:
    upper = [(b"Origin", A)]
    kwargs: dict[str, Any] = {"allow_origins": ["https://a.example"]}
    theirs = start_headers(StarletteCORS(inner(plain_app_headers), **kwargs), "GET", upper)
    ours = start_headers(CORSMiddleware(inner(plain_app_headers), **kwargs), "GET", upper)
    assert not [h for h in theirs["headers"] if h[0] == b"access-control-allow-origin"]
    assert (b"access-control-allow-origin", A) in ours["headers"]
