"""Per-request cost of corsgate's origin checks in the ASGI middleware, beside Starlette's
origin list (the peer has no origin callable): corsgate's list, a sync `allow_origin`, an
`async def` one (awaited under `check_timeout`), and the async one with `cache_ttl`. Then the
cost of denial reports: denied requests with no listener (counted only), with a no-op
`on_denied` under the default rate limit, and with every denial reported (`report_rate=(0,
0)`), beside Starlette denying the same requests (it reports nothing).

Every request runs inside one asyncio event loop (an async check needs a running loop), over
a no-op application; the loop's own cost is in the baseline. Run: make bench-python
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from overhead import CASES, noop_app, receive, send
from starlette.middleware.cors import CORSMiddleware as StarletteCORS

from corsgate import Policy
from corsgate.asgi import CORSMiddleware

ORIGINS = {"https://app.example.com", "https://admin.example.com", "https://docs.example.com"}
KEYS: dict[str, Any] = {"methods": ["GET", "POST", "PUT", "DELETE"], "credentials": True}
KEYS["request_headers"] = ["content-type", "authorization", "x-trace"]


def sync_check(origin: str) -> bool:
    return origin in ORIGINS


async def async_check(origin: str) -> bool:
    return origin in ORIGINS


async def per_call_ns(app: Any, method: str, headers: list[tuple[bytes, bytes]], n: int) -> float:
    scopes = [
        {"type": "http", "method": method, "path": "/items", "raw_path": b"/items",
         "query_string": b"", "headers": list(headers)}
        for _ in range(n)
    ]  # fmt: skip
    start = time.perf_counter_ns()
    for scope in scopes:
        await app(scope, receive, send)
    return (time.perf_counter_ns() - start) / n


async def best(app: Any, method: str, headers: list[tuple[bytes, bytes]], n: int = 10000) -> float:
    await per_call_ns(app, method, headers, 1000)
    return min([await per_call_ns(app, method, headers, n) for _ in range(5)])


async def main() -> None:
    apps = {
        "starlette list": StarletteCORS(
            noop_app, allow_origins=sorted(ORIGINS), allow_credentials=True,
            allow_methods=KEYS["methods"], allow_headers=KEYS["request_headers"],
        ),
        "corsgate list": CORSMiddleware(noop_app, policy=Policy(origins=sorted(ORIGINS), **KEYS)),
        "sync check": CORSMiddleware(noop_app, policy=Policy(allow_origin=sync_check, **KEYS)),
        "async check": CORSMiddleware(noop_app, policy=Policy(allow_origin=async_check, **KEYS)),
        "async + cache": CORSMiddleware(
            noop_app, policy=Policy(allow_origin=async_check, cache_ttl=3600, **KEYS)
        ),
    }  # fmt: skip
    print("µs per request over a no-op app, inside a running asyncio loop")
    print(f"{'request':<10}" + "".join(f"{name:>16}" for name in apps))
    for case in ("preflight", "actual"):
        method, headers = CASES[case]
        base = await best(noop_app, method, headers)
        row = []
        for app in apps.values():
            t = await best(app, method, headers)
            row.append(t if case == "preflight" else t - base)
        print(f"{case:<10}" + "".join(f"{t / 1000:>16.2f}" for t in row))

    def hook(report: object) -> None:
        return None

    strict = {"origins": sorted(ORIGINS), **KEYS}
    denying = {
        "starlette": apps["starlette list"],
        "no listener": CORSMiddleware(noop_app, policy=Policy(**strict)),
        "hook, limited": CORSMiddleware(noop_app, policy=Policy(**strict), on_denied=hook),
        "hook, every": CORSMiddleware(
            noop_app, policy=Policy(report_rate=(0, 0), **strict), on_denied=hook
        ),
    }
    print("\ndenied requests (Origin: https://evil.example), µs over a no-op app")
    print(f"{'request':<10}" + "".join(f"{name:>16}" for name in denying))
    evil = (b"origin", b"https://evil.example")
    for case in ("preflight", "actual"):
        method, headers = CASES[case]
        headers = [evil if name == b"origin" else (name, v) for name, v in headers]
        base = await best(noop_app, method, headers)
        row = []
        for app in denying.values():
            t = await best(app, method, headers)
            row.append(t if case == "preflight" else t - base)
        print(f"{case:<10}" + "".join(f"{t / 1000:>16.2f}" for t in row))


if __name__ == "__main__":
    asyncio.run(main())
