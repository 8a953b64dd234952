"""The request handler of inbound HTTP listeners: the same dispatching as the main port, over the route
table of the APIs a listener serves. Hand :func:`dispatch_routes` to the runtime
(``Runtime(..., http_dispatch=dispatch_routes)``), which sits below this transport and cannot import it."""

from __future__ import annotations

from interlace.compiler.compile import Artifacts, ResourceArtifact
from interlace.http.dispatch import Dispatcher
from interlace.routing import RouteTable

__all__ = ["dispatch_routes"]


def dispatch_routes(routes: RouteTable[ResourceArtifact], max_body_size: int) -> Dispatcher:
    """A dispatcher answering requests with the resources of ``routes``; an
    :data:`~interlace.inbound.HttpDispatch`."""
    view = Artifacts("http listener", "", (), {}, {}, routes)
    return Dispatcher(lambda: view, max_body_size)
