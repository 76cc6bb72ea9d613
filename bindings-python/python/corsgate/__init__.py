"""corsgate: one CORS policy engine, every server.

``Policy`` compiles a policy (the same keys as the policy file nginx and the other bindings
read) and ``Policy.evaluate`` decides what to answer to a request. ``corsgate.asgi`` holds a
drop-in replacement of Starlette's ``CORSMiddleware``; ``corsgate.wsgi`` a PEP 3333 middleware
for Flask, Django and any WSGI application.
"""

from __future__ import annotations

from ._corsgate import (
    Decision,
    DenialReport,
    Diagnostic,
    OriginRequest,
    Policy,
    Reason,
    SharedPolicy,
    StarlettePolicy,
    __version__,
)
from ._errors import ConfigError, SecurityWarning

__all__ = [
    "ConfigError",
    "Decision",
    "DenialReport",
    "Diagnostic",
    "OriginRequest",
    "Policy",
    "Reason",
    "SecurityWarning",
    "SharedPolicy",
    "StarlettePolicy",
    "__version__",
]
