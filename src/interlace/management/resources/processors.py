"""The message processors of the active deployment: state, counts, and switching them off and on."""

from __future__ import annotations

from interlace.management.resources.service_routes import service_routes
from interlace.processors import ProcessorState

__all__ = ["ROUTES", "SCHEMAS"]

_PROCESSORS = service_routes(
    "processor",
    ProcessorState,
    path="/management/processors",
    tag="processors",
    component="Processor",
    operation="Processor",
    activate_summary="Run the processor (also after a failure stopped it)",
    deactivate_summary="Stop the processor gracefully",
    deactivate_description="A delivery under way finishes first.",
)

ROUTES = _PROCESSORS.routes
SCHEMAS = _PROCESSORS.schemas
