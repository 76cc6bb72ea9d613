"""A PEP 3333 CORS middleware for Flask, Django and any WSGI application.

``CORSMiddleware(app, policy=...)`` answers preflights itself and adds the CORS headers to
every other response through a wrapped ``start_response`` (the ``exc_info`` path included). It
never reads or buffers the request or response body: the application's iterable is returned
as it is, so streaming and ``close()`` work unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from http import HTTPStatus
from typing import TYPE_CHECKING, Callable
from urllib.parse import quote

from ._corsgate import Policy, SharedPolicy
from ._load import PolicyLike, load_policy, policy_warnings, require_sync, warn_all
from ._report import OnDenied, Reporter

if TYPE_CHECKING:
    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["CORSMiddleware"]

_STATUS_CLASSES = {1: "Informational", 2: "Successful", 3: "Redirection", 4: "Client Error"}


def _status_line(status: int) -> str:
    """``204 No Content``: the registered reason phrase, else the name of the status's class
    (RFC 9110 section 15: ``209 Successful``), since ``preflight_status`` may be any 2xx and
    ``HTTPStatus(209)`` raises. Clients ignore the phrase; WSGI wants one."""
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} {_STATUS_CLASSES.get(status // 100, 'Server Error')}"


def _path(environ: WSGIEnvironment) -> str:
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if isinstance(raw, str) and raw.startswith("/"):
        return raw
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    return quote(path.encode("latin-1"), safe="/;=,~!$&'()*+:@-._") or "/"


class CORSMiddleware:
    """CORS for a WSGI application, with corsgate's strict semantics."""

    def __init__(
        self, app: WSGIApplication, policy: PolicyLike, *, on_denied: OnDenied | None = None
    ) -> None:
        self.app = app
        self._reporter = Reporter(on_denied)
        self._policy: Policy | SharedPolicy = require_sync(load_policy(policy), "corsgate.wsgi")
        warn_all(policy_warnings(self._policy), stacklevel=2)

    @property
    def policy(self) -> Policy | SharedPolicy:
        """The policy serving now."""
        return self._policy

    @policy.setter
    def policy(self, policy: PolicyLike) -> None:
        """Swaps the policy atomically: each request uses the policy it started with."""
        loaded = require_sync(load_policy(policy), "corsgate.wsgi")
        warn_all(policy_warnings(loaded), stacklevel=2)
        self._policy = loaded

    def stats(self) -> dict[str, object]:
        """The serving policy's counters (``Policy.stats``)."""
        return self._policy.stats()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        result = self._policy._wsgi(
            environ.get("REQUEST_METHOD", "GET"), environ, _path(environ), self._reporter.sink()
        )
        if isinstance(result, tuple):
            status, answer = result
            start_response(_status_line(status), answer)
            return []
        pending = result

        def start_with_cors(
            status: str,
            response_headers: list[tuple[str, str]],
            exc_info: OptExcInfo | None = None,
            /,
        ) -> Callable[[bytes], object]:
            merged = pending.wsgi_headers(response_headers)
            if exc_info is None:
                return start_response(status, merged)
            return start_response(status, merged, exc_info)

        return self.app(environ, start_with_cors)
