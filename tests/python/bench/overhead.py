"""Per-request overhead of corsgate.asgi.CORSMiddleware vs Starlette's CORSMiddleware.

Both wrap the same no-op inner application and are called directly (no server, no event
loop: the coroutine is stepped once, as nothing in it suspends). Overhead = time per request
minus the time of the bare inner application. Run: make bench-python
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import starlette
from starlette.middleware.cors import CORSMiddleware as StarletteCORS

import corsgate
from corsgate.asgi import CORSMiddleware

Message = MutableMapping[str, Any]

CONFIG: dict[str, Any] = {
    "allow_origins": [
        "https://app.example.com",
        "https://admin.example.com",
        "https://docs.example.com",
    ],
    "allow_methods": ["GET", "POST", "PUT", "DELETE"],
    "allow_headers": ["Content-Type", "Authorization", "X-Trace"],
    "allow_credentials": True,
    "expose_headers": ["X-Request-Id"],
}

ORIGIN = (b"origin", b"https://admin.example.com")
COMMON = [
    (b"host", b"api.example.com"),
    (b"user-agent", b"Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0"),
    (b"accept", b"*/*"),
    (b"accept-encoding", b"gzip, deflate, br"),
    (b"accept-language", b"en-GB,en;q=0.9"),
]
CASES: dict[str, tuple[str, list[tuple[bytes, bytes]]]] = {
    "preflight": (
        "OPTIONS",
        [
            *COMMON,
            ORIGIN,
            (b"access-control-request-method", b"PUT"),
            (b"access-control-request-headers", b"authorization,content-type"),
        ],
    ),
    "actual": ("GET", [*COMMON, ORIGIN, (b"cookie", b"session=abc")]),
    "no origin": ("GET", list(COMMON)),
}


async def noop_app(scope: Any, receive: Any, send: Callable[[Message], Awaitable[None]]) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"2")],
        }
    )
    await send({"type": "http.response.body", "body": b"{}"})


async def receive() -> Message:
    return {"type": "http.request", "body": b""}


async def send(message: Message) -> None:
    return None


def per_call_ns(app: Any, method: str, headers: list[tuple[bytes, bytes]], n: int) -> float:
    scopes = [
        {
            "type": "http",
            "method": method,
            "path": "/items",
            "raw_path": b"/items",
            "query_string": b"",
            "headers": list(headers),
        }
        for _ in range(n)
    ]
    start = time.perf_counter_ns()
    for scope in scopes:
        coro = app(scope, receive, send)
        try:  # noqa: SIM105 (cheaper than contextlib.suppress inside the timed loop)
            coro.send(None)
        except StopIteration:
            pass
    return (time.perf_counter_ns() - start) / n


def best(app: Any, method: str, headers: list[tuple[bytes, bytes]], n: int = 20000) -> float:
    per_call_ns(app, method, headers, 2000)  # warm up
    return min(per_call_ns(app, method, headers, n) for _ in range(7))


def main() -> None:
    theirs = StarletteCORS(noop_app, **CONFIG)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = CORSMiddleware(noop_app, **CONFIG)
    print(f"corsgate {corsgate.__version__}, starlette {starlette.__version__}")
    print(
        f"{'request':<10} {'starlette µs':>13} {'corsgate µs':>12} {'speed-up':>9}"
        "   (overhead over a no-op app)"
    )
    for name, (method, headers) in CASES.items():
        base = best(noop_app, method, headers)
        t = best(theirs, method, headers)
        o = best(ours, method, headers)
        # An answered preflight never reaches the app: its whole time is overhead.
        t_over = t if name == "preflight" else t - base
        o_over = o if name == "preflight" else o - base
        print(f"{name:<10} {t_over / 1000:>13.2f} {o_over / 1000:>12.2f} {t_over / o_over:>8.1f}x")


if __name__ == "__main__":
    main()
