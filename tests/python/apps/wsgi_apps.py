"""A Flask application behind corsgate.wsgi, served by waitress in test_servers.py."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify

from corsgate import Policy
from corsgate.wsgi import CORSMiddleware

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "vectors"))
import responses


def create() -> Flask:
    app = Flask(__name__)

    @app.get("/items")
    def items() -> Response:
        response = jsonify(ok=True)
        response.headers["X-Request-Id"] = "7"
        response.headers["Vary"] = "Accept-Encoding"
        return response

    @app.put("/items")
    def put_item() -> Response:
        return jsonify(put="done")

    @app.get("/boom")
    def boom() -> Response:
        raise RuntimeError("boom")

    @app.get("/stream")
    def stream() -> Response:
        return Response((c for c in [b"a", b"b", b"c"]), mimetype="text/plain")

    policy = Policy.from_file(os.environ["CORSGATE_POLICY"])
    app.wsgi_app = CORSMiddleware(app.wsgi_app, policy=policy)  # type: ignore[method-assign]
    return app


def instructed() -> Any:
    """The response vectors' application as plain WSGI: answers the `application` of the case
    whose index the request's X-Vector-Case gives (tests/vectors/responses.py), behind
    corsgate.wsgi."""
    cases = responses.load_cases()

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        answer = cases[int(environ["HTTP_X_VECTOR_CASE"])]["application"]
        body = answer["body"].encode("latin-1")
        headers = [(n, v) for n, v in answer["headers"]] + [("Content-Length", str(len(body)))]
        start_response(f"{answer['status']} X", headers)
        return [body]

    return CORSMiddleware(app, policy=Policy.from_file(os.environ["CORSGATE_POLICY"]))


def create_routes() -> Flask:
    """`/admin/...` and everything else, each answering with the location's name."""
    app = Flask(__name__)

    @app.get("/admin/")
    @app.get("/admin/<path:rest>")
    def admin(rest: str = "") -> str:
        return "admin"

    @app.get("/")
    @app.get("/<path:rest>")
    def top(rest: str = "") -> str:
        return "top"

    policy = Policy.from_file(os.environ["CORSGATE_POLICY"])
    app.wsgi_app = CORSMiddleware(app.wsgi_app, policy=policy)  # type: ignore[method-assign]
    return app
