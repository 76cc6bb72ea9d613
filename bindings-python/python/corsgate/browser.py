"""The browser-side checker: what a browser does with a page's ``fetch()`` and the server's answers.

``check`` runs the Fetch standard's checks in Chromium's order (the same code as
``corsgate explain``) and returns the outcome as a dict: ``verdict`` (``allowed``, ``blocked``,
``blocked_by_standard_only``, ``incomplete``), ``preflight_request``, ``preflight``,
``response``, ``blocked`` and ``blocked_in_chrome`` (``{kind, value, message, fix}``: Chromium's
error kind and its exact console message), ``missing``, ``notes``, ``browser`` (the chosen
browser's ``{name, verdict, verified, preflight_request, error: {kind, value, message, console,
fix, docs}, warnings, cache_seconds}``; ``browser="firefox"`` gives Firefox's reason names and
console lines, ``"webkit"`` Safari's from documented behaviour, not verified) and ``browsers``
(every browser's). See docs/cli.md ("corsgate explain", JSON output) for every field.

>>> from corsgate import browser
>>> out = browser.check("https://app.example", "https://api.example/x", credentials="include",
...                     response=browser.Response(200, [("Access-Control-Allow-Origin", "*")]))
>>> out["verdict"], out["blocked"]["kind"]
('blocked', 'WildcardOriginNotAllowed')
>>> browser.check("https://app.example", "https://api.example/x", credentials="include",
...               response=browser.Response(200, [("Access-Control-Allow-Origin", "*")]),
...               browser="firefox")["browser"]["error"]["kind"]
'CORSNotSupportingCredentials'
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ._corsgate import browser_check

__all__ = ["Browser", "RequestError", "Response", "check"]

Browser = Literal["chromium", "firefox", "webkit"]
"""The browsers the checker answers for (``webkit``: Safari, not verified in a real browser)."""


@dataclass(frozen=True)
class Response:
    """A server's answer as the browser receives it: the status and the header lines."""

    status: int
    headers: Sequence[tuple[str, str]] = field(default_factory=tuple)


class RequestError(ValueError):
    """The request cannot be checked: ``fetch()`` would throw before sending anything (``kind``:
    ``forbidden_method``, ``invalid_header_name``, …), or the arguments are invalid
    (``invalid_input``)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def _response(r: Response | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {"status": r.status, "headers": [[n, v] for n, v in r.headers]}


def check(
    origin: str,
    url: str,
    *,
    method: str = "GET",
    headers: Sequence[tuple[str, str]] = (),
    credentials: Literal["omit", "same-origin", "include"] = "same-origin",
    mode: Literal["cors", "no-cors"] = "cors",
    preflight: Response | None = None,
    response: Response | None = None,
    browser: Browser = "chromium",
) -> dict[str, Any]:
    """Checks ``fetch(url, {method, headers, credentials, mode})`` from a page of ``origin``
    against the server's ``preflight`` answer (used when a preflight is needed) and
    ``response``, answering for ``browser`` under the outcome's ``"browser"`` key. Raises
    ``RequestError`` when ``fetch()`` would throw."""
    document = {
        "request": {
            "origin": origin,
            "url": url,
            "method": method,
            "headers": [[n, v] for n, v in headers],
            "credentials": credentials,
            "mode": mode,
        },
        "preflight": _response(preflight),
        "response": _response(response),
        "browser": browser,
    }
    outcome: dict[str, Any] = json.loads(browser_check(json.dumps(document)))
    error = outcome.get("error")
    if isinstance(error, dict):
        raise RequestError(str(error["kind"]), str(error["message"]))
    return outcome
