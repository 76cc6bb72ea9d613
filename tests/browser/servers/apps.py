"""The shared test application (tests/browser/lib/app.js) as ASGI and WSGI apps, served by
uvicorn + ``corsgate.asgi.CORSMiddleware`` or waitress + ``corsgate.wsgi.CORSMiddleware``.

    python servers/apps.py asgi|wsgi|django|flask <policy file> <port>

``django``: a Django project under uvicorn (ASGI) with ``corsgate.django.CorsMiddleware`` and
``CORSGATE_POLICY``; ``flask``: a Flask app under waitress with ``corsgate.flask.CORS(app,
policy=...)``.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

_STATUS = re.compile(r"/status/([1-5][0-9][0-9])$")
_REASONS = {200: "OK", 404: "Not Found", 500: "Internal Server Error"}


def _sid(cookie_header: str) -> str | None:
    for part in cookie_header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == "sid":
            return value
    return None


def respond(
    name: str, method: str, path: str, query: str, cookie_header: str
) -> tuple[int, list[tuple[str, str]], bytes]:
    """What the app answers: status, headers, body (lib/app.js does the same)."""
    if path.endswith("/cookie/set"):
        headers = [
            ("Content-Type", "text/plain"),
            ("Set-Cookie", f"sid={name}; Path=/; SameSite=Lax; HttpOnly"),
        ]
        return 200, headers, b"cookie set\n"
    match = _STATUS.search(path)
    cookie = _sid(cookie_header)
    headers = [
        ("Content-Type", "application/json"),
        ("X-Request-Id", "req-42"),
        ("X-Internal", "hidden"),
        ("X-Cookie", cookie or ""),
    ]
    if "appcors=1" in query.split("&"):
        headers.append(("Access-Control-Allow-Origin", "*"))
    body = json.dumps({"method": method, "path": path, "cookie": cookie}, separators=(",", ":"))
    return (
        int(match.group(1)) if match else 200,
        headers,
        b"" if method == "HEAD" else body.encode(),
    )


def asgi_app(name: str) -> Callable[..., Any]:
    """The app as ASGI 3."""

    async def app(
        scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]
    ) -> None:
        if scope["type"] != "http":
            return
        cookie = b"; ".join(v for k, v in scope["headers"] if k == b"cookie").decode("latin-1")
        status, headers, body = respond(
            name, scope["method"], scope["path"], scope["query_string"].decode("latin-1"), cookie
        )
        raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body})

    return app


def wsgi_app(name: str) -> Callable[[WSGIEnvironment, StartResponse], Iterable[bytes]]:
    """The app as WSGI."""

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        status, headers, body = respond(
            name,
            environ["REQUEST_METHOD"],
            environ.get("PATH_INFO", "/"),
            environ.get("QUERY_STRING", ""),
            environ.get("HTTP_COOKIE", ""),
        )
        start_response(f"{status} {_REASONS.get(status, 'Status')}", headers)
        return [body]

    return app


def django_app(policy: str) -> Any:
    """The app as a one-module Django project (ASGI), the middleware in strict mode."""
    import django
    from django.conf import settings
    from django.core.asgi import get_asgi_application
    from django.http import HttpRequest, HttpResponse
    from django.urls import re_path

    def view(request: HttpRequest) -> HttpResponse:
        status, headers, body = respond(
            "django",
            request.method or "GET",
            request.path,
            request.META.get("QUERY_STRING", ""),
            request.META.get("HTTP_COOKIE", ""),
        )
        response = HttpResponse(body, status=status)
        for name, value in headers:
            response[name] = value
        return response

    sys.modules[__name__].urlpatterns = [re_path(r"", view)]  # type: ignore[attr-defined]
    settings.configure(
        DEBUG=False,
        ALLOWED_HOSTS=["*"],
        SECRET_KEY="browser-tests",
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=["corsgate.django"],
        MIDDLEWARE=["corsgate.django.CorsMiddleware"],
        CORSGATE_POLICY=policy,
    )
    django.setup()
    return get_asgi_application()


def flask_app(policy: str) -> Any:
    """The app as Flask, with ``corsgate.flask.CORS(app, policy=...)``."""
    from flask import Flask, Response, request

    from corsgate.flask import CORS

    app = Flask("browser")
    methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "PURGE", "patch"]

    @app.route("/", defaults={"rest": ""}, methods=methods)
    @app.route("/<path:rest>", methods=methods)
    def anything(rest: str) -> Response:
        status, headers, body = respond(
            "flask",
            request.method,
            request.path,
            request.query_string.decode("latin-1"),
            request.headers.get("Cookie", ""),
        )
        return Response(body, status=status, headers=headers)

    CORS(app, policy=policy)
    return app


def main() -> None:
    """Serves the app with corsgate on 127.0.0.1."""
    kind, policy, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if kind == "asgi":
        import uvicorn

        from corsgate.asgi import CORSMiddleware as AsgiCors

        uvicorn.run(
            AsgiCors(asgi_app("asgi"), policy=policy),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            server_header=False,
            date_header=False,
        )
    elif kind == "wsgi":
        import waitress  # type: ignore[import-untyped]

        from corsgate.wsgi import CORSMiddleware as WsgiCors

        waitress.serve(WsgiCors(wsgi_app("wsgi"), policy), host="127.0.0.1", port=port, threads=4)
    elif kind == "django":
        import uvicorn

        uvicorn.run(
            django_app(policy),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            server_header=False,
            date_header=False,
        )
    elif kind == "flask":
        import waitress

        waitress.serve(flask_app(policy), host="127.0.0.1", port=port, threads=4)
    else:
        sys.exit(f"usage: {sys.argv[0]} asgi|wsgi|django|flask <policy file> <port>")


if __name__ == "__main__":
    main()
