"""A drop-in for django-cors-headers 4.x, answered by corsgate.

Replace ``"corsheaders.middleware.CorsMiddleware"`` with ``"corsgate.django.CorsMiddleware"`` in
``MIDDLEWARE`` and ``"corsheaders"`` with ``"corsgate.django"`` in ``INSTALLED_APPS``: the
``CORS_*`` settings keep their meaning and the answers are django-cors-headers' (the core's
``django`` profile decides them). ``CORSGATE_POLICY = BASE_DIR / "cors.toml"`` selects
corsgate's strict engine instead. ``manage.py check`` reports every invalid setting with its
name and a hint, and risky settings as warnings.
"""

from __future__ import annotations

from .middleware import CorsMiddleware

__all__ = ["CorsMiddleware"]
