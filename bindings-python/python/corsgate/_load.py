"""Turning what a user passes as ``policy=`` into a policy object."""

from __future__ import annotations

import os
import warnings
from typing import Union

from ._corsgate import Diagnostic, Policy, SharedPolicy, StarlettePolicy
from ._errors import SecurityWarning

PolicyLike = Union[Policy, SharedPolicy, str, "os.PathLike[str]"]
"""A compiled policy, a shared (swappable) one, or the path of a policy file."""


def load_policy(policy: PolicyLike) -> Policy | SharedPolicy:
    """The policy object for ``policy=``: a path is read with ``Policy.from_file``."""
    if isinstance(policy, (Policy, SharedPolicy)):
        return policy
    if isinstance(policy, (str, os.PathLike)):
        return Policy.from_file(os.fspath(policy))
    raise TypeError(
        "policy must be a corsgate.Policy, a corsgate.SharedPolicy or the path of a policy "
        f"file, not {type(policy).__name__}"
    )


def require_sync(policy: Policy | SharedPolicy, where: str) -> Policy | SharedPolicy:
    """``policy``, unless its origin check is ``async def``: ``where`` cannot await it."""
    current = policy.load() if isinstance(policy, SharedPolicy) else policy
    if current.is_async:
        raise TypeError(
            f"allow_origin/allow_request is an async function, which {where} cannot await "
            "(fix: pass a synchronous function, or serve the app through "
            "corsgate.asgi.CORSMiddleware, which awaits it)"
        )
    return policy


def warn_all(found: list[Diagnostic], stacklevel: int) -> None:
    """Emits each lint warning once, as a ``SecurityWarning``."""
    for diagnostic in found:
        warnings.warn(str(diagnostic), SecurityWarning, stacklevel=stacklevel + 1)


def policy_warnings(policy: Policy | SharedPolicy | StarlettePolicy) -> list[Diagnostic]:
    """The lint warnings of whatever policy a middleware serves."""
    if isinstance(policy, SharedPolicy):
        return policy.load().warnings
    return policy.warnings
