"""Port reservations: a server takes every port it will listen on before it starts anything.

Each port is bound (not listened on) with ``SO_REUSEADDR``: the bind fails when another process listens
there, and while the reservation holds, no other process can listen there either; the server's own
listener binds the same port beside the reservation and the reservation is released once it listens.
So a busy port stops the server before it ran a task, started a consumer or wrote a file, with a message
naming the port and the setting that chooses another.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from types import TracebackType

from interlace.errors import InterlaceError

__all__ = ["PortBusyError", "PortClaim", "PortReservation"]


class PortBusyError(InterlaceError):
    """A port the server needs is taken: nothing was started. Free it or choose another port."""

    code = "PORT_BUSY"


@dataclass(frozen=True, slots=True)
class PortClaim:
    """Port ``port`` on ``host`` for ``what`` (``the HTTP APIs``); ``choose`` says how to pick another."""

    host: str
    port: int
    what: str
    choose: str


def _reserve(claim: PortClaim) -> socket.socket:
    family = socket.AF_INET6 if ":" in claim.host else socket.AF_INET
    reserved = socket.socket(family, socket.SOCK_STREAM)
    try:
        reserved.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        reserved.bind((claim.host, claim.port))
    except OSError as exc:
        reserved.close()
        reason = "is in use" if exc.errno == errno.EADDRINUSE else f"cannot be used ({exc.strerror})"
        raise PortBusyError(
            f"port {claim.port} on {claim.host} {reason}, so {claim.what} cannot listen there; nothing was "
            f"started. Stop what uses it, or choose another port: {claim.choose}"
        ) from exc
    return reserved


class PortReservation:
    """The ports of ``claims`` (port 0: any free one, not reserved), held until :meth:`release`; use
    ``with``. PortBusyError, with every reservation made so far released, when one is taken or claimed
    twice."""

    def __init__(self, claims: Iterable[PortClaim]) -> None:
        self._sockets: list[socket.socket] = []
        seen: dict[int, PortClaim] = {}
        try:
            for claim in claims:
                if claim.port == 0:
                    continue
                earlier = seen.get(claim.port)
                if earlier is not None:
                    raise PortBusyError(
                        f"port {claim.port} is claimed by {earlier.what} and by {claim.what}; nothing was "
                        f"started. Choose another port: {claim.choose}"
                    )
                seen[claim.port] = claim
                self._sockets.append(_reserve(claim))
        except BaseException:
            self.release()
            raise

    def release(self) -> None:
        """Let the ports go (the server's listeners hold them by now); safe to call twice."""
        sockets, self._sockets = self._sockets, []
        for reserved in sockets:
            reserved.close()

    def __enter__(self) -> PortReservation:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()
