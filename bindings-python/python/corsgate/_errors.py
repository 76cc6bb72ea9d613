"""Exceptions and warnings of corsgate (pure Python, so they pickle and subclass normally)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._corsgate import Diagnostic

__all__ = ["ConfigError", "SecurityWarning"]


class ConfigError(ValueError):
    """An invalid CORS policy. ``errors`` lists every problem (path, code, message, hint)."""

    errors: list[Diagnostic]
    warnings: list[Diagnostic]

    def __init__(
        self,
        message: str,
        errors: Sequence[Diagnostic] = (),
        warnings: Sequence[Diagnostic] = (),
    ) -> None:
        super().__init__(message)
        self.errors = list(errors)
        self.warnings = list(warnings)


class SecurityWarning(UserWarning):
    """A configuration that works but is risky (for example ``*`` with credentials)."""
