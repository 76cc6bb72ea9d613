"""Per-request overhead of corsgate.django and corsgate.flask vs django-cors-headers and
flask-cors, side by side in one run.

Django: each middleware wraps the same view and is called directly with a `WSGIRequest`
(built beforehand by `RequestFactory`); overhead = time per request minus the bare view's (a
preflight answered by the middleware never reaches the view: its whole time is overhead).
Flask: three twin apps (no CORS, flask-cors, corsgate.flask) are called as raw WSGI
(`app.wsgi_app(environ, start_response)`, environs built beforehand); overhead = time per
request minus the bare app's. Run: make bench-python
"""

# ruff: noqa: E402 (Django must be configured before its modules are imported)
from __future__ import annotations

import gc
import sys
import time
import warnings
from collections.abc import Callable
from importlib.metadata import version
from typing import Any

import django
from django.conf import settings

CONFIG_ORIGINS = [
    "https://app.example.com",
    "https://admin.example.com",
    "https://docs.example.com",
]

if not settings.configured:
    settings.configure(
        DEBUG=False,
        ALLOWED_HOSTS=["*"],
        INSTALLED_APPS=["corsgate.django"],
        ROOT_URLCONF=[],
        CORS_ALLOWED_ORIGINS=CONFIG_ORIGINS,
        CORS_ALLOW_CREDENTIALS=True,
        CORS_EXPOSE_HEADERS=["X-Request-Id"],
    )
    django.setup()

import flask
import flask_cors
from corsheaders.middleware import CorsMiddleware as PeerMiddleware
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from werkzeug.test import EnvironBuilder

import corsgate
import corsgate.flask
from corsgate.django import CorsMiddleware

ORIGIN = "https://admin.example.com"
COMMON = {
    "Host": "api.example.com",
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0",
    "Accept": "*/*",
    "Accept-Encoding": "gzip, deflate, br",
    "Accept-Language": "en-GB,en;q=0.9",
}
CASES: dict[str, tuple[str, dict[str, str]]] = {
    "preflight": (
        "OPTIONS",
        {
            **COMMON,
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    ),
    "actual": ("GET", {**COMMON, "Origin": ORIGIN, "Cookie": "session=abc"}),
    "no origin": ("GET", dict(COMMON)),
}
N = 5000
ROUNDS = 25


def best_of(*runs: Callable[[int], float]) -> list[float]:
    """The best time per call of each run, measured in interleaved rounds with the garbage
    collector off (the machine's load then weighs on every contender alike)."""
    for run in runs:
        run(2000)
    times: list[list[float]] = [[] for _ in runs]
    for _ in range(ROUNDS):
        for i, run in enumerate(runs):
            gc.collect()
            gc.disable()
            try:
                times[i].append(run(N))
            finally:
                gc.enable()
    return [min(t) for t in times]


def django_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"{}", content_type="application/json")


def django_run(
    handler: Callable[[HttpRequest], Any], method: str, headers: dict[str, str]
) -> Callable[[int], float]:
    factory = RequestFactory()
    meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}

    def run(n: int) -> float:
        requests = [factory.generic(method, "/items", **meta) for _ in range(n)]
        start = time.perf_counter_ns()
        for r in requests:
            handler(r)
        return (time.perf_counter_ns() - start) / n

    return run


def flask_app(cors: Any | None) -> flask.Flask:
    app = flask.Flask("bench")

    @app.route("/items", methods=["GET", "PUT"])
    def items() -> flask.Response:
        return flask.Response(b"{}", content_type="application/json")

    if cors is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cors.CORS(
                app,
                origins=CONFIG_ORIGINS,
                supports_credentials=True,
                expose_headers=["X-Request-Id"],
                allow_headers=["Content-Type", "Authorization"],
            )
    return app


def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
    return None


def flask_run(app: flask.Flask, method: str, headers: dict[str, str]) -> Callable[[int], float]:
    def run(n: int) -> float:
        environs = [
            EnvironBuilder(path="/items", method=method, headers=headers).get_environ()
            for _ in range(n)
        ]
        wsgi = app.wsgi_app
        start = time.perf_counter_ns()
        for environ in environs:
            for _ in wsgi(environ, start_response):
                pass
        return (time.perf_counter_ns() - start) / n

    return run


def table(name: str, peer: str, rows: list[tuple[str, float, float]]) -> None:
    print(f"{name:<9} {'request':<10} {peer + ' µs':>20} {'corsgate µs':>12} {'speed-up':>9}")
    for case, theirs, ours in rows:
        print(
            f"{'':<9} {case:<10} {theirs / 1000:>20.2f} {ours / 1000:>12.2f} {theirs / ours:>8.1f}x"
        )


def main() -> None:
    print(
        f"corsgate {corsgate.__version__}, Python {sys.version.split()[0]},"
        f" Django {django.__version__}, django-cors-headers {version('django-cors-headers')},"
        f" Flask {version('flask')}, flask-cors {flask_cors.__version__}"
    )
    print("overhead per request over the bare view / app, best of 25 interleaved rounds of 5,000")
    peer = PeerMiddleware(django_view)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = CorsMiddleware(django_view)
    rows = []
    for case, (method, headers) in CASES.items():
        base, t, o = best_of(*(django_run(h, method, headers) for h in (django_view, peer, ours)))
        if case == "preflight":
            rows.append((case, t, o))
        else:
            rows.append((case, t - base, o - base))
    table("Django", "django-cors-headers", rows)
    bare, theirs_app, ours_app = flask_app(None), flask_app(flask_cors), flask_app(corsgate.flask)
    rows = []
    for case, (method, headers) in CASES.items():
        base, t, o = best_of(*(flask_run(a, method, headers) for a in (bare, theirs_app, ours_app)))
        rows.append((case, t - base, o - base))
    table("Flask", "flask-cors", rows)


if __name__ == "__main__":
    main()
