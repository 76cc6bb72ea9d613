"""Compatibility matrix: corsgate.flask against flask-cors 6.x.

For every generated set of options, one Flask app uses ``flask_cors.CORS`` (or
``@flask_cors.cross_origin``) and a twin app ``corsgate.flask.CORS`` (or
``@corsgate.flask.cross_origin``); every request must get the same status, headers (names,
values, order, repeats) and body. The expected answers come from the real flask-cors
installed from PyPI.
"""

from __future__ import annotations

import itertools
import re
import warnings
from datetime import timedelta
from typing import Any

import flask_cors
import pytest
from flask import Flask, Response, abort

import corsgate.flask
from corsgate import ConfigError, SecurityWarning

A = "https://a.example"
B = "http://b.example:8080"
EVIL = "https://evil.example"
SUB = "https://api.example.com"
LOOKALIKE = "https://api.example.com.evil.example"

ORIGINS: list[dict[str, Any]] = [
    {},
    {"origins": A},
    {"origins": [A, B]},
    {"origins": ["https://A.example", r"https://.*\.example\.com"]},
    {"origins": [re.compile(r"http://b\.example:\d+$")]},
    {"origins": "*", "send_wildcard": True},
]
CREDS: list[dict[str, Any]] = [{}, {"supports_credentials": True}]
HEADERS: list[dict[str, Any]] = [
    {},
    {"allow_headers": ["Content-Type", "X-Custom"], "methods": "GET, put"},
    {"allow_headers": r"x-.*", "methods": ["post", "GET"], "expose_headers": ["X-B", "X-A"]},
]
EXTRA: list[dict[str, Any]] = [
    {},
    {"max_age": 600, "vary_header": False},
    {"max_age": timedelta(minutes=2), "always_send": False, "allow_private_network": True},
]
RESOURCES: list[dict[str, Any]] = [{}, {"resources": r"/api/*"}]

CONFIGS = [
    {k: v for part in combo for k, v in part.items()}
    for combo in itertools.product(ORIGINS, CREDS, HEADERS, EXTRA, RESOURCES)
]
# The one combination flask-cors refuses (tested below).
CONFIGS = [c for c in CONFIGS if not (c.get("send_wildcard") and c.get("supports_credentials"))]

PNA = {"Access-Control-Request-Private-Network": "true"}


def pre(
    origin: str | None, method: str = "PUT", path: str = "/api/items", **extra: str
) -> tuple[str, str, dict[str, str]]:
    headers = {"Access-Control-Request-Method": method, **extra}
    if origin is not None:
        headers["Origin"] = origin
    return "OPTIONS", path, headers


REQUESTS: list[tuple[str, str, dict[str, str]]] = [
    ("GET", "/api/items", {}),
    ("GET", "/api/items", {"Origin": A}),
    ("GET", "/apiary", {"Origin": A}),
    ("GET", "/other", {"Origin": A}),
    ("GET", "/api/items", {"Origin": "HTTPS://A.EXAMPLE"}),
    ("GET", "/api/items", {"Origin": B}),
    ("GET", "/api/items", {"Origin": EVIL}),
    ("GET", "/api/items", {"Origin": SUB}),
    ("GET", "/api/items", {"Origin": LOOKALIKE}),
    ("GET", "/api/items", {"Origin": "null"}),
    ("GET", "/api/items", {"Origin": ""}),
    ("GET", "/api/items", {"Origin": A, **PNA}),
    ("GET", "/api/missing", {"Origin": A}),
    ("GET", "/api/error", {"Origin": A}),
    ("POST", "/api/items", {"Origin": A, "Content-Type": "application/json"}),
    ("OPTIONS", "/api/items", {"Origin": A}),
    pre(A),
    pre(A, "put"),
    pre(A, "T, P"),
    pre(A, "", **{"Access-Control-Request-Headers": "x-custom"}),
    pre(A, "POST", **{"Access-Control-Request-Headers": "X-Custom, content-type, ,x-b"}),
    pre(A, "GET", **{"Access-Control-Request-Headers": "authorization"}),
    pre(None),
    pre(EVIL, **PNA),
    pre(SUB, **PNA),
    pre(B, "DELETE", path="/other"),
    pre(A, path="/api/missing"),
]


def make_app(cors: Any, config: dict[str, Any]) -> Flask:
    app = Flask("compat")

    @app.route("/api/items", methods=["GET", "POST", "PUT"])
    def items() -> Response:
        return Response("items", headers={"Vary": "Accept"})

    @app.route("/api/error")
    def error() -> Response:
        abort(418)

    @app.route("/apiary")
    @app.route("/other")
    def other() -> str:
        return "other"

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cors.CORS(app, **config)
    return app


Answer = tuple[int, list[tuple[str, str]], bytes]


def call(app: Flask, req: tuple[str, str, dict[str, str]]) -> Answer:
    method, path, headers = req
    r = app.test_client().open(path, method=method, headers=headers)
    return r.status_code, list(r.headers.items()), r.get_data()


@pytest.mark.parametrize("index", range(0, len(CONFIGS), 40))
def test_options_matrix_matches_flask_cors(index: int) -> None:
    """40 option sets per case (180 in all) x 27 requests."""
    for config in CONFIGS[index : index + 40]:
        peer = make_app(flask_cors, config)
        ours = make_app(corsgate.flask, config)
        for req in REQUESTS:
            assert call(ours, req) == call(peer, req), (config, req)


def test_matrix_covers_every_option() -> None:
    assert len(CONFIGS) == 198
    keys = {k for c in CONFIGS for k in c}
    assert keys == {
        "origins",
        "send_wildcard",
        "supports_credentials",
        "allow_headers",
        "methods",
        "expose_headers",
        "max_age",
        "vary_header",
        "always_send",
        "allow_private_network",
        "resources",
    }


def decorated_app(cors: Any, options: dict[str, Any], config: dict[str, Any]) -> Flask:
    app = Flask("decorated")
    app.config.update(config)

    @app.route("/api/items", methods=["GET", "PUT"])
    @cors.cross_origin(**options)
    def items() -> str:
        return "items"

    return app


@pytest.mark.parametrize(
    ("options", "config"),
    [
        ({}, {}),
        ({"origins": [A], "supports_credentials": True, "max_age": 60}, {}),
        ({"automatic_options": False}, {"CORS_ORIGINS": [B], "CORS_EXPOSE_HEADERS": "X-Id"}),
        ({"methods": ["GET"]}, {"CORS_ALLOW_HEADERS": ["x-custom"], "CORS_ALWAYS_SEND": False}),
    ],
)
def test_cross_origin_decorator_matches_flask_cors(
    options: dict[str, Any], config: dict[str, Any]
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer = decorated_app(flask_cors, options, config)
        ours = decorated_app(corsgate.flask, options, config)
    for req in REQUESTS:
        assert call(ours, req) == call(peer, req), req


def test_per_resource_options_and_app_config_merge_like_flask_cors() -> None:
    resources = {
        r"/api/*": {"origins": [A], "max_age": 30},
        "/other": {"origins": "*", "send_wildcard": True},
        r"/api/items": {"origins": [B]},
    }
    apps = []
    for cors in (flask_cors, corsgate.flask):
        app = make_app(cors, {"resources": resources, "expose_headers": "X-Top"})
        apps.append(app)
    for req in REQUESTS:
        assert call(apps[1], req) == call(apps[0], req), req
    for cors_module in (flask_cors, corsgate.flask):
        app = Flask("config")
        app.config.update(
            CORS_ORIGINS=[A], CORS_SUPPORTS_CREDENTIALS=True, CORS_RESOURCES=r"/api/*"
        )

        @app.route("/api/items")
        def items() -> str:
            return "items"

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ext = cors_module.CORS()
            ext.init_app(app, max_age=5)
        apps.append(app)
    for req in REQUESTS:
        assert call(apps[3], req) == call(apps[2], req), req


def test_credentials_with_send_wildcard_is_refused_like_flask_cors() -> None:
    options = {"origins": "*", "supports_credentials": True, "send_wildcard": True}
    with pytest.raises(ValueError, match="supports_credentials"):
        flask_cors.CORS(Flask("x"), **options)
    with pytest.raises(ConfigError):
        corsgate.flask.CORS(Flask("y"), **options)


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ({}, "default_origins_any"),
        ({"supports_credentials": True}, "wildcard_origin_with_credentials"),
        ({"origins": ["https://*.example.com"]}, "origin_glob_is_regex"),
        ({"origins": [r"https://app\.example\.com"]}, "regex_unanchored"),
        ({"origins": [A], "allow_private_network": True}, "private_network_enabled"),
    ],
)
def test_unsafe_flask_cors_behaviour_warns(options: dict[str, Any], code: str) -> None:
    with pytest.warns(SecurityWarning, match=code):
        corsgate.flask.CORS(Flask("w"), **options)


def test_strict_policy_answers_preflights_before_flask(tmp_path: Any) -> None:
    from corsgate import Policy

    app = Flask("strict")

    @app.route("/api/items")
    def items() -> str:
        return "items"

    corsgate.flask.CORS(app, policy=Policy(origins=[A], methods=["GET", "PUT"]))
    client = app.test_client()
    r = client.options("/api/items", headers={"Origin": A, "Access-Control-Request-Method": "PUT"})
    assert r.status_code == 204
    assert r.headers["Access-Control-Allow-Origin"] == A
    r = client.options(
        "/api/items", headers={"Origin": EVIL, "Access-Control-Request-Method": "PUT"}
    )
    assert r.status_code == 403
    assert "Access-Control-Allow-Origin" not in r.headers
    r = client.get("/api/items", headers={"Origin": A})
    assert r.headers["Access-Control-Allow-Origin"] == A
    assert r.headers["Vary"] == "Origin"


def test_strict_policy_with_a_sync_origin_check_and_an_async_one_refused() -> None:
    from corsgate import Policy

    app = Flask("checked")

    @app.route("/items")
    def items() -> str:
        return "items"

    corsgate.flask.CORS(app, policy=Policy(allow_origin=lambda origin: origin == A))
    client = app.test_client()
    assert client.get("/items", headers={"Origin": A}).headers["Access-Control-Allow-Origin"] == A
    assert (
        "Access-Control-Allow-Origin" not in client.get("/items", headers={"Origin": EVIL}).headers
    )

    async def lookup(origin: str) -> bool:
        return True

    with pytest.raises(TypeError, match="cannot await"):
        corsgate.flask.CORS(Flask("async"), policy=Policy(allow_origin=lookup))
