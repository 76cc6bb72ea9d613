"""Type stubs of the compiled extension ``corsgate._corsgate``."""

import os
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any, final

__version__: str

Headers = (
    Mapping[str, str]
    | Mapping[bytes, bytes]
    | Iterable[tuple[str, str]]
    | Iterable[tuple[bytes, bytes]]
    | Iterable[Sequence[bytes]]
)
"""A mapping, a list of ``(name, value)`` pairs (repeated names kept) or ASGI's raw list."""

@final
class Diagnostic:
    """One problem in a policy."""

    @property
    def path(self) -> str: ...
    @property
    def code(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def hint(self) -> str | None: ...

@final
class Reason:
    """Why a request was denied."""

    @property
    def code(self) -> str: ...
    @property
    def value(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def browser_reason(self) -> str: ...
    def browser_message(self, url: str, origin: str) -> str: ...

@final
class Decision:
    """What corsgate answers to one request."""

    @property
    def kind(self) -> str: ...
    @property
    def allowed(self) -> bool: ...
    @property
    def status(self) -> int | None: ...
    @property
    def headers(self) -> list[tuple[str, str]]: ...
    @property
    def vary(self) -> list[str]: ...
    @property
    def body(self) -> str: ...
    @property
    def reason(self) -> Reason | None: ...

@final
class Pending:
    """CORS headers a middleware still has to set on the application's response."""

    def merge(self, headers: Iterable[Sequence[bytes]]) -> list[tuple[bytes, bytes]]: ...
    def wsgi_headers(self, headers: list[tuple[str, str]]) -> list[tuple[str, str]]: ...

AsgiAnswer = tuple[int, list[tuple[bytes, bytes]], bytes]

@final
class OriginRequest:
    """What a request-aware check (``allow_request``) receives."""

    @property
    def method(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def origin(self) -> str: ...
    @property
    def headers(self) -> list[tuple[str, str]]: ...
    def header(self, name: str) -> str | None: ...

@final
class DenialReport:
    """One denied request, as the core reports it (every text escaped)."""

    @property
    def kind(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def value(self) -> str: ...
    @property
    def route(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def chromium_message(self) -> str: ...
    @property
    def firefox_message(self) -> str: ...
    @property
    def suppressed(self) -> int: ...
    def to_dict(self) -> dict[str, str | int]: ...

Sink = Callable[[DenialReport], None] | None

@final
class Awaiting:
    """An async origin check the ASGI middleware awaits, then finishes."""

    @property
    def awaitable(self) -> Awaitable[object]: ...
    @property
    def timeout(self) -> float: ...
    def finish(
        self,
        answer: object,
        method: str,
        headers: Iterable[Sequence[bytes]],
        path: bytes | str | None,
        timed_out: bool = False,
        sink: Sink = None,
    ) -> AsgiAnswer | Pending: ...

@final
class Policy:
    """A compiled CORS policy with corsgate's strict semantics."""

    def __init__(
        self,
        *,
        allow_origin: Callable[[str], bool] | Callable[[str], Awaitable[bool]] | None = None,
        allow_request: Callable[[OriginRequest], bool]
        | Callable[[OriginRequest], Awaitable[bool]]
        | None = None,
        check_timeout: float = 1.0,
        cache_ttl: float | None = None,
        cache_size: int = 1024,
        report_rate: tuple[int, int] = (10, 100),
        origins: Sequence[str] = ...,
        origin_regexes: Sequence[str] = ...,
        allow_null_origin: bool = ...,
        methods: Sequence[str] = ...,
        request_headers: Sequence[str] = ...,
        expose_headers: Sequence[str] = ...,
        credentials: bool = ...,
        max_age: int | None = ...,
        private_network: bool = ...,
        preflight_status: int = ...,
        preflight_continue: bool = ...,
        allow_insecure_origins: bool = ...,
        routes: Sequence[Mapping[str, Any]] = ...,
    ) -> None: ...
    @staticmethod
    def from_file(path: str | os.PathLike[str]) -> Policy: ...
    @staticmethod
    def from_json(text: str) -> Policy: ...
    @staticmethod
    def from_toml(text: str) -> Policy: ...
    @property
    def warnings(self) -> list[Diagnostic]: ...
    @property
    def is_async(self) -> bool: ...
    @property
    def cached_origins(self) -> int: ...
    def invalidate(self, origin: str | None = None) -> None: ...
    def evaluate(self, method: str, headers: Headers, path: str = "/") -> Decision: ...
    def stats(self) -> dict[str, Any]: ...
    def stats_text(self) -> str: ...
    def _asgi(
        self,
        method: str,
        headers: Iterable[Sequence[bytes]],
        path: bytes | str | None,
        sink: Sink = None,
    ) -> AsgiAnswer | Pending | Awaiting: ...
    def _wsgi(
        self, method: str, environ: Mapping[str, Any], path: str, sink: Sink = None
    ) -> tuple[int, list[tuple[str, str]]] | Pending: ...

@final
class SharedPolicy:
    """A policy handle whose policy can be swapped atomically while requests use it."""

    def __init__(self, policy: Policy) -> None: ...
    def load(self) -> Policy: ...
    def store(self, policy: Policy) -> None: ...
    def evaluate(self, method: str, headers: Headers, path: str = "/") -> Decision: ...
    def stats(self) -> dict[str, Any]: ...
    def stats_text(self) -> str: ...
    def _asgi(
        self,
        method: str,
        headers: Iterable[Sequence[bytes]],
        path: bytes | str | None,
        sink: Sink = None,
    ) -> AsgiAnswer | Pending | Awaiting: ...
    def _wsgi(
        self, method: str, environ: Mapping[str, Any], path: str, sink: Sink = None
    ) -> tuple[int, list[tuple[str, str]]] | Pending: ...

@final
class StarlettePolicy:
    """Starlette's ``CORSMiddleware`` configuration, answered by the core's starlette profile."""

    def __init__(
        self,
        allow_origins: Sequence[str] = ...,
        allow_methods: Sequence[str] = ...,
        allow_headers: Sequence[str] = ...,
        allow_credentials: bool = ...,
        allow_origin_regex: str | None = ...,
        allow_private_network: bool = ...,
        expose_headers: Sequence[str] = ...,
        max_age: int = ...,
    ) -> None: ...
    @property
    def warnings(self) -> list[Diagnostic]: ...
    def evaluate(self, method: str, headers: Headers, path: str = "/") -> Decision: ...
    def _asgi(self, method: str, headers: Iterable[Sequence[bytes]]) -> AsgiAnswer | Pending: ...

@final
class DjangoPolicy:
    """django-cors-headers' ``CORS_*`` settings, answered by the core's django profile."""

    def __init__(
        self,
        *,
        allowed_origins: Sequence[str] = ...,
        origin_regexes: Sequence[str] = ...,
        allow_all_origins: bool = ...,
        allow_credentials: bool = ...,
        allow_methods: Sequence[str] = ...,
        allow_headers: Sequence[str] = ...,
        expose_headers: Sequence[str] = ...,
        preflight_max_age: int = ...,
        allow_private_network: bool = ...,
    ) -> None: ...
    @property
    def warnings(self) -> list[Diagnostic]: ...
    @property
    def check_errors(self) -> list[Diagnostic]: ...
    @staticmethod
    def _preflight(
        method: str, meta: Mapping[str, object]
    ) -> tuple[int, list[tuple[str, str]]] | None: ...
    def _headers(
        self,
        method: str,
        meta: Mapping[str, object],
        fallback: Callable[[Any, str], bool],
        request: Any,
    ) -> list[tuple[str, str]]: ...

DJANGO_DEFAULT_HEADERS: list[str]
DJANGO_DEFAULT_METHODS: list[str]

@final
class FlaskPolicy:
    """One flask-cors resource's options, answered by the core's flask profile."""

    def __init__(
        self,
        *,
        origins: list[Any],
        allow_headers: list[Any],
        methods: str | Iterable[object] | None,
        expose_headers: str | Iterable[object] | None,
        max_age: str | None,
        supports_credentials: bool,
        send_wildcard: bool,
        vary_header: bool,
        always_send: bool,
        allow_private_network: bool,
        origins_default: bool,
    ) -> None: ...
    @property
    def warnings(self) -> list[Diagnostic]: ...
    def _headers(self, method: str, environ: Mapping[str, object]) -> list[tuple[str, str]]: ...

def _flask_resource_order(keys: list[tuple[str, bool]]) -> list[int]: ...

FLASK_ALLOW_ORIGIN: str

def browser_check(input: str) -> str: ...
