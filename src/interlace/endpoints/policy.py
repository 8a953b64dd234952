"""How an endpoint reacts to failures: the retry policy and the circuit breaker (suspension).

A *call* is one ``send``: up to ``max_attempts`` *attempts* spaced by a doubling backoff, all within
the call's ``deadline`` (by default the endpoint's timeout, so retries never multiply the wait). The
circuit breaker counts calls, not attempts: a call that failed after all its retries is one failure.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Final

from interlace.endpoints.base import StateName
from interlace.model.endpoint import RetryDefinition, SuspendDefinition

__all__ = [
    "IDEMPOTENT_METHODS",
    "CircuitBreaker",
    "Clock",
    "RetryPolicy",
    "Sleep",
    "SuspendPolicy",
]

Clock = Callable[[], float]
"""Seconds from an arbitrary origin that never goes backwards (``time.monotonic``)."""
Sleep = Callable[[float], Awaitable[None]]
"""Waits the given seconds (``asyncio.sleep``)."""

IDEMPOTENT_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When and how soon a failed attempt is repeated.

    A connection that could not be opened is retried for every method: nothing reached the server.
    Timeouts, dropped connections and ``on_status`` answers are retried only for idempotent methods,
    unless ``retry_non_idempotent``, because a POST that timed out may have been carried out.
    ``deadline`` (seconds, None: none) bounds the whole call: an attempt gets what is left of it at most,
    and no attempt starts when the backoff before it would end past it.
    """

    max_attempts: int = 1
    backoff: float = 0.2
    max_backoff: float = 5.0
    on_status: frozenset[int] = frozenset()
    retry_non_idempotent: bool = False
    deadline: float | None = None
    sleep: Sleep = field(default=asyncio.sleep, compare=False)

    @classmethod
    def from_definition(
        cls, definition: RetryDefinition | None, *, timeout: float | None = None, sleep: Sleep = asyncio.sleep
    ) -> RetryPolicy:
        """The policy a ``retry:`` block describes; no block means a single attempt. Without a
        ``deadline`` of its own, a call lasts at most ``timeout`` (the endpoint's)."""
        if definition is None:
            return cls(deadline=timeout, sleep=sleep)
        return cls(
            max_attempts=definition.max_attempts,
            backoff=definition.backoff,
            max_backoff=definition.max_backoff,
            on_status=frozenset(definition.on_status),
            retry_non_idempotent=definition.retry_non_idempotent,
            deadline=definition.deadline if definition.deadline is not None else timeout,
            sleep=sleep,
        )

    def delay_after(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based) before the next one."""
        return float(min(self.backoff * 2 ** (attempt - 1), self.max_backoff))

    def may_repeat(self, method: str, *, reached_server: bool) -> bool:
        """Whether an attempt that failed this way may be made again (attempts left aside)."""
        return not reached_server or self.retry_non_idempotent or method in IDEMPOTENT_METHODS


@dataclass(frozen=True, slots=True)
class SuspendPolicy:
    """When the circuit opens and for how long (see :class:`CircuitBreaker`)."""

    after_failures: int = 3
    initial_duration: float = 30.0
    factor: float = 2.0
    max_duration: float = 300.0
    on_status: frozenset[int] = frozenset({502, 503, 504})

    @classmethod
    def from_definition(cls, definition: SuspendDefinition) -> SuspendPolicy:
        return cls(
            after_failures=definition.after_failures,
            initial_duration=definition.initial_duration,
            factor=definition.factor,
            max_duration=definition.max_duration,
            on_status=frozenset(definition.on_status),
        )


class CircuitBreaker:
    """Suspends an endpoint after ``after_failures`` consecutive failed calls.

    States: *closed* (calls go through) → *open* after the failures (calls are refused for the
    suspension's duration) → *half-open* when it has passed (one trial call goes through, others are
    refused) → *closed* if the trial succeeds, or *open* again for ``factor`` times longer (at most
    ``max_duration``) if it fails. A success while closed resets the count and the duration.

    Usage per call: :meth:`admit`; then exactly one of :meth:`record_success`, :meth:`record_failure`
    or :meth:`release` (the call ended without an outcome, e.g. it was cancelled). Safe for concurrent
    calls on one event loop: no method awaits.
    """

    __slots__ = ("_clock", "_duration", "_failures", "_open_until", "_policy", "_trial_running")

    def __init__(self, policy: SuspendPolicy, clock: Clock = time.monotonic) -> None:
        self._policy = policy
        self._clock = clock
        self._failures = 0
        self._duration = policy.initial_duration
        self._open_until: float | None = None  # None while closed
        self._trial_running = False

    @property
    def policy(self) -> SuspendPolicy:
        return self._policy

    @property
    def consecutive_failures(self) -> int:
        return self._failures

    @property
    def state(self) -> StateName:
        if self._open_until is None:
            return "active"
        if self._trial_running or self._clock() < self._open_until:
            return "suspended"
        return "half-open"

    def resumes_in(self) -> float | None:
        """Seconds until the next trial call may go through; ``None`` while closed."""
        if self._open_until is None:
            return None
        return max(0.0, self._open_until - self._clock())

    def counts_as_failure(self, status: int) -> bool:
        return status in self._policy.on_status

    def admit(self) -> bool:
        """Whether a call may go ahead now; in half-open state only the first caller is admitted."""
        state = self.state
        if state == "active":
            return True
        if state == "half-open":
            self._trial_running = True
            return True
        return False

    def record_success(self) -> None:
        self._failures = 0
        self._duration = self._policy.initial_duration
        self._open_until = None
        self._trial_running = False

    def record_failure(self) -> None:
        self._failures += 1
        if self._trial_running:
            self._trial_running = False
            self._duration = min(self._duration * self._policy.factor, self._policy.max_duration)
            self._open_until = self._clock() + self._duration
        elif self._open_until is None and self._failures >= self._policy.after_failures:
            self._open_until = self._clock() + self._duration

    def release(self) -> None:
        """End an admitted call that has no outcome; a trial slot becomes free for the next caller."""
        self._trial_running = False
