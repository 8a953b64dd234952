"""The Mediator seam: one runtime step of a flow.

Contract: ``mediate(ctx)`` is awaited once per message that reaches the mediator, by the sequence that
holds it. A mediator is built once at deployment and shared by all messages, so it keeps no
per-message state on itself and is safe to run concurrently on different contexts. It returns ``True``
to let the flow go on and ``False`` to end it (respond, drop). It raises an
:class:`~interlace.errors.InterlaceError` to fail the flow: the nearest on-error flow handles it.
"""

from __future__ import annotations

from typing import Protocol

from interlace.errors import SourceLocation
from interlace.message import MessageContext

__all__ = ["CONTINUE", "STOP", "Mediator"]

CONTINUE = True
STOP = False


class Mediator(Protocol):
    """One step of a flow (see the module docstring for the contract)."""

    @property
    def location(self) -> SourceLocation: ...

    async def mediate(self, ctx: MessageContext) -> bool: ...
