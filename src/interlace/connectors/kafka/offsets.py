"""Which offsets of a partition are done, so the committed offset never passes a record still in flight.

Kafka keeps one committed offset per partition and group: everything below it counts as processed. Records
finish in any order, so a partition's ledger remembers each record handed out and commits only up to the
first one not yet done. A record to be delivered again stays in the ledger (it holds the commit back)
until the consumer, sent back to it, reads it again; records read again that are still in flight or done
are skipped.
"""

from __future__ import annotations

import enum
from collections import deque

__all__ = ["PartitionLedger"]


class _State(enum.Enum):
    IN_FLIGHT = "in flight"
    DONE = "done"
    AGAIN = "to be delivered again"


class PartitionLedger:
    """The records of one partition handed out since it was assigned, until committed past.

    Used from one event loop; not safe across threads.
    """

    def __init__(self) -> None:
        self._states: dict[int, _State] = {}
        self._order: deque[int] = deque()
        self._done_up_to: int | None = None
        self.committed: int | None = None
        """The offset last committed from this ledger."""
        self.assigned = True
        """False once the group took the partition away: what is settled afterwards is not committed."""

    def admit(self, offset: int) -> bool:
        """Whether the record at ``offset``, just read, is to be delivered (and is now in flight)."""
        state = self._states.get(offset)
        if state is _State.AGAIN:
            self._states[offset] = _State.IN_FLIGHT
            return True
        if state is not None:
            return False  # read again after a seek back, but in flight or done already
        newest = self._order[-1] if self._order else None
        if (newest is not None and offset <= newest) or (
            self._done_up_to is not None and offset < self._done_up_to
        ):
            return False  # done and forgotten
        self._states[offset] = _State.IN_FLIGHT
        self._order.append(offset)
        return True

    def finish(self, offset: int) -> None:
        """The record at ``offset`` is done (processed, dead-lettered or dropped)."""
        if self._states.get(offset) is not _State.IN_FLIGHT:
            return
        self._states[offset] = _State.DONE
        while self._order and self._states[self._order[0]] is _State.DONE:
            first = self._order.popleft()
            del self._states[first]
            self._done_up_to = first + 1

    def again(self, offset: int) -> int | None:
        """The record at ``offset`` failed and is to be read again; the offset to seek back to (the first
        record waiting to be read again), or None if the record is not in flight."""
        if self._states.get(offset) is not _State.IN_FLIGHT:
            return None
        self._states[offset] = _State.AGAIN
        return min(known for known, state in self._states.items() if state is _State.AGAIN)

    def to_commit(self) -> int | None:
        """The offset to commit now (every record below it is done), or None if nothing new is done."""
        if self._done_up_to is None or (self.committed is not None and self._done_up_to <= self.committed):
            return None
        return self._done_up_to
