"""Every shared request vector (tests/vectors/requests/) through corsgate.django with
``CORSGATE_POLICY`` and corsgate.flask with ``policy=``: the strict engine behind Django's and
Flask's own request and response objects. The response must carry exactly the expected CORS
headers, in order, and the expected Vary names; an answered preflight its status.

A vector whose request repeats a header line is skipped with its reason: WSGI (and Django's
META) carries one value per header name, which the server joins, so such a request cannot
reach these frameworks as written.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import django
from django.conf import settings

if not settings.configured:
    settings.configure(
        DEBUG=False, ALLOWED_HOSTS=["*"], INSTALLED_APPS=["corsgate.django"], ROOT_URLCONF=[]
    )
    django.setup()

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings
from flask import Flask
from werkzeug.test import EnvironBuilder

import corsgate.flask
from corsgate import Policy
from corsgate.django import CorsMiddleware

pytestmark = pytest.mark.filterwarnings("ignore::corsgate.SecurityWarning")

VECTORS = Path(__file__).resolve().parent.parent / "vectors" / "requests"
CASES = [
    (f"{file.stem}:{case['name']}", case)
    for file in sorted(VECTORS.glob("*.json"))
    for case in json.loads(file.read_text(encoding="utf-8"))["cases"]
]


def text(value: str | dict[str, Any]) -> str:
    if isinstance(value, dict):
        return value.get("prefix", "") + value["repeat"] * value["times"] + value.get("suffix", "")
    return value


def prepare(case: dict[str, Any]) -> tuple[Policy, str, str, list[tuple[str, str]]]:
    if "policy_toml" in case:
        policy = Policy.from_toml(case["policy_toml"])
    elif isinstance(case["policy"], dict):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            policy = Policy(**case["policy"])
    else:
        policy = Policy.from_json(json.dumps(case["policy"]))
    req = case["request"]
    headers = [(n, text(v)) for n, v in req["headers"]]
    names = [n.lower() for n, _ in headers]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        pytest.skip(
            f"repeats {', '.join(repeated)}: WSGI joins repeated header lines into one value"
        )
    return policy, req["method"], req.get("path", "/"), headers


def expected(case: dict[str, Any]) -> tuple[list[tuple[str, str]], list[str], int | None]:
    e = case["expect"]
    return [(n.lower(), v) for n, v in e["headers"]], e["vary"], e["status"]


def cors_of(items: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(n.lower(), v) for n, v in items if n.lower().startswith("access-control-")]


def vary_names(items: list[tuple[str, str]]) -> list[str]:
    return [
        name.strip()
        for n, v in items
        if n.lower() == "vary"
        for name in v.split(",")
        if name.strip() and name.strip().lower() != "accept"
    ]


def meta(method: str, path: str, headers: list[tuple[str, str]]) -> dict[str, str]:
    environ = {"HTTP_" + n.upper().replace("-", "_"): v for n, v in headers}
    # The raw request target and method, as a WSGI server passes them.
    environ["REQUEST_URI"] = path
    environ["REQUEST_METHOD"] = method
    return environ


def app_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("app", status=299, headers={"Vary": "Accept"})


@pytest.mark.parametrize(("name", "case"), CASES, ids=[n for n, _ in CASES])
def test_vector_through_django(name: str, case: dict[str, Any]) -> None:
    policy, method, path, headers = prepare(case)
    want, vary, status = expected(case)
    request = RequestFactory().generic(method, path.split("?")[0], **meta(method, path, headers))
    with override_settings(CORSGATE_POLICY=policy):
        response = CorsMiddleware(app_view)(request)
    assert isinstance(response, HttpResponse)
    assert response.status_code == (status if status is not None else 299)
    items = list(response.items())
    assert cors_of(items) == want
    assert vary_names(items) == vary


def flask_app(policy: Policy) -> Flask:
    app = Flask("vectors")

    @app.route("/", defaults={"rest": ""}, methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
    @app.route("/<path:rest>", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
    def anything(rest: str) -> tuple[str, int, dict[str, str]]:
        return "app", 299, {"Vary": "Accept"}

    corsgate.flask.CORS(app, policy=policy)
    return app


def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
    start_response.got = (int(status.split()[0]), headers)  # type: ignore[attr-defined]
    return None


@pytest.mark.parametrize(("name", "case"), CASES, ids=[n for n, _ in CASES])
def test_vector_through_flask(name: str, case: dict[str, Any]) -> None:
    policy, method, path, headers = prepare(case)
    want, vary, status = expected(case)
    environ = EnvironBuilder(path=path.split("?")[0] or "/", method=method).get_environ()
    environ.update(meta(method, path, headers))
    app = flask_app(policy)
    b"".join(app.wsgi_app(environ, start_response))
    got_status, items = start_response.got  # type: ignore[attr-defined]
    if status is not None:
        assert got_status == status
    assert cors_of(items) == want
    assert vary_names(items) == vary
