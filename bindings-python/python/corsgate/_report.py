"""Denial reports to the ``corsgate`` logger and an ``on_denied`` hook.

Reports are logged at ``INFO`` (off under logging's default ``WARNING`` level) with the
report's fields as structured ``extra`` attributes, ``cors_*`` (``cors_kind``,
``cors_reason``, ``cors_value``, ``cors_route``, ``cors_path``, ``cors_message``,
``cors_chromium``, ``cors_firefox``, ``cors_suppressed``) and the report itself as
``corsgate_report``. With neither a hook nor an enabled logger, the core only counts.
"""

from __future__ import annotations

import logging
from typing import Callable, Optional

from ._corsgate import DenialReport

LOG = logging.getLogger("corsgate")

OnDenied = Callable[[DenialReport], object]
Sink = Optional[Callable[[DenialReport], None]]


def log_extra(report: DenialReport) -> dict[str, object]:
    """The ``extra`` fields of a report's log record."""
    return {
        "cors_kind": report.kind,
        "cors_reason": report.reason,
        "cors_value": report.value,
        "cors_route": report.route,
        "cors_path": report.path,
        "cors_message": report.message,
        "cors_chromium": report.chromium_message,
        "cors_firefox": report.firefox_message,
        "cors_suppressed": report.suppressed,
        "corsgate_report": report,
    }


class Reporter:
    """Where a middleware's denial reports go: the logger, then ``on_denied``."""

    __slots__ = ("on_denied",)

    def __init__(self, on_denied: OnDenied | None) -> None:
        if on_denied is not None and not callable(on_denied):
            raise TypeError(
                f"on_denied: expected a callable taking a corsgate.DenialReport, not "
                f"{type(on_denied).__name__} (fix: on_denied=lambda report: ...)"
            )
        self.on_denied = on_denied

    def sink(self) -> Sink:
        """The sink for this request, or ``None`` when nobody listens (the core only counts)."""
        if self.on_denied is not None or LOG.isEnabledFor(logging.INFO):
            return self.report
        return None

    def report(self, report: DenialReport) -> None:
        if LOG.isEnabledFor(logging.INFO):
            LOG.info("%s", report, extra=log_extra(report))
        if self.on_denied is not None:
            try:
                self.on_denied(report)
            except Exception:  # a broken hook must not break the response
                LOG.exception("corsgate: on_denied raised")
