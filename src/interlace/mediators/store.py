"""The store mediator: keep the message in a message store before the flow goes on."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Final, Protocol

from interlace.errors import InterlaceError, SourceLocation
from interlace.mediators.base import CONTINUE
from interlace.message import MessageContext

__all__ = ["STORED_MESSAGE_PROPERTY", "FullStoreGate", "MessageSink", "RefusalLog", "StoreMediator"]

REFUSALS_LOGGED_EVERY: Final = 10.0
"""Seconds between two log lines of a gate that keeps refusing requests."""

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

    def finished(self) -> None:
        """The flow of a request :meth:`admit` let through has ended (whether it reached the store or
        not): the store's gate no longer counts it as about to store."""
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


class RefusalLog:
    """The log of the requests a gate refuses: the first refusal is logged at once, then at most one line
    every ``every`` seconds, counting the refusals since the last line (a line per refusal would cost a
    refusing server more than the refusal, and flood the log)."""

    __slots__ = ("_clock", "_last", "_since", "every")

    def __init__(self, every: float = REFUSALS_LOGGED_EVERY, clock: Callable[[], float] = time.monotonic):
        self.every = every
        self._clock = clock
        self._last = float("-inf")
        self._since = 0

    def refused(self, store: str, error: InterlaceError, correlation_id: str) -> None:
        self._since += 1
        now = self._clock()
        if now - self._last < self.every:
            return
        what = "a request" if self._since == 1 else f"{self._since} requests"
        since = "" if self._last == float("-inf") else f" in the last {now - self._last:.0f}s"
        _log.warning(
            "message store %s refused %s%s: %s",
            store,
            what,
            since,
            error,
            extra={"correlation_id": correlation_id},
        )
        self._last, self._since = now, 0


class FullStoreGate:
    """The gate of a resource whose flow stores into ``store`` (a store that refuses when full), checked
    by the HTTP transport before it reads the request's body: while that store is full, the request is
    answered with the store's error (the default error answer: 503, ``Retry-After``) instead of being
    read, parsed and run up to the store, calling back-ends on the way, only to be refused there.
    Neither the flow nor its on-error flow runs, and the refusals are logged a line per interval
    (:class:`RefusalLog`), not a line each. A full API then costs the server little, and the store's
    processor keeps its share of the loop.

    :meth:`refusal` is awaited once per request to the resource, concurrently; it may hold the request
    a while (until a count of the store, or its turn to be refused: see
    :mod:`interlace.stores.admission`). A request it let run calls :meth:`finished` when its flow
    ends."""

    __slots__ = ("location", "refusals", "store")

    def __init__(
        self, store: MessageSink, location: SourceLocation, refusals: RefusalLog | None = None
    ) -> None:
        self.store = store
        self.location = location
        self.refusals = refusals or RefusalLog()

    async def refusal(self, correlation_id: str) -> InterlaceError | None:
        """The error to answer the request with when the store refuses it; None to let it run."""
        try:
            await self.store.admit()
        except InterlaceError as exc:
            self.refusals.refused(self.store.name, exc, correlation_id)
            return exc
        return None

    def finished(self) -> None:
        """The flow of a request :meth:`refusal` let run has ended."""
        self.store.finished()
