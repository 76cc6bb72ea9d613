"""A drop-in for flask-cors 6: ``from corsgate.flask import CORS, cross_origin``.

The options, their defaults, ``app.config["CORS_*"]``, ``resources``, ``init_app`` and the
decorator are flask-cors's, and so are the answers: the headers each response gets are
decided by the core's ``flask`` profile. Python does what is Flask's and Python's: merging
the options, matching the ``resources`` path patterns, Python regular expressions, and the
hooks flask-cors installs (``after_request``, the exception handlers, the decorator's
``OPTIONS`` answer). ``CORS(app, policy=...)`` serves corsgate's strict engine instead.

flask-cors is permissive by default (every origin, every header, every route): built that
way, ``CORS`` emits ``corsgate.SecurityWarning`` (docs/python.md).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from datetime import timedelta
from functools import update_wrapper
from typing import Any, Callable, TypeVar, Union, cast
from urllib.parse import unquote
from weakref import WeakKeyDictionary

from flask import Blueprint, Flask, Response, current_app, make_response, request
from werkzeug.datastructures import Headers, MultiDict

from ._corsgate import FLASK_ALLOW_ORIGIN, FlaskPolicy, _flask_resource_order
from ._load import PolicyLike, warn_all
from ._report import OnDenied
from .wsgi import CORSMiddleware

__all__ = ["CORS", "cross_origin"]

LOG = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])
Pattern = Union[str, "re.Pattern[str]"]

ALL_METHODS = ["GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"]

_CONFIG_KEYS = (
    "origins",
    "methods",
    "allow_headers",
    "expose_headers",
    "supports_credentials",
    "max_age",
    "send_wildcard",
    "automatic_options",
    "vary_header",
    "resources",
    "intercept_exceptions",
    "always_send",
    "allow_private_network",
)

DEFAULT_OPTIONS: dict[str, Any] = {
    "origins": "*",
    "methods": ALL_METHODS,
    "allow_headers": "*",
    "expose_headers": None,
    "supports_credentials": False,
    "max_age": None,
    "send_wildcard": False,
    "automatic_options": True,
    "vary_header": True,
    "resources": r"/*",
    "intercept_exceptions": True,
    "always_send": True,
    "allow_private_network": False,
}

# Set on a response whose CORS headers the decorator added (the extension then skips it); the
# same attribute flask-cors uses, so the two can be mixed while migrating.
_EVALUATED = "_FLASK_CORS_EVALUATED"


def _app_options(config: Mapping[str, Any]) -> dict[str, Any]:
    """The ``CORS_*`` keys of an application's config, as options."""
    found = {}
    for key in _CONFIG_KEYS:
        value = config.get("CORS_" + key.upper())
        if value is not None:
            found[key] = value
    return found


def _merge(config: Mapping[str, Any], *dicts: Mapping[str, Any]) -> dict[str, Any]:
    """Defaults, then the app config, then each dict: the last one wins."""
    from_config = _app_options(config)
    options = dict(DEFAULT_OPTIONS)
    options.update(from_config)
    for d in dicts:
        options.update(d)
    # Whether the user chose the origins (flask-cors's unsafe default is warned about).
    options["_origins_default"] = not any("origins" in d for d in (from_config, *dicts))
    return options


def _listed(value: Any) -> list[Any]:
    return [value] if isinstance(value, str) or not isinstance(value, Iterable) else list(value)


def _max_age(value: Any) -> str | None:
    if isinstance(value, timedelta):
        value = str(int(value.total_seconds()))
    return str(value) if value else None


def _compile(options: Mapping[str, Any]) -> FlaskPolicy:
    """One resource's options as a core policy."""
    for key in options:
        if key not in DEFAULT_OPTIONS and key != "_origins_default":
            LOG.warning("Unknown option passed to Flask-CORS: %s", key)
    return FlaskPolicy(
        origins=_listed(options.get("origins")),
        allow_headers=_listed(options.get("allow_headers")),
        methods=options.get("methods"),
        expose_headers=options.get("expose_headers"),
        max_age=_max_age(options.get("max_age")),
        supports_credentials=bool(options.get("supports_credentials")),
        send_wildcard=bool(options.get("send_wildcard")),
        vary_header=bool(options.get("vary_header")),
        always_send=bool(options.get("always_send")),
        allow_private_network=bool(options.get("allow_private_network")),
        origins_default=bool(options.get("_origins_default")),
    )


def _set_cors_headers(response: Response, policy: FlaskPolicy) -> Response:
    if hasattr(response, _EVALUATED):
        return response
    headers = response.headers
    if not isinstance(headers, (Headers, MultiDict)):
        response.headers = headers = MultiDict(headers)
    req = _current_request()
    add = headers.add
    for name, value in policy._headers(req.method, req.environ):
        add(name, value)
    return response


_current_request = cast(Callable[[], Any], request._get_current_object)  # type: ignore[attr-defined]


def _resources(spec: Any) -> list[tuple[Pattern, dict[str, Any]]]:
    """``resources`` as flask-cors orders them (literal paths first, then by specificity)."""
    if isinstance(spec, dict):
        pairs = [(r".*" if k == "*" else k, v) for k, v in spec.items()]
        order = _flask_resource_order(
            [(p.pattern, True) if isinstance(p, re.Pattern) else (p, False) for p, _ in pairs]
        )
        pairs = [pairs[i] for i in order]
    elif isinstance(spec, str):
        pairs = [(r".*" if spec == "*" else spec, {})]
    elif isinstance(spec, Iterable):
        pairs = [(r".*" if r == "*" else r, {}) for r in spec]
    elif isinstance(spec, re.Pattern):
        pairs = [(spec, {})]
    else:
        raise ValueError("Unexpected value for resources argument.")
    return [(_path_pattern(p), opts) for p, opts in pairs]


def _path_pattern(pattern: Pattern) -> Pattern:
    if isinstance(pattern, str) and any(c in pattern for c in "*\\]?$^[]()"):
        try:
            return re.compile(pattern)
        except re.error as e:
            raise ValueError(
                f"Invalid regular expression in Flask-CORS configuration: {pattern!r}"
            ) from e
    return pattern


def _path_matches(path: str, pattern: Pattern) -> bool:
    if isinstance(pattern, re.Pattern):
        return bool(pattern.match(path))
    return path == pattern


class CORS:
    """flask-cors's extension: ``CORS(app, **options)`` or ``CORS().init_app(app, ...)``.

    ``policy=`` (a ``corsgate.Policy``, ``SharedPolicy`` or policy file path) serves the
    strict engine instead: preflights are answered before Flask routes them, with the same
    answers as every other corsgate server.
    """

    def __init__(
        self,
        app: Flask | Blueprint | None = None,
        *,
        policy: PolicyLike | None = None,
        on_denied: OnDenied | None = None,
        **kwargs: Any,
    ) -> None:
        self._options = kwargs
        self._policy = policy
        self._on_denied = on_denied
        if on_denied is not None and policy is None:
            raise TypeError(
                "on_denied: reports come from the strict engine (fix: pass policy=, a "
                "corsgate.Policy, with on_denied=)"
            )
        if policy is not None and kwargs:
            raise TypeError("policy= replaces flask-cors's options: pass one or the other")
        if app is not None:
            self.init_app(app, **kwargs)

    def init_app(self, app: Flask | Blueprint, **kwargs: Any) -> None:
        """Installs CORS on ``app`` (options: the constructor's, then these)."""
        if self._policy is not None:
            if not isinstance(app, Flask):
                raise TypeError("policy= needs the Flask application (it wraps app.wsgi_app)")
            app.wsgi_app = CORSMiddleware(  # type: ignore[method-assign]
                app.wsgi_app, self._policy, on_denied=self._on_denied
            )
            return
        config = getattr(app, "config", {})
        merged = _merge(config, self._options, kwargs)
        resources = [
            (pattern, _compile(_merge(config, self._options, kwargs, opts)))
            for pattern, opts in _resources(merged.get("resources", r"/*"))
        ]
        for _, policy in resources:
            warn_all(policy.warnings, stacklevel=3)
        after = _after_request(resources)
        app.after_request(after)
        if merged.get("intercept_exceptions") and isinstance(app, Flask):
            flask_app: Any = app

            def with_cors(handler: Callable[..., Any]) -> Callable[..., Response]:
                def wrapped(*args: Any, **kw: Any) -> Response:
                    return after(flask_app.make_response(handler(*args, **kw)))

                return wrapped

            flask_app.handle_exception = with_cors(flask_app.handle_exception)
            flask_app.handle_user_exception = with_cors(flask_app.handle_user_exception)


def _after_request(
    resources: list[tuple[Pattern, FlaskPolicy]],
) -> Callable[[Response], Response]:
    def cors_after_request(response: Response) -> Response:
        if response.headers is not None and response.headers.get(FLASK_ALLOW_ORIGIN):
            return response
        path = unquote(_current_request().path)
        for pattern, policy in resources:
            if _path_matches(path, pattern):
                _set_cors_headers(response, policy)
                break
        return response

    return cors_after_request


def cross_origin(*args: Any, **kwargs: Any) -> Callable[[F], F]:
    """flask-cors's decorator: CORS for one view, with the same options as ``CORS``."""
    options = kwargs
    # Checked (and warned about) now; compiled per application on its first request, as
    # flask-cors reads the application's CORS_* configuration.
    warn_all(_compile(_merge({}, options)).warnings, stacklevel=2)
    compiled: WeakKeyDictionary[Flask, tuple[FlaskPolicy, bool]] = WeakKeyDictionary()

    def decorator(f: F) -> F:
        if options.get("automatic_options", True):
            view: Any = f
            view.required_methods = {*getattr(f, "required_methods", set()), "OPTIONS"}
            view.provide_automatic_options = False

        def wrapped_function(*a: Any, **kw: Any) -> Response:
            app = cast(Flask, current_app._get_current_object())  # type: ignore[attr-defined]
            found = compiled.get(app)
            if found is None:
                merged = _merge(app.config, options)
                found = compiled[app] = (_compile(merged), bool(merged.get("automatic_options")))
            policy, automatic_options = found
            if automatic_options and request.method == "OPTIONS":
                response = current_app.make_default_options_response()
            else:
                response = make_response(f(*a, **kw))
            _set_cors_headers(response, policy)
            setattr(response, _EVALUATED, True)
            return response

        return cast(F, update_wrapper(wrapped_function, f))

    return decorator
