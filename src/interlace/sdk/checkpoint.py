"""Checkpoints: where a trigger got to in its source, kept by the runtime across restarts and redeploys.

A trigger whose source does not remember a reader's position (a table polled by its key, a log read by
offset without a consumer group) declares a parameter annotated :class:`Checkpoint`::

    @connector.trigger
    async def newRows(conn: MyConnection, checkpoint: Checkpoint, *, table: Annotated[str, Param("...")]
                      ) -> AsyncIterator[TriggerEvent]:
        position = await checkpoint.load()
        ...
        await checkpoint.save({"key": last_key})   # once the events up to it are acknowledged

The runtime passes the inbound endpoint's checkpoint there; it is not a parameter users write, and the
reference does not list it.

Contract:

- **Value.** A small JSON object (a key, an offset, a timestamp as text), or None before the first save.
- **Who calls.** The trigger: ``load`` when it starts, ``save`` when its position advanced, typically from
  the acknowledgement of an event (so the position never passes an unprocessed event). Calls of one
  checkpoint are never concurrent: a trigger with concurrent acknowledgements serializes its saves.
- **Durability.** A ``save`` that returned survives a crash of the process; a ``save`` that raised left
  the previous value (the trigger may raise a :class:`~interlace.sdk.RetryableError` and start again).
- **Name.** :attr:`Checkpoint.name` is unique on the server (``PROJECT/INBOUND``): a trigger that keeps its
  position in its source instead (so that every node sees it) stores it under that name.
- **Nodes.** The runtime keeps a checkpoint in the project's state folder, for one node; run the inbound
  endpoint with ``coordination`` so that one node polls, and keep the position in the source when
  another node must take over where the first stopped.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from interlace.message import JsonValue

__all__ = ["Checkpoint", "CheckpointValue", "MemoryCheckpoint"]

CheckpointValue = dict[str, JsonValue]
"""What a checkpoint holds: a small JSON object."""


@runtime_checkable
class Checkpoint(Protocol):
    """The position of one trigger of one inbound endpoint (see the module's contract)."""

    @property
    def name(self) -> str:
        """The inbound endpoint's server-wide name, ``PROJECT/INBOUND``."""

    def describe(self) -> str:
        """Where the position is kept, for messages (``checkpoint in .interlace/checkpoints/X.json``)."""

    async def load(self) -> CheckpointValue | None:
        """The last saved position, or None when nothing was saved yet."""

    async def save(self, value: CheckpointValue) -> None:
        """Keep ``value`` durably, replacing the previous position."""


class MemoryCheckpoint:
    """A checkpoint in memory, lost with the process: for tests, and for a trigger started without a
    runtime."""

    __slots__ = ("_value", "name", "saves")

    def __init__(self, name: str = "memory", value: CheckpointValue | None = None) -> None:
        self.name = name
        self._value = value
        self.saves = 0

    def describe(self) -> str:
        return f"checkpoint {self.name} in memory"

    async def load(self) -> CheckpointValue | None:
        return None if self._value is None else dict(self._value)

    async def save(self, value: CheckpointValue) -> None:
        self._value = dict(value)
        self.saves += 1
