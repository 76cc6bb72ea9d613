"""The shared test application (tests/browser/lib/app.js) as ASGI and WSGI apps, served by
uvicorn + ``corsgate.asgi.CORSMiddleware`` or waitress + ``corsgate.wsgi.CORSMiddleware``.

    python servers/apps.py asgi|wsgi <policy file> <port>
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
    else:
        sys.exit(f"usage: {sys.argv[0]} asgi|wsgi <policy file> <port>")


if __name__ == "__main__":
    main()
