"""A pure ASGI 3 CORS middleware: Starlette's ``CORSMiddleware``, answered by corsgate.

Replace ``from starlette.middleware.cors import CORSMiddleware`` with
``from corsgate.asgi import CORSMiddleware``: the parameters, their defaults and the answers
(status, body text, headers and their order, ``Vary``) are Starlette's, decided by the core's
``starlette`` profile. Pass ``policy=`` (a ``corsgate.Policy``, a ``corsgate.SharedPolicy`` or a
policy file path) instead for corsgate's strict semantics. Works under asyncio and trio alike
(it awaits nothing but the application, ``send`` and an ``async def`` origin check, which it
bounds by the policy's ``check_timeout``: a check that has not answered by then denies).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable, MutableMapping
from typing import Any, Callable, Union

from ._corsgate import Awaiting, Pending, Policy, SharedPolicy, StarlettePolicy
from ._load import PolicyLike, load_policy, policy_warnings, warn_all
from ._report import OnDenied, Reporter

__all__ = ["ALL_METHODS", "CORSMiddleware"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

ALL_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "QUERY")
"""What ``allow_methods=["*"]`` stands for, as in Starlette."""

_Engine = Union[StarlettePolicy, Policy, SharedPolicy]


def _strings(value: Iterable[str]) -> list[str]:
    # A lone string is one entry (Starlette would test substrings of it).
    return [value] if isinstance(value, str) else list(value)


class CORSMiddleware:
    """CORS for an ASGI application, with Starlette's parameters and answers.

    Usable as ``Middleware(CORSMiddleware, ...)`` and ``app.add_middleware(CORSMiddleware,
    ...)``. Risky configurations keep Starlette's behaviour and emit
    ``corsgate.SecurityWarning`` once, here. Non-HTTP scopes pass through untouched.
    """

    def __init__(
        self,
        app: ASGIApp,
        allow_origins: Iterable[str] = (),
        allow_methods: Iterable[str] = ("GET",),
        allow_headers: Iterable[str] = (),
        allow_credentials: bool = False,
        allow_origin_regex: str | None = None,
        allow_private_network: bool = False,
        expose_headers: Iterable[str] = (),
        max_age: int = 600,
        *,
        policy: PolicyLike | None = None,
        on_denied: OnDenied | None = None,
    ) -> None:
        self.app = app
        self._reporter = Reporter(on_denied)
        self._engine: _Engine
        if policy is not None:
            starlette_args = (
                _strings(allow_origins),
                _strings(allow_methods),
                _strings(allow_headers),
                bool(allow_credentials),
                allow_origin_regex,
                bool(allow_private_network),
                _strings(expose_headers),
                max_age,
            )
            if starlette_args != ([], ["GET"], [], False, None, False, [], 600):
                raise TypeError("policy= replaces Starlette's parameters: pass one or the other")
            self._engine = load_policy(policy)
        elif on_denied is not None:
            raise TypeError(
                "on_denied: reports come from the strict engine (fix: pass policy=, a "
                "corsgate.Policy, with on_denied=)"
            )
        if policy is None:
            self._engine = StarlettePolicy(
                allow_origins=_strings(allow_origins),
                allow_methods=_strings(allow_methods),
                allow_headers=_strings(allow_headers),
                allow_credentials=bool(allow_credentials),
                allow_origin_regex=allow_origin_regex,
                allow_private_network=bool(allow_private_network),
                expose_headers=_strings(expose_headers),
                max_age=max_age,
            )
        warn_all(policy_warnings(self._engine), stacklevel=2)

    @property
    def policy(self) -> _Engine:
        """The policy serving now (a ``StarlettePolicy`` unless ``policy=`` was given)."""
        return self._engine

    @policy.setter
    def policy(self, policy: StarlettePolicy | PolicyLike) -> None:
        """Swaps the policy atomically: each request uses the policy it started with."""
        engine: _Engine = policy if isinstance(policy, StarlettePolicy) else load_policy(policy)
        warn_all(policy_warnings(engine), stacklevel=2)
        self._engine = engine

    def stats(self) -> dict[str, object]:
        """The serving policy's counters (``Policy.stats``); ``policy=`` only."""
        if isinstance(self._engine, StarlettePolicy):
            raise TypeError("stats() counts the strict engine's decisions: pass policy=")
        return self._engine.stats()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        engine = self._engine
        result: tuple[int, list[tuple[bytes, bytes]], bytes] | Pending | Awaiting
        if isinstance(engine, StarlettePolicy):
            result = engine._asgi(scope["method"], scope["headers"])
        else:
            path = scope.get("raw_path") or scope.get("path")
            sink = self._reporter.sink()
            result = engine._asgi(scope["method"], scope["headers"], path, sink)
            if type(result) is Awaiting:
                answer, timed_out = await _bounded(result.awaitable, result.timeout)
                result = result.finish(
                    answer, scope["method"], scope["headers"], path, timed_out, sink
                )
        if isinstance(result, tuple):
            status, headers, body = result
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        assert isinstance(result, Pending)
        await self.app(scope, receive, _CorsSend(send, result))


async def _bounded(awaitable: Awaitable[object], timeout: float) -> tuple[object, bool]:
    """What ``awaitable`` returns, and whether ``timeout`` seconds passed first (then it is
    cancelled). asyncio, else trio: the event loops ASGI servers run."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        import trio

        with trio.move_on_after(timeout) as scope:
            return await awaitable, False
        assert scope.cancelled_caught
        return None, True
    try:
        if _asyncio_timeout is None:  # Python < 3.11: a task per check
            return await asyncio.wait_for(awaitable, timeout), False
        async with _asyncio_timeout(timeout):  # a timer, no task
            return await awaitable, False
    except asyncio.TimeoutError:
        return None, True


_asyncio_timeout = getattr(asyncio, "timeout", None)


class _CorsSend:
    """``send`` with the CORS headers merged into ``http.response.start``."""

    __slots__ = ("merge", "send")

    def __init__(self, send: Send, pending: Pending) -> None:
        self.send = send
        self.merge = pending.merge

    def __call__(self, message: Message) -> Awaitable[None]:
        if message["type"] == "http.response.start":
            message["headers"] = self.merge(message.get("headers", ()))
        return self.send(message)
