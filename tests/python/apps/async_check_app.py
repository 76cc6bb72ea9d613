"""A Starlette app under uvicorn whose origin check is async: each check sends its origin to a
tenant "database" (an asyncio task reading a queue) and awaits the answer. The database
never answers for `https://slow.example`, so the check times out and the origin is denied.
Served by test_origin_checks.py; `/asked` lists the origins the database was asked about."""

from __future__ import annotations

import asyncio

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from corsgate import Policy
from corsgate.asgi import CORSMiddleware

TENANTS = {"https://a.tenant.example", "https://b.tenant.example"}
SLOW = "https://slow.example"


class TenantDatabase:
    """Answers lookups from a queue, in its own task (a stand-in for a database driver)."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[tuple[str, asyncio.Future[bool]]] | None = None
        self.task: asyncio.Task[None] | None = None
        self.asked: list[str] = []

    async def serve(self) -> None:
        assert self.queue is not None
        while True:
            origin, answer = await self.queue.get()
            self.asked.append(origin)
            await asyncio.sleep(0)  # the round trip
            if origin != SLOW:
                answer.set_result(origin in TENANTS)

    async def lookup(self, origin: str) -> bool:
        if self.task is None:
            self.queue = asyncio.Queue()
            self.task = asyncio.get_running_loop().create_task(self.serve())
        assert self.queue is not None
        answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        await self.queue.put((origin, answer))
        return await answer


def create() -> Starlette:
    db = TenantDatabase()

    async def items(request: Request) -> PlainTextResponse:
        return PlainTextResponse("items")

    async def asked(request: Request) -> JSONResponse:
        return JSONResponse(db.asked)

    policy = Policy(allow_origin=db.lookup, methods=["PUT"], check_timeout=0.5, cache_ttl=300)
    return Starlette(
        routes=[Route("/items", items, methods=["GET", "PUT"]), Route("/asked", asked)],
        middleware=[Middleware(CORSMiddleware, policy=policy)],
    )
