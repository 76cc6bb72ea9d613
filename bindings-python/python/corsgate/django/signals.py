"""``check_request_enabled``: as in django-cors-headers, a receiver returning a true value
enables CORS for a request that ``CORS_URLS_REGEX`` does not cover, or allows an origin that
no setting allows. Receivers get ``sender=None`` and ``request``."""

from __future__ import annotations

from django.dispatch import Signal

__all__ = ["check_request_enabled"]

check_request_enabled = Signal()
