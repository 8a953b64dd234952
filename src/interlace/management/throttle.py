"""LoginThrottle: slows password guessing down, per client address and per user name from that address.

A user is throttled per client address (:func:`login_keys`): failures from one address never lock the
user out at another, so nobody can lock the real admin out by failing logins in their name. A client
address is also throttled whatever names it tries; and since a successful login forgives its own keys
only, logging in as one user does not forgive the failures of another user from the same address.

Each login attempt counts as a failure when it starts (so parallel guesses count too) and is forgiven
when it succeeds. After ``free_failures`` failures of one key, that key is locked for ``base_delay``
seconds, doubling with each further failure up to ``max_delay``; while any key of an attempt is locked
the attempt is refused without looking at the password. A key is forgotten ``forget_after`` seconds
after its last failure once its lock has passed. The number of keys kept is bounded: the oldest are
dropped first.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

__all__ = ["LoginThrottle", "ThrottlePolicy", "login_keys"]

Clock = Callable[[], float]


def login_keys(user: str, address: str) -> tuple[str, str]:
    """The keys a login attempt of ``user`` from ``address`` counts against: the client address, and the
    user at that address (``client:ADDRESS``, ``user:NAME@ADDRESS``)."""
    return (f"client:{address}", f"user:{user}@{address}")


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    """How many failures a key gets for free and how long it is locked after them."""

    free_failures: int = 5
    base_delay: float = 1.0
    max_delay: float = 900.0
    forget_after: float = 3600.0

    def delay_after(self, failures: int) -> float:
        """Seconds a key is locked after its ``failures``-th failure (0 while failures are free)."""
        if failures < self.free_failures:
            return 0.0
        return float(min(self.base_delay * 2 ** (failures - self.free_failures), self.max_delay))


@dataclass(slots=True)
class _Record:
    failures: int
    locked_until: float
    last: float


class LoginThrottle:
    """Failed logins by key (``client:ADDRESS``, ``user:NAME@ADDRESS``); one event loop, no awaits inside.

    ``policies`` maps a key's prefix (``user``, ``client``) to its policy; other keys use ``default``.
    """

    def __init__(
        self,
        default: ThrottlePolicy | None = None,
        policies: dict[str, ThrottlePolicy] | None = None,
        clock: Clock = time.monotonic,
        max_keys: int = 10_000,
    ) -> None:
        self._default = default or ThrottlePolicy()
        self._policies = dict(policies or {})
        self._clock = clock
        self._max_keys = max_keys
        self._records: dict[str, _Record] = {}

    def retry_after(self, keys: Iterable[str]) -> float:
        """Seconds until every one of ``keys`` may try again (0: now)."""
        now = self._clock()
        waits = [record.locked_until - now for key in keys if (record := self._current(key, now)) is not None]
        return max([0.0, *waits])

    def begin(self, keys: Iterable[str]) -> float:
        """Start an attempt: 0 if it may go ahead (and it now counts as a failure of each key), else the
        seconds to wait (nothing is counted)."""
        keys = list(keys)
        wait = self.retry_after(keys)
        if wait > 0:
            return wait
        now = self._clock()
        for key in keys:
            record = self._current(key, now) or _Record(0, now, now)
            record.failures += 1
            record.last = now
            record.locked_until = now + self._policy(key).delay_after(record.failures)
            self._records.pop(key, None)
            self._records[key] = record  # most recent last: the oldest are dropped first
        self._bound()
        return 0.0

    def forgive(self, keys: Iterable[str]) -> None:
        """The attempt succeeded: forget the keys' failures."""
        for key in keys:
            self._records.pop(key, None)

    def failures(self, key: str) -> int:
        """The failures counted for ``key`` now (for tests and for operators)."""
        record = self._current(key, self._clock())
        return record.failures if record is not None else 0

    def _policy(self, key: str) -> ThrottlePolicy:
        return self._policies.get(key.partition(":")[0], self._default)

    def _current(self, key: str, now: float) -> _Record | None:
        record = self._records.get(key)
        if record is None:
            return None
        if now >= record.locked_until and now - record.last >= self._policy(key).forget_after:
            del self._records[key]
            return None
        return record

    def _bound(self) -> None:
        while len(self._records) > self._max_keys:
            del self._records[next(iter(self._records))]
