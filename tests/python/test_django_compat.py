"""Compatibility matrix: corsgate.django.CorsMiddleware against django-cors-headers 4.x.

For every generated combination of CORS_* settings and every request, both middlewares wrap
the same view and must give the same response: status, every header (name, value, order)
and body. The expected answers come from the real django-cors-headers installed from PyPI;
the suite runs on Django 5.2 and again on Django 4.2 LTS (make test-python).
"""

from __future__ import annotations

import asyncio
import itertools
import re
import warnings
from typing import Any, Callable

import django
from django.conf import settings

if not settings.configured:
    settings.configure(
        DEBUG=False,
        ALLOWED_HOSTS=["*"],
        INSTALLED_APPS=["corsgate.django"],
        ROOT_URLCONF=[],
        USE_TZ=True,
    )
    django.setup()

import pytest
from corsheaders.middleware import CorsMiddleware as PeerMiddleware
from corsheaders.signals import check_request_enabled as peer_signal
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.test import RequestFactory, override_settings

from corsgate import SecurityWarning
from corsgate.django import CorsMiddleware
from corsgate.django.checks import check_settings
from corsgate.django.defaults import default_headers, default_methods
from corsgate.django.signals import check_request_enabled

A = "https://a.example"
B = "http://b.example:8080"
EVIL = "https://evil.example"
REGEX_HIT = "https://pr-7.preview.example.org"
REGEX_PREFIX = "https://pr-7.preview.example.org.evil.example"

ORIGIN_SETS: list[dict[str, Any]] = [
    {},
    {"CORS_ALLOWED_ORIGINS": [A]},
    {"CORS_ALLOWED_ORIGINS": [A, B, "null"]},
    {"CORS_ORIGIN_WHITELIST": ("https://A.example", "http://b.example:8080/")},
    {"CORS_ALLOWED_ORIGIN_REGEXES": [r"^https://pr-\d+\.preview\.example\.org"]},
    {
        "CORS_ALLOWED_ORIGINS": [A],
        "CORS_ALLOWED_ORIGIN_REGEXES": [
            re.compile(r"^https://PR-\d+\.", re.I),
            r"^http://b\.example:8080$",
        ],
    },
    {"CORS_ALLOW_ALL_ORIGINS": True},
    {"CORS_ORIGIN_ALLOW_ALL": True, "CORS_ALLOWED_ORIGINS": [A]},
]
CREDENTIALS = [{}, {"CORS_ALLOW_CREDENTIALS": True}]
LISTS: list[dict[str, Any]] = [
    {},
    {"CORS_ALLOW_METHODS": ["GET", "put"], "CORS_ALLOW_HEADERS": (*default_headers, "x-custom")},
    {"CORS_ALLOW_HEADERS": [], "CORS_EXPOSE_HEADERS": ["X-Request-Id", "x-b"]},
]
MAX_AGES: list[dict[str, Any]] = [
    {},
    {"CORS_PREFLIGHT_MAX_AGE": 0},
    {"CORS_PREFLIGHT_MAX_AGE": 600},
]
PRIVATE = [{}, {"CORS_ALLOW_PRIVATE_NETWORK": True}]
URLS = [{}, {"CORS_URLS_REGEX": r"^/api/"}]

CONFIGS = [
    {k: v for part in combo for k, v in part.items()}
    for combo in itertools.product(ORIGIN_SETS, CREDENTIALS, LISTS, MAX_AGES, PRIVATE, URLS)
]


def pre(origin: str | None, method: str = "PUT", **extra: str) -> tuple[str, str, dict[str, str]]:
    headers = {"HTTP_ACCESS_CONTROL_REQUEST_METHOD": method, **extra}
    if origin is not None:
        headers["HTTP_ORIGIN"] = origin
    return "OPTIONS", "/api/x", headers


PNA = {"HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK": "true"}
REQUESTS: list[tuple[str, str, dict[str, str]]] = [
    ("GET", "/api/x", {}),
    ("GET", "/api/x", {"HTTP_ORIGIN": A}),
    ("GET", "/other", {"HTTP_ORIGIN": A}),
    ("GET", "/api/x", {"HTTP_ORIGIN": "https://A.EXAMPLE"}),
    ("GET", "/api/x", {"HTTP_ORIGIN": "https://a.example:443"}),
    ("GET", "/api/x", {"HTTP_ORIGIN": B}),
    ("GET", "/api/x", {"HTTP_ORIGIN": EVIL}),
    ("GET", "/api/x", {"HTTP_ORIGIN": REGEX_HIT}),
    ("GET", "/api/x", {"HTTP_ORIGIN": REGEX_PREFIX}),
    ("GET", "/api/x", {"HTTP_ORIGIN": "null"}),
    ("GET", "/api/x", {"HTTP_ORIGIN": ""}),
    ("GET", "/api/x", {"HTTP_ORIGIN": "a.example"}),
    ("GET", "/api/x", {"HTTP_ORIGIN": " https://a.example"}),
    ("GET", "/api/x", {"HTTP_ORIGIN": "https://a.ex\tample"}),
    ("GET", "/api/x", {"HTTP_ORIGIN": "https://[::1"}),
    ("GET", "/api/x", {"HTTP_ORIGIN": "https://a.example/path?q#f"}),
    ("GET", "/api/x", {"HTTP_ORIGIN": "https://\xe4.example"}),
    ("GET", "/api/x", {"HTTP_ORIGIN": A, **PNA}),
    ("POST", "/api/x", {"HTTP_ORIGIN": A, "CONTENT_TYPE": "application/json"}),
    ("OPTIONS", "/api/x", {"HTTP_ORIGIN": A}),
    ("OPTIONS", "/other", {"HTTP_ORIGIN": A, "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "PUT"}),
    pre(A),
    pre(A, "DELETE", HTTP_ACCESS_CONTROL_REQUEST_HEADERS="x-custom, content-type"),
    pre(A, ""),
    pre(None),
    pre(EVIL),
    pre(EVIL, **PNA),
    pre(B, **PNA),
    pre(REGEX_HIT),
    pre("null"),
    pre(A, HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK="false"),
]


# The views the middlewares wrap: plain, and one that sets its own Vary and CORS header.
def plain_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


def opinionated_view(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        "ok", headers={"Vary": "Accept ,Cookie", "Access-Control-Allow-Origin": "app"}
    )
    return response


def answer(response: HttpResponseBase) -> tuple[int, list[tuple[str, str]], bytes]:
    body = response.content if isinstance(response, HttpResponse) else b""
    return response.status_code, list(response.items()), body


FACTORY = RequestFactory()


def build(method: str, path: str, meta: dict[str, str]) -> HttpRequest:
    return FACTORY.generic(method, path, **meta)


def run(
    mw_class: Callable[[Any], Any],
    view: Callable[[HttpRequest], HttpResponse],
    req: tuple[str, str, dict[str, str]],
) -> tuple[int, list[tuple[str, str]], bytes]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        middleware = mw_class(view)
    return answer(middleware(build(*req)))


@pytest.mark.parametrize("index", range(0, len(CONFIGS), 24))
def test_settings_matrix_matches_django_cors_headers(index: int) -> None:
    """24 configurations per case (576 in all) x 31 requests x 2 views."""
    for config in CONFIGS[index : index + 24]:
        with override_settings(**config):
            for view in (plain_view, opinionated_view):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    peer = PeerMiddleware(view)
                    ours = CorsMiddleware(view)
                for req in REQUESTS:
                    expected = answer(peer(build(*req)))
                    got = answer(ours(build(*req)))
                    assert got == expected, (config, view.__name__, req)


def test_matrix_is_generated_and_covers_every_setting() -> None:
    assert len(CONFIGS) == 576
    keys = {k for c in CONFIGS for k in c}
    assert keys >= {
        "CORS_ALLOWED_ORIGINS",
        "CORS_ORIGIN_WHITELIST",
        "CORS_ALLOWED_ORIGIN_REGEXES",
        "CORS_ALLOW_ALL_ORIGINS",
        "CORS_ORIGIN_ALLOW_ALL",
        "CORS_URLS_REGEX",
        "CORS_ALLOW_METHODS",
        "CORS_ALLOW_HEADERS",
        "CORS_EXPOSE_HEADERS",
        "CORS_PREFLIGHT_MAX_AGE",
        "CORS_ALLOW_CREDENTIALS",
        "CORS_ALLOW_PRIVATE_NETWORK",
    }


def test_defaults_module_matches_corsheaders() -> None:
    from corsheaders import defaults

    assert default_headers == defaults.default_headers
    assert default_methods == defaults.default_methods


SIGNAL_CASES = [
    ("GET", "/signal/x", {"HTTP_ORIGIN": "https://signal.example"}),
    ("GET", "/api/x", {"HTTP_ORIGIN": "https://signal.example"}),
    ("GET", "/api/x", {"HTTP_ORIGIN": EVIL}),
    pre("https://signal.example"),
    ("OPTIONS", "/signal/x", {"HTTP_ORIGIN": EVIL, "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "GET"}),
]


def test_check_request_enabled_signal_is_asked_like_corsheaders() -> None:
    """The same receiver on both signals: same answers, and it is called as often."""
    calls: list[str] = []

    def receiver(sender: Any, request: HttpRequest, **kwargs: Any) -> bool:
        calls.append(request.path)
        return (
            request.path.startswith("/signal/")
            or request.headers.get("origin") == "https://signal.example"
        )

    peer_signal.connect(receiver)
    check_request_enabled.connect(receiver)
    try:
        with override_settings(CORS_ALLOWED_ORIGINS=[A], CORS_URLS_REGEX=r"^/api/"):
            for req in SIGNAL_CASES:
                calls.clear()
                expected = run(PeerMiddleware, plain_view, req)
                peer_calls = list(calls)
                calls.clear()
                got = run(CorsMiddleware, plain_view, req)
                assert got == expected, req
                assert calls == peer_calls, req
    finally:
        peer_signal.disconnect(receiver)
        check_request_enabled.disconnect(receiver)


def test_async_path_answers_like_the_sync_path() -> None:
    async def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok")

    with override_settings(CORS_ALLOWED_ORIGINS=[A], CORS_ALLOW_CREDENTIALS=True):
        middleware = CorsMiddleware(view)
        assert asyncio.iscoroutinefunction(middleware)
        for req in REQUESTS:
            sync_answer = run(CorsMiddleware, plain_view, req)
            async_answer = answer(asyncio.run(middleware(build(*req))))
            assert async_answer == sync_answer, req


def messages(**config: Any) -> list[tuple[str, str, str | None]]:
    with override_settings(**config):
        return [(m.id or "", m.msg, m.hint) for m in check_settings()]


def test_system_checks_name_the_setting_and_hint() -> None:
    found = messages(
        CORS_ALLOWED_ORIGINS=["https://a.example/", "a.example", "https://b.example"],
        CORS_ALLOW_METHODS="GET",
        CORS_PREFLIGHT_MAX_AGE=-1,
        CORS_ALLOWED_ORIGIN_REGEXES=["(unclosed"],
    )
    ids = [f[0] for f in found]
    assert "corsgate.E001" in ids  # CORS_ALLOW_METHODS is a string
    text = "\n".join(f"{i} {m} {h}" for i, m, h in found)
    assert "CORS_ALLOWED_ORIGINS[0]" in text
    assert "did you mean `https://a.example`?" in text
    assert "CORS_ALLOWED_ORIGINS[1]" in text
    assert "CORS_PREFLIGHT_MAX_AGE" in text
    assert "CORS_ALLOWED_ORIGIN_REGEXES[0]" in text
    assert 'CORS_ALLOW_METHODS = ["GET"]' in text
    assert all(f[0].startswith("corsgate.E") for f in found)


def test_risky_settings_are_warnings() -> None:
    found = messages(
        CORS_ALLOW_ALL_ORIGINS=True,
        CORS_ALLOW_CREDENTIALS=True,
        CORS_ALLOWED_ORIGIN_REGEXES=[r"^https://app.example.com"],
        CORS_ALLOWED_ORIGINS=["null"],
        CORS_ALLOW_PRIVATE_NETWORK=True,
    )
    assert [f[0] for f in found] == [
        "corsgate.W002",
        "corsgate.W003",
        "corsgate.W004",
        "corsgate.W001",
        "corsgate.W005",
    ]
    assert "CORS_ALLOWED_ORIGIN_REGEXES[0]" in found[1][1]


def test_invalid_settings_stop_the_middleware() -> None:
    with (
        override_settings(CORS_ALLOW_CREDENTIALS="yes"),
        pytest.raises(ImproperlyConfigured, match="CORS_ALLOW_CREDENTIALS"),
    ):
        CorsMiddleware(plain_view)


def test_risky_settings_warn_when_the_middleware_starts() -> None:
    with (
        override_settings(CORS_ALLOW_ALL_ORIGINS=True, CORS_ALLOW_CREDENTIALS=True),
        pytest.warns(SecurityWarning, match="every origin is reflected with credentials"),
    ):
        CorsMiddleware(plain_view)


def test_strict_policy_with_a_sync_request_check_and_an_async_one_refused() -> None:
    from corsgate import OriginRequest, Policy

    def check(request: OriginRequest) -> bool:
        return request.path.startswith("/api/") and request.header("x-tenant") == "a"

    factory = RequestFactory()
    with override_settings(CORSGATE_POLICY=Policy(allow_request=check)):
        mw = CorsMiddleware(plain_view)
        allowed = mw(factory.get("/api/x", HTTP_ORIGIN=EVIL, HTTP_X_TENANT="a"))
        assert allowed["Access-Control-Allow-Origin"] == EVIL
        denied = mw(factory.get("/other", HTTP_ORIGIN=EVIL, HTTP_X_TENANT="a"))
        assert "Access-Control-Allow-Origin" not in denied

    async def lookup(origin: str) -> bool:
        return True

    with (
        override_settings(CORSGATE_POLICY=Policy(allow_origin=lookup)),
        pytest.raises(ImproperlyConfigured, match="cannot await"),
    ):
        CorsMiddleware(plain_view)


def test_strict_policy_reports_denials_to_corsgate_on_denied() -> None:
    from corsgate import DenialReport, Policy

    got: list[DenialReport] = []
    factory = RequestFactory()
    with override_settings(CORSGATE_POLICY=Policy(origins=[A]), CORSGATE_ON_DENIED=got.append):
        mw = CorsMiddleware(plain_view)
        mw(factory.get("/x", HTTP_ORIGIN=EVIL))
        mw(factory.get("/x", HTTP_ORIGIN=A))
    assert [(r.kind, r.reason, r.value, r.path) for r in got] == [
        ("actual", "origin_not_allowed", EVIL, "/x")
    ]
    with (
        override_settings(CORSGATE_POLICY=Policy(origins=[A]), CORSGATE_ON_DENIED="no.such.hook"),
        pytest.raises(ImproperlyConfigured, match="CORSGATE_ON_DENIED"),
    ):
        CorsMiddleware(plain_view)
