"""The system check of the ``CORS_*`` / ``CORSGATE_POLICY`` settings (``manage.py check``)."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage

from . import conf


def check_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Every invalid setting as an error (name, problem, hint); risky ones as warnings."""
    state = conf.build()
    return [*state.errors, *state.check_errors, *state.warnings]
