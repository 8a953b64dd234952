"""Backoff: how long to wait after the n-th failure in a row, growing exponentially up to a cap.

One rule for every retry of background work: a processor's failed delivery, an inbound message handed
back for redelivery, a service restarted by its supervisor.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Backoff"]


@dataclass(frozen=True, slots=True)
class Backoff:
    """Seconds to wait after a failure: ``initial`` times ``factor`` per earlier failure, at most
    ``maximum``."""

    initial: float = 1.0
    factor: float = 2.0
    maximum: float = 60.0

    def delay(self, failures: int) -> float:
        """The wait after the ``failures``-th failure in a row (1-based)."""
        return float(min(self.initial * self.factor ** max(0, failures - 1), self.maximum))
