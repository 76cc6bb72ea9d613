"""``corsgate.django.CorsMiddleware``: django-cors-headers' middleware, answered by the core.

Python does only what is Python's here: ``CORS_URLS_REGEX`` and ``CORS_ALLOWED_ORIGIN_REGEXES``
(Python ``re``), the ``check_request_enabled`` signal, and Django's request and response
objects. Which headers, with which values, is the core's ``django`` profile.
"""

from __future__ import annotations

import warnings
from collections.abc import Awaitable
from typing import Callable, Union

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import patch_vary_headers

from .._corsgate import DjangoPolicy, Pending
from .._errors import SecurityWarning
from ..wsgi import _path
from . import conf

__all__ = ["CorsMiddleware"]

GetResponse = Callable[[HttpRequest], Union[HttpResponseBase, Awaitable[HttpResponseBase]]]

_VARY_ORIGIN = ("origin",)


class CorsMiddleware:
    """CORS for Django, sync and async: django-cors-headers' settings and answers, or the
    strict engine with ``CORSGATE_POLICY``."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)
        state = conf.current()
        if state.errors:
            raise ImproperlyConfigured(
                "invalid CORS settings:\n"
                + "\n".join(
                    f"  {e.msg}" + (f" (hint: {e.hint})" if e.hint else "") for e in state.errors
                )
            )
        for warning in state.warnings:
            warnings.warn(str(warning.msg), SecurityWarning, stacklevel=2)

    def _state(self) -> conf.State:
        state = conf.current()
        if state.errors:
            raise ImproperlyConfigured("invalid CORS settings: run manage.py check")
        return state

    def _before(self, state: conf.State, request: HttpRequest) -> HttpResponseBase | None:
        """Decides whether CORS applies; the answer of a preflight answered here, or None."""
        if state.strict is not None:
            return None
        regex = state.urls_regex
        enabled = bool(regex is not None and regex.match(request.path_info)) or conf.check_signal(
            request
        )
        request._cors_enabled = enabled  # type: ignore[attr-defined]
        if not enabled:
            return None
        preflight = DjangoPolicy._preflight(request.method or "", request.META)
        if preflight is None:
            return None
        status, headers = preflight
        return HttpResponse(status=status, headers=dict(headers))

    def _after(self, state: conf.State, request: HttpRequest, response: HttpResponseBase) -> None:
        policy = state.policy
        if policy is None or not getattr(request, "_cors_enabled", False):
            return
        patch_vary_headers(response, _VARY_ORIGIN)
        for name, value in policy._headers(
            request.method or "", request.META, state.fallback, request
        ):
            response[name] = value

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if self.async_mode:
            return self.__acall__(request)
        state = self._state()
        if state.strict is not None:
            strict = _strict_before(state, request)
            if isinstance(strict, HttpResponseBase):
                return strict
            response = self.get_response(request)
            assert isinstance(response, HttpResponseBase)
            _strict_after(strict, response)
            return response
        answered = self._before(state, request)
        if answered is None:
            result = self.get_response(request)
            assert isinstance(result, HttpResponseBase)
            answered = result
        self._after(state, request, answered)
        return answered

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        state = self._state()
        if state.strict is not None:
            strict = _strict_before(state, request)
            if isinstance(strict, HttpResponseBase):
                return strict
            result = self.get_response(request)
            assert not isinstance(result, HttpResponseBase)
            response = await result
            _strict_after(strict, response)
            return response
        answered = self._before(state, request)
        if answered is None:
            result = self.get_response(request)
            assert not isinstance(result, HttpResponseBase)
            answered = await result
        self._after(state, request, answered)
        return answered


def _strict_before(state: conf.State, request: HttpRequest) -> HttpResponseBase | Pending | None:
    """The strict engine: a preflight's answer, the headers to merge later, or None."""
    assert state.strict is not None
    meta = request.META
    result = state.strict._wsgi(
        meta.get("REQUEST_METHOD", "GET"), meta, _path(meta), state.reporter.sink()
    )
    if not isinstance(result, tuple):
        return result
    status, answer = result
    response = HttpResponse(status=status)
    del response["Content-Type"]
    for name, value in answer:
        response[name] = value
    return response


def _strict_after(pending: Pending | None, response: HttpResponseBase) -> None:
    if pending is None:
        return
    for name, value in pending.wsgi_headers([]):
        if name == "Vary":
            patch_vary_headers(response, value.split(", "))
        else:
            response[name] = value
