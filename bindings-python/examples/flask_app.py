"""Flask behind corsgate's WSGI middleware (any WSGI server: waitress, gunicorn, uWSGI).

Run: waitress-serve --listen=127.0.0.1:8000 flask_app:app
"""

from __future__ import annotations

from flask import Flask, jsonify
from flask.typing import ResponseReturnValue

from corsgate import Policy
from corsgate.wsgi import CORSMiddleware

app = Flask(__name__)


@app.get("/items")
def items() -> ResponseReturnValue:
    return jsonify(["a", "b"])


policy = Policy(
    origins=["https://app.example.com", "https://*.preview.example.com"],
    methods=["PUT", "DELETE"],
    request_headers=["content-type", "authorization"],
    credentials=True,
    max_age=600,
)
app.wsgi_app = CORSMiddleware(app.wsgi_app, policy=policy)  # type: ignore[method-assign]
