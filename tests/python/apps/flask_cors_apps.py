"""A Flask app with flask-cors (CORSGATE_MODE=theirs) or corsgate.flask (ours), for
test_servers.py under waitress."""

from __future__ import annotations

import os
import warnings

from flask import Flask, Response, abort, jsonify

OPTIONS = {
    "resources": {
        r"/api/*": {
            "origins": ["https://app.example.com", r"https://pr-\d+\.preview\.example\.com$"]
        }
    },
    "supports_credentials": True,
    "expose_headers": ["X-Request-Id"],
    "max_age": 300,
}


def create() -> Flask:
    if os.environ.get("CORSGATE_MODE") == "theirs":
        from flask_cors import CORS, cross_origin
    else:
        from corsgate.flask import CORS, cross_origin
    app = Flask(__name__)

    @app.route("/api/items", methods=["GET", "PUT"])
    def items() -> Response:
        response = jsonify(ok=True)
        response.headers["X-Request-Id"] = "7"
        response.headers["Vary"] = "Accept-Encoding"
        return response

    @app.get("/api/teapot")
    def teapot() -> Response:
        abort(418)

    @app.get("/public")
    @cross_origin(origins="*", max_age=60)
    def public() -> str:
        return "public"

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        CORS(app, **OPTIONS)
    return app
