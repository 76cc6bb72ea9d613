"""A Starlette app with corsgate's strict semantics, from the policy file nginx also reads,
and a policy swapped live (for example on SIGHUP or from an admin endpoint).

Run: CORS_POLICY=cors.toml uvicorn starlette_strict:app
"""

from __future__ import annotations

import os

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from corsgate import ConfigError, Policy, SharedPolicy
from corsgate.asgi import CORSMiddleware

POLICY_FILE = os.environ.get("CORS_POLICY", "cors.toml")
shared = SharedPolicy(Policy.from_file(POLICY_FILE))


async def reload_policy(request: Request) -> JSONResponse:
    try:
        shared.store(Policy.from_file(POLICY_FILE))
    except ConfigError as err:
        # The old policy keeps serving; say what is wrong with the new one.
        problems = [{"path": e.path, "code": e.code, "message": e.message} for e in err.errors]
        return JSONResponse({"reloaded": False, "errors": problems}, status_code=422)
    return JSONResponse({"reloaded": True})


app = Starlette(
    routes=[Route("/admin/reload-cors", reload_policy, methods=["POST"])],
    middleware=[Middleware(CORSMiddleware, policy=shared)],
)
