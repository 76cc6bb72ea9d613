"""ASGI applications served by uvicorn in test_servers.py (selected by CORSGATE_MODE)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Response
from fastapi.middleware.cors import CORSMiddleware as StarletteCORSMiddleware
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route

from corsgate.asgi import CORSMiddleware

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "vectors"))
import responses

STARLETTE_ARGS: dict[str, Any] = {
    "allow_origins": ["https://app.example.com"],
    "allow_origin_regex": r"https://pr-[0-9]+\.preview\.example\.com",
    "allow_credentials": True,
    "allow_methods": ["GET", "POST", "PUT"],
    "allow_headers": ["X-Trace", "Content-Type"],
    "expose_headers": ["X-Request-Id"],
    "max_age": 300,
}


def fastapi_app(ours: bool) -> FastAPI:
    app = FastAPI()

    @app.get("/items")
    def items(response: Response) -> dict[str, bool]:
        response.headers["x-request-id"] = "7"
        response.headers["vary"] = "Accept-Encoding"
        return {"ok": True}

    @app.put("/items")
    def put_item() -> dict[str, str]:
        return {"put": "done"}

    @app.get("/boom")
    def boom() -> None:
        raise HTTPException(status_code=503, detail="down")

    app.add_middleware(CORSMiddleware if ours else StarletteCORSMiddleware, **STARLETTE_ARGS)
    return app


def strict_app() -> Starlette:
    async def hello(request: Request) -> PlainTextResponse:
        return PlainTextResponse("hello", headers={"x-request-id": "9"})

    return Starlette(
        routes=[Route("/items", hello, methods=["GET", "PUT"])],
        middleware=[Middleware(CORSMiddleware, policy=os.environ["CORSGATE_POLICY"])],
    )


def routes_app() -> Starlette:
    """`/admin` (a Mount) and everything else, each answering with the location's name."""

    def named(name: str) -> Any:
        async def handler(request: Request) -> PlainTextResponse:
            return PlainTextResponse(name)

        return handler

    admin = Starlette(routes=[Route("/{rest:path}", named("admin"))])
    return Starlette(
        routes=[Mount("/admin", admin), Route("/{rest:path}", named("top"))],
        middleware=[Middleware(CORSMiddleware, policy=os.environ["CORSGATE_POLICY"])],
    )


def bench_app(middleware: Any) -> Starlette:
    """A minimal app for throughput runs (bench/throughput.py)."""

    async def hello(request: Request) -> PlainTextResponse:
        return PlainTextResponse("hello")

    stack = [] if middleware is None else [Middleware(middleware, **STARLETTE_ARGS)]
    return Starlette(routes=[Route("/", hello, methods=["GET"])], middleware=stack)


def instructed_app() -> Any:
    """The response vectors' application: answers the `application` of the case whose index
    the request's X-Vector-Case gives (tests/vectors/responses.py), behind the strict
    middleware."""
    cases = responses.load_cases()

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        index = int(dict(scope["headers"])[b"x-vector-case"])
        answer = cases[index]["application"]
        body = answer["body"].encode("latin-1")
        headers = [(n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in answer["headers"]]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": answer["status"], "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return CORSMiddleware(app, policy=os.environ["CORSGATE_POLICY"])


def create() -> Any:
    mode = os.environ["CORSGATE_MODE"]
    if mode == "instructed":
        return instructed_app()
    if mode.startswith("bench-"):
        kind = mode.removeprefix("bench-")
        return bench_app({"ours": CORSMiddleware, "theirs": StarletteCORSMiddleware}.get(kind))
    if mode == "strict":
        return strict_app()
    if mode == "routes":
        return routes_app()
    return fastapi_app(ours=mode == "ours")
