"""The error of a call to an endpoint that an operator deactivated (see :class:`SwitchableEndpoint`)."""

from __future__ import annotations

from interlace.errors import EndpointSuspendedError

__all__ = ["deactivated_error"]


def deactivated_error(name: str) -> EndpointSuspendedError:
    """What ``send`` raises, without a call, while endpoint ``name`` is deactivated."""
    return EndpointSuspendedError(
        f"endpoint {name} is deactivated; it takes calls again when an operator activates it",
        detail={"endpoint": name, "resumes_in": None, "deactivated": True},
    )
