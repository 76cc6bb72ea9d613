"""Denial reports (issue 14): the `corsgate` logger with structured extra fields, the
`on_denied` hook of the ASGI, WSGI, Django and Flask middlewares, rate limiting by the core's
limiter, `stats()` counters and the Prometheus export example."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from test_middlewares import wsgi_call, wsgi_hello

from corsgate import DenialReport, Policy, SharedPolicy
from corsgate.asgi import CORSMiddleware as AsgiCORS
from corsgate.wsgi import CORSMiddleware as WsgiCORS

from conftest import http_scope, run_asgi

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bindings-python" / "examples"))

APP = "https://app.example.com"
EVIL = "https://evil.example"


async def hello(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"hello"})


def policy(**keys: Any) -> Policy:
    routes = [{"path": "/admin/*", "origins": [APP, "https://admin.example.com"]}]
    return Policy(origins=[APP], methods=["PUT"], routes=routes, **keys)


def preflight(origin: bytes, path: str = "/items") -> dict[str, Any]:
    headers = [(b"origin", origin), (b"access-control-request-method", b"PUT")]
    return http_scope("OPTIONS", headers, path)


def test_a_denial_is_logged_with_structured_fields(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="corsgate")
    mw = AsgiCORS(hello, policy=policy())
    run_asgi(mw, preflight(APP.encode()))  # allowed: nothing logged
    run_asgi(mw, preflight(b"https://evil.example\n\xff", "/admin/users"))
    [record] = caplog.records
    assert (record.name, record.levelno) == ("corsgate", logging.INFO)
    fields = {k: v for k, v in vars(record).items() if k.startswith("cors_")}
    assert fields == {
        "cors_kind": "preflight",
        "cors_reason": "malformed_origin",
        "cors_value": "https://evil.example\\n\\xff",
        "cors_route": "/admin/*",
        "cors_path": "/admin/users",
        "cors_message": fields["cors_message"],
        "cors_chromium": fields["cors_chromium"],
        "cors_firefox": fields["cors_firefox"],
        "cors_suppressed": 0,
    }
    assert "\n" not in record.getMessage()
    assert record.getMessage().startswith("corsgate: denied preflight /admin/users")
    assert fields["cors_chromium"].startswith("Access to fetch at '/admin/users' from origin")
    assert "has been blocked by CORS policy" in fields["cors_chromium"]
    assert isinstance(record.corsgate_report, DenialReport)


def test_nothing_is_reported_without_a_listener_but_everything_is_counted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="corsgate")
    p = policy()
    mw = AsgiCORS(hello, policy=p)
    for _ in range(3):
        run_asgi(mw, preflight(EVIL.encode()))
    run_asgi(mw, preflight(APP.encode()))
    run_asgi(mw, http_scope("GET", []))
    assert caplog.records == []
    stats = p.stats()
    assert stats["preflight"]["denied"]["origin_not_allowed"] == 3
    assert stats["preflight"]["allowed"] == 1
    assert stats["not_cors"] == 1
    assert mw.stats() == stats


def test_on_denied_in_every_middleware() -> None:
    got: list[DenialReport] = []
    p = policy()
    run_asgi(AsgiCORS(hello, policy=p, on_denied=got.append), preflight(EVIL.encode()))
    wsgi_call(WsgiCORS(wsgi_hello, policy=p, on_denied=got.append), "GET", {"Origin": EVIL})
    assert [(r.kind, r.reason, r.value) for r in got] == [
        ("preflight", "origin_not_allowed", EVIL),
        ("actual", "origin_not_allowed", EVIL),
    ]
    assert got[1].to_dict()["chromium"] == got[1].chromium_message
    assert str(got[1]).startswith("corsgate: denied actual /")


def test_on_denied_after_an_async_check() -> None:
    import anyio

    got: list[DenialReport] = []

    async def check(origin: str) -> bool:
        await anyio.sleep(0)
        return False

    mw = AsgiCORS(hello, policy=Policy(allow_origin=check), on_denied=got.append)

    async def main() -> None:
        async def receive() -> dict[str, Any]:
            return {"type": "http.request"}

        async def send(message: Any) -> None:
            pass

        await mw(http_scope("GET", [(b"origin", APP.encode())]), receive, send)

    anyio.run(main)
    assert [(r.kind, r.reason) for r in got] == [("actual", "origin_not_allowed")]


def test_reports_are_rate_limited_by_the_core() -> None:
    got: list[DenialReport] = []
    p = policy(report_rate=(1, 2))
    mw = AsgiCORS(hello, policy=p, on_denied=got.append)
    for _ in range(10):
        run_asgi(mw, preflight(EVIL.encode()))
    assert len(got) == 2  # the burst; the other 8 were dropped (within the same second)
    time.sleep(1.1)  # a token is back, whatever the load: not a timing assertion
    run_asgi(mw, preflight(EVIL.encode()))
    assert [r.suppressed for r in got] == [0, 0, 8]
    assert p.stats()["preflight"]["denied"]["origin_not_allowed"] == 11


def test_a_failing_hook_is_logged_and_the_response_is_unchanged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(report: DenialReport) -> None:
        raise RuntimeError("hook down")

    sent = run_asgi(AsgiCORS(hello, policy=policy(), on_denied=broken), preflight(EVIL.encode()))
    assert sent[0]["status"] == 403
    assert "on_denied raised" in caplog.text


def test_on_denied_needs_a_strict_policy_and_a_callable() -> None:
    with pytest.raises(TypeError, match="on_denied: reports come from the strict engine"):
        AsgiCORS(hello, allow_origins=[APP], on_denied=print)
    with pytest.raises(TypeError, match=r"on_denied: expected a callable .*fix: "):
        WsgiCORS(wsgi_hello, policy=policy(), on_denied="log")  # type: ignore[arg-type]


def test_flask_hook() -> None:
    from flask import Flask

    import corsgate.flask

    got: list[DenialReport] = []
    app = Flask("reports")
    app.route("/items")(lambda: "items")
    corsgate.flask.CORS(app, policy=policy(), on_denied=got.append)
    app.test_client().get("/items", headers={"Origin": EVIL})
    assert [(r.kind, r.path) for r in got] == [("actual", "/items")]
    with pytest.raises(TypeError, match="on_denied"):
        corsgate.flask.CORS(Flask("x"), on_denied=got.append)


def test_stats_text_and_the_prometheus_collector() -> None:
    from prometheus_client import CollectorRegistry, generate_latest
    from prometheus_export import CorsgateCollector

    p = policy()
    shared = SharedPolicy(p)
    mw = AsgiCORS(hello, policy=shared)
    run_asgi(mw, preflight(EVIL.encode()))
    run_asgi(mw, http_scope("GET", [(b"origin", APP.encode())]))
    text = p.stats_text()
    assert (
        'corsgate_requests_total{kind="preflight",verdict="denied",reason="origin_not_allowed"} 1'
        in text
    )
    registry = CollectorRegistry()
    registry.register(CorsgateCollector(shared))
    scraped = generate_latest(registry).decode()
    assert (
        'corsgate_requests_total{kind="preflight",reason="origin_not_allowed",verdict="denied"}'
        " 1.0" in scraped
    )
    assert 'corsgate_requests_total{kind="actual",reason="",verdict="allowed"} 1.0' in scraped
    assert shared.stats() == p.stats()
