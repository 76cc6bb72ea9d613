"""Shared helpers of the Python suite: driving an ASGI app without an event loop."""

from __future__ import annotations

import socket
from collections.abc import Awaitable, MutableMapping
from typing import Any, Callable

Message = MutableMapping[str, Any]
ASGIApp = Callable[..., Awaitable[None]]


def run_asgi(app: ASGIApp, scope: dict[str, Any]) -> list[Message]:
    """Runs one request through `app` and returns the messages it sent.

    The middlewares under test and the inner apps never suspend, so the coroutine completes
    on its first step: no event loop is needed (and none is measured).
    """
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    coro = app(scope, receive, send)
    try:
        coro.send(None)
    except StopIteration:
        return sent
    coro.close()
    raise AssertionError("the ASGI app suspended")


def http_scope(method: str, headers: list[tuple[bytes, bytes]], path: str = "/") -> dict[str, Any]:
    """A minimal ASGI 3 HTTP scope."""
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": list(headers),
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
    }


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port
