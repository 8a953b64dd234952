"""A source's backlog for :attr:`~interlace.sdk.TriggerEvent.lag`, read from the source at a bounded rate.

Some sources say their backlog only when asked (a RabbitMQ queue's message count, an SQS queue's
``ApproximateNumberOfMessages``, a Redis group's ``lag``): asking per message would double the calls to
the source. A trigger that hands out an event calls :meth:`Backlog.lag` for the value to put in it; the
source is asked at most once per ``interval`` seconds, and in between each event taken counts one
down from the last answer. The answer leaves out what the trigger already took (messages prefetched or
received in a batch), so between reads the value may fall short of the truth by those, never below 0;
once the source is drained it reads 0. Other consumers of the same source are seen at the next read.
A read that fails (a broker call refused for want of a permission the consumer does not otherwise need,
a lost connection) leaves the backlog unknown until the next read, logged once: the lag is for
operators to watch and never stops the trigger. One event loop, one trigger: no lock.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from interlace.sdk.errors import ConnectorError

__all__ = ["Backlog"]

_log = logging.getLogger("interlace.connectors")


class Backlog:
    """The backlog of one trigger's source: ``read`` asks the source (None when it cannot say)."""

    __slots__ = ("_clock", "_interval", "_last", "_read", "_read_at", "_taken", "_warned")

    def __init__(
        self,
        read: Callable[[], Awaitable[int | None]],
        *,
        interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._read = read
        self._interval = interval
        self._clock = clock
        self._last: int | None = None
        self._read_at = float("-inf")
        self._taken = 0
        self._warned = False

    async def lag(self) -> int | None:
        """The backlog behind the event being handed out (None while unknown): called once per event.
        ``read`` raises a :class:`~interlace.sdk.ConnectorError` when it fails."""
        now = self._clock()
        if now - self._read_at >= self._interval:
            self._read_at = now
            self._taken = 0
            try:
                self._last = await self._read()
            except ConnectorError as exc:
                self._last = None
                if not self._warned:
                    self._warned = True
                    _log.warning("%s; the lag stays unknown until a read succeeds", exc)
            return self._last
        self._taken += 1
        return None if self._last is None else max(0, self._last - self._taken)
