"""The throttle mediator: per-key limits on how many messages go through, and how many run at once.

State is kept per key (a template, e.g. a tenant header; one shared key without it) in memory, for the
deployment's life: a fixed window counts the messages accepted in it, and a counter the messages
running the ``on-accept`` flow. At most ``max_keys`` keys are kept: beyond, the least recently used
idle key is forgotten (its count starts again), so a client sending many keys cannot grow the memory.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from interlace.errors import SourceLocation, ThrottledError
from interlace.expressions import Template
from interlace.mediators.base import CONTINUE, STOP
from interlace.mediators.sequence import SequenceMediator, error_info
from interlace.message import MessageContext

__all__ = ["ThrottleLimits", "ThrottleMediator"]


@dataclass(frozen=True, slots=True)
class ThrottleLimits:
    """At most ``max_requests`` per ``window`` seconds and ``max_concurrent`` at once (None: no limit),
    for each of at most ``max_keys`` keys."""

    max_requests: int | None
    window: float
    max_concurrent: int | None
    max_keys: int


@dataclass(slots=True)
class _KeyState:
    window_start: float
    accepted: int = 0
    running: int = 0


class ThrottleMediator:
    """Accepts a message within its key's limits (then runs ``on_accept``, when given, and goes on),
    else runs ``on_reject`` and ends the flow (``${error.code}`` is ``THROTTLED``), or, without
    ``on_reject``, fails with ThrottledError (429 with ``Retry-After``)."""

    __slots__ = ("_keys", "clock", "key", "limits", "location", "on_accept", "on_reject")

    def __init__(
        self,
        key: Template | None,
        limits: ThrottleLimits,
        on_accept: SequenceMediator | None,
        on_reject: SequenceMediator | None,
        location: SourceLocation,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.key = key
        self.limits = limits
        self.on_accept = on_accept
        self.on_reject = on_reject
        self.location = location
        self.clock = clock
        self._keys: OrderedDict[str, _KeyState] = OrderedDict()

    def _state(self, key: str, now: float) -> _KeyState:
        state = self._keys.get(key)
        if state is not None:
            self._keys.move_to_end(key)
            return state
        if len(self._keys) >= self.limits.max_keys:
            idle = next((name for name, each in self._keys.items() if each.running == 0), None)
            if idle is not None:
                del self._keys[idle]
        state = self._keys[key] = _KeyState(now)
        return state

    def _refusal(self, state: _KeyState, now: float) -> float | None:
        """Seconds until the message could be accepted, or None when it is (and counted)."""
        limits = self.limits
        if now - state.window_start >= limits.window:
            state.window_start, state.accepted = now, 0
        if limits.max_requests is not None and state.accepted >= limits.max_requests:
            return state.window_start + limits.window - now
        if limits.max_concurrent is not None and state.running >= limits.max_concurrent:
            return 1.0
        state.accepted += 1
        return None

    async def mediate(self, ctx: MessageContext) -> bool:
        now = self.clock()
        state = self._state(self.key.render_str(ctx) if self.key is not None else "", now)
        wait = self._refusal(state, now)
        if wait is not None:
            seconds = max(1, math.ceil(wait))
            error = ThrottledError(
                f"too many requests; retry after {seconds} s", headers={"Retry-After": str(seconds)}
            )
            if self.on_reject is None:
                raise error
            ctx.error = error_info(error)
            await self.on_reject.mediate(ctx)
            return STOP
        if self.on_accept is None:
            return CONTINUE
        state.running += 1
        try:
            return await self.on_accept.mediate(ctx)
        finally:
            state.running -= 1
