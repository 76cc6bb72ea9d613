"""A Flask application behind corsgate.wsgi, served by waitress in test_servers.py."""

from __future__ import annotations

import os

from flask import Flask, Response, jsonify

from corsgate import Policy
from corsgate.wsgi import CORSMiddleware


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
