"""The errors of changing what a server runs, by what the caller should do."""

from __future__ import annotations

from interlace.errors import InterlaceError

__all__ = ["DeploymentConflictError", "DeploymentRefusedError", "UnknownDeploymentError"]


class DeploymentRefusedError(InterlaceError):
    """The project has problems (listed in the message and in ``detail``): fix and rebuild it. Nothing
    changed: the running version keeps serving."""

    code = "DEPLOYMENT_REFUSED"
    status = 422


class UnknownDeploymentError(InterlaceError):
    """No deployment of that name (or version)."""

    code = "NOT_FOUND"
    status = 404


class DeploymentConflictError(InterlaceError):
    """The change does not apply now: the project claims what another project holds, the version is
    deployed with other content or is active, or there is no earlier version to roll back to."""

    code = "CONFLICT"
    status = 409
