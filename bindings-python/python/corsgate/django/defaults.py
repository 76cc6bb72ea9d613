"""The defaults of ``CORS_ALLOW_HEADERS`` and ``CORS_ALLOW_METHODS``, as
``corsheaders.defaults`` names them (``(*default_headers, "my-header")`` keeps working)."""

from __future__ import annotations

from .._corsgate import DJANGO_DEFAULT_HEADERS, DJANGO_DEFAULT_METHODS

__all__ = ["default_headers", "default_methods"]

default_headers: tuple[str, ...] = tuple(DJANGO_DEFAULT_HEADERS)
default_methods: tuple[str, ...] = tuple(DJANGO_DEFAULT_METHODS)
