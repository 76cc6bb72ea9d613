"""The ``CORS_*`` settings read as django-cors-headers reads them, compiled once.

The compiled state is rebuilt when a ``CORS_*`` or ``CORSGATE_*`` setting changes through
Django's ``setting_changed`` signal (``override_settings`` in tests), so settings keep being
"read per request" as far as any test can tell.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Union

from django.conf import settings
from django.core import checks
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils.module_loading import import_string

from .. import ConfigError, Diagnostic, Policy, SharedPolicy
from .._corsgate import DjangoPolicy
from .._report import Reporter
from .defaults import default_headers, default_methods
from .signals import check_request_enabled

Regex = Union[str, "re.Pattern[str]"]

# Check ids (docs/python.md lists them).
_ERROR_IDS = {
    "type": "corsgate.E001",
    "value_not_ascii": "corsgate.E002",
    "origin_invalid": "corsgate.E003",
    "origin_missing_scheme": "corsgate.E003",
    "origin_has_path": "corsgate.E004",
    "origin_trailing_slash": "corsgate.E004",
    "origin_has_query": "corsgate.E004",
    "origin_has_fragment": "corsgate.E004",
    "regex_invalid": "corsgate.E005",
    "removed": "corsgate.E006",
    "policy": "corsgate.E007",
}
_WARNING_IDS = {
    "wildcard_origin_with_credentials": "corsgate.W001",
    "null_origin_allowed": "corsgate.W002",
    "regex_unanchored": "corsgate.W003",
    "regex_unescaped_dot": "corsgate.W004",
    "private_network_enabled": "corsgate.W005",
    "ignored": "corsgate.W006",
}


def check_signal(request: HttpRequest) -> bool:
    """Whether a ``check_request_enabled`` receiver returns a true value."""
    return any(value for _, value in check_request_enabled.send(sender=None, request=request))


@dataclass
class State:
    """What the middleware serves with: the ``django`` profile or a strict policy."""

    policy: DjangoPolicy | None = None
    strict: Policy | SharedPolicy | None = None
    urls_regex: re.Pattern[str] | None = None
    origin_regexes: list[re.Pattern[str]] = field(default_factory=list)
    errors: list[checks.CheckMessage] = field(default_factory=list)
    """Settings nothing can serve with: the middleware refuses to start."""
    check_errors: list[checks.CheckMessage] = field(default_factory=list)
    """Settings django-cors-headers' checks reject but its middleware serves with (so do we)."""
    warnings: list[checks.CheckMessage] = field(default_factory=list)
    reporter: Reporter = field(default_factory=lambda: Reporter(None))
    """Where the strict engine's denial reports go (``CORSGATE_ON_DENIED``)."""

    def fallback(self, request: HttpRequest, origin: str) -> bool:
        """What django-cors-headers tries for an origin in no list: the regexes, the signal."""
        return any(r.match(origin) for r in self.origin_regexes) or check_signal(request)


def _alias(new: str, old: str, default: Any) -> tuple[str, Any]:
    if hasattr(settings, new):
        return new, getattr(settings, new)
    if hasattr(settings, old):
        return old, getattr(settings, old)
    return new, default


def _error(kind: str, msg: str, hint: str | None = None) -> checks.Error:
    return checks.Error(msg, hint=hint, id=_ERROR_IDS[kind])


def _from_diagnostic(d: Diagnostic, names: dict[str, str], error: bool) -> checks.CheckMessage:
    path = d.path
    for new, used in names.items():
        if path.startswith(new):
            path = used + path[len(new) :]
    msg = f"{path}: {d.message}" if path else d.message
    if error:
        return checks.Error(msg, hint=d.hint, id=_ERROR_IDS.get(d.code, "corsgate.E002"))
    return checks.Warning(msg, hint=d.hint, id=_WARNING_IDS.get(d.code, "corsgate.W006"))


def _strings(name: str, value: Any, errors: list[checks.CheckMessage]) -> list[str]:
    """A sequence of strings (a lone string is an error: django-cors-headers would iterate
    its characters)."""
    if isinstance(value, str):
        errors.append(
            _error(
                "type", f"{name} is a string; it must be a list of strings", f'{name} = ["{value}"]'
            )
        )
        return []
    if not isinstance(value, Sequence) or not all(isinstance(v, str) for v in value):
        errors.append(_error("type", f"{name} must be a list or tuple of strings"))
        return []
    return list(value)


def _compile(name: str, pattern: Any, errors: list[checks.CheckMessage]) -> re.Pattern[str] | None:
    if isinstance(pattern, re.Pattern):
        return pattern
    if not isinstance(pattern, str):
        errors.append(_error("type", f"{name} must be a string or a compiled regex"))
        return None
    try:
        return re.compile(pattern)
    except re.error as e:
        errors.append(_error("regex_invalid", f"{name}: {pattern!r} is not a valid regex: {e}"))
        return None


def _bool(name: str, value: Any, errors: list[checks.CheckMessage]) -> bool:
    if not isinstance(value, bool):
        errors.append(_error("type", f"{name} must be True or False, not {value!r}"))
        return False
    return value


def _on_denied(state: State) -> None:
    """``CORSGATE_ON_DENIED``: a callable, or its dotted path."""
    hook = getattr(settings, "CORSGATE_ON_DENIED", None)
    try:
        if isinstance(hook, str):
            hook = import_string(hook)
        state.reporter = Reporter(hook)
    except (ImportError, TypeError) as e:
        state.errors.append(
            _error(
                "type",
                f"CORSGATE_ON_DENIED: {e}",
                'CORSGATE_ON_DENIED = "myapp.cors.on_denied" (a function taking a report)',
            )
        )


def _strict(state: State) -> None:
    _on_denied(state)
    value = settings.CORSGATE_POLICY
    try:
        if isinstance(value, (Policy, SharedPolicy)):
            state.strict = value
        elif isinstance(value, (str, os.PathLike)):
            state.strict = Policy.from_file(os.fspath(value))
        else:
            state.errors.append(
                _error("type", "CORSGATE_POLICY must be a policy file path or a corsgate.Policy")
            )
            return
    except ConfigError as e:
        state.errors.extend(
            checks.Error(f"CORSGATE_POLICY: {d}", hint=d.hint, id=_ERROR_IDS["policy"])
            for d in e.errors
        )
        return
    except OSError as e:
        state.errors.append(_error("policy", f"CORSGATE_POLICY: cannot read {value!s}: {e}"))
        return
    current = state.strict.load() if isinstance(state.strict, SharedPolicy) else state.strict
    if current.is_async:
        state.errors.append(
            _error(
                "policy",
                "CORSGATE_POLICY: its allow_origin/allow_request is an async function, which "
                "corsgate.django cannot await",
                "pass a synchronous function (the Django middleware calls it in the request's "
                "thread or event loop)",
            )
        )
        return
    lint = (
        state.strict.load().warnings
        if isinstance(state.strict, SharedPolicy)
        else state.strict.warnings
    )
    for d in lint:
        state.warnings.append(
            checks.Warning(f"CORSGATE_POLICY: {d}", hint=d.hint, id=_WARNING_IDS["ignored"])
        )
    ignored = sorted(n for n in dir(settings) if n.startswith("CORS_"))
    if ignored:
        state.warnings.append(
            checks.Warning(
                f"CORSGATE_POLICY is set, so {', '.join(ignored)} are ignored",
                hint="move them into the policy file, or remove CORSGATE_POLICY",
                id=_WARNING_IDS["ignored"],
            )
        )


def build() -> State:
    """Reads and validates the settings; ``errors`` lists every problem (then nothing serves)."""
    state = State()
    if getattr(settings, "CORSGATE_POLICY", None) is not None:
        _strict(state)
        return state
    errors = state.errors
    for removed in ("CORS_MODEL", "CORS_REPLACE_HTTPS_REFERER"):
        if hasattr(settings, removed):
            errors.append(
                _error("removed", f"the {removed} setting was removed from django-cors-headers")
            )
    origins_name, origins = _alias("CORS_ALLOWED_ORIGINS", "CORS_ORIGIN_WHITELIST", ())
    regexes_name, regexes = _alias("CORS_ALLOWED_ORIGIN_REGEXES", "CORS_ORIGIN_REGEX_WHITELIST", ())
    all_name, allow_all = _alias("CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL", False)
    names = {
        "CORS_ALLOWED_ORIGINS": origins_name,
        "CORS_ALLOWED_ORIGIN_REGEXES": regexes_name,
        "CORS_ALLOW_ALL_ORIGINS": all_name,
    }
    max_age = getattr(settings, "CORS_PREFLIGHT_MAX_AGE", 86400)
    if isinstance(max_age, bool) or not isinstance(max_age, int) or max_age < 0:
        errors.append(
            _error("type", f"CORS_PREFLIGHT_MAX_AGE must be an integer >= 0, not {max_age!r}")
        )
        max_age = 0
    if isinstance(regexes, str) or not isinstance(regexes, Sequence):
        errors.append(
            _error("type", f"{regexes_name} must be a list of strings or compiled regexes")
        )
        regexes = ()
    compiled = [_compile(f"{regexes_name}[{i}]", r, errors) for i, r in enumerate(regexes)]
    state.origin_regexes = [r for r in compiled if r is not None]
    state.urls_regex = _compile(
        "CORS_URLS_REGEX", getattr(settings, "CORS_URLS_REGEX", r"^.*$"), errors
    )
    kwargs: dict[str, Any] = {
        "allowed_origins": _strings(origins_name, origins, errors),
        "origin_regexes": [r.pattern for r in state.origin_regexes],
        "allow_all_origins": _bool(all_name, allow_all, errors),
        "allow_credentials": _bool(
            "CORS_ALLOW_CREDENTIALS", getattr(settings, "CORS_ALLOW_CREDENTIALS", False), errors
        ),
        "allow_methods": _strings(
            "CORS_ALLOW_METHODS", getattr(settings, "CORS_ALLOW_METHODS", default_methods), errors
        ),
        "allow_headers": _strings(
            "CORS_ALLOW_HEADERS", getattr(settings, "CORS_ALLOW_HEADERS", default_headers), errors
        ),
        "expose_headers": _strings(
            "CORS_EXPOSE_HEADERS", getattr(settings, "CORS_EXPOSE_HEADERS", ()), errors
        ),
        "preflight_max_age": max_age,
        "allow_private_network": _bool(
            "CORS_ALLOW_PRIVATE_NETWORK",
            getattr(settings, "CORS_ALLOW_PRIVATE_NETWORK", False),
            errors,
        ),
    }
    try:
        policy = DjangoPolicy(**kwargs)
    except ConfigError as e:
        errors.extend(_from_diagnostic(d, names, True) for d in e.errors)
        state.warnings.extend(_from_diagnostic(d, names, False) for d in e.warnings)
        return state
    state.check_errors.extend(_from_diagnostic(d, names, True) for d in policy.check_errors)
    state.warnings.extend(_from_diagnostic(d, names, False) for d in policy.warnings)
    state.policy = policy
    return state


_state: State | None = None


def current() -> State:
    """The compiled settings (built on first use)."""
    global _state
    if _state is None:
        _state = build()
    return _state


@receiver(setting_changed)
def _reset(setting: str, **kwargs: Any) -> None:
    global _state
    if setting.startswith(("CORS_", "CORSGATE_")):
        _state = None
