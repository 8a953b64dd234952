"""The store mediator: keep the message in a message store before the flow goes on."""

from __future__ import annotations

import logging
from typing import Protocol

from interlace.errors import InterlaceError, SourceLocation
from interlace.mediators.base import CONTINUE
from interlace.message import MessageContext

__all__ = ["STORED_MESSAGE_PROPERTY", "FullStoreGate", "MessageSink", "StoreMediator"]

STORED_MESSAGE_PROPERTY = "storedMessageId"
"""The message property (``${props.storedMessageId}``) holding the id a store mediator kept the message as."""

_log = logging.getLogger("interlace.flow")


class MessageSink(Protocol):
    """A message store as the store mediator sees it.

    ``keep`` is awaited once per message that reaches the mediator, concurrently for different
    messages. It returns the stored message's id only once the message is as durable as the store
    promises; otherwise it raises an :class:`InterlaceError` (a ``StoreError``) and the message is not
    stored. It reads ``ctx`` and never changes it. ``origin`` names the store the message was meant for
    when it is not this one (a failover store keeps messages meant for its primary).
    """

    @property
    def name(self) -> str: ...

    async def keep(self, ctx: MessageContext, *, origin: str | None = None) -> str: ...

    async def admit(self) -> None:
        """Raise the store's full error (503, ``Retry-After``) at once while the store is known to be
        full and refuses puts; return otherwise. Awaited by :class:`FullStoreGate` once per request."""
        ...


class StoreMediator:
    """Keeps the message in ``store`` (or, when that fails, in ``failover``) and goes on; when no store
    took it, the flow fails with the store's error. The id it was kept as is the property
    ``storedMessageId``."""

    __slots__ = ("failover", "location", "store")

    def __init__(self, store: MessageSink, failover: MessageSink | None, location: SourceLocation) -> None:
        self.store = store
        self.failover = failover
        self.location = location

    async def mediate(self, ctx: MessageContext) -> bool:
        try:
            message_id = await self.store.keep(ctx)
        except InterlaceError as exc:
            if self.failover is None:
                raise
            _log.warning(
                "message store %s cannot take the message (%s); keeping it in %s",
                self.store.name,
                exc,
                self.failover.name,
                extra={"correlation_id": ctx.correlation_id},
            )
            try:
                message_id = await self.failover.keep(ctx, origin=self.store.name)
            except InterlaceError as failover_exc:
                failover_exc.message = (
                    f"{failover_exc.message} (and message store {self.store.name} before it: {exc})"
                )
                raise failover_exc from exc
        ctx.properties[STORED_MESSAGE_PROPERTY] = message_id
        return CONTINUE


class FullStoreGate:
    """The first step of a resource whose flow stores into ``store`` (a store that refuses when full):
    while that store is full, the request fails at once with the store's error (503, ``Retry-After``)
    instead of running its flow up to the store, calling back-ends on the way, only to be refused there.
    A full API then costs the server little, and the store's processor keeps its share of the loop."""

    __slots__ = ("location", "store")

    def __init__(self, store: MessageSink, location: SourceLocation) -> None:
        self.store = store
        self.location = location

    async def mediate(self, ctx: MessageContext) -> bool:
        await self.store.admit()
        return CONTINUE
