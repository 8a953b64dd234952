"""A connector's trigger as an inbound endpoint's source: the trigger runs on a connection borrowed from
the connection's pool for as long as it runs, with the endpoint's checkpoint when it keeps a position."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping

from interlace.connections import ConnectionPool
from interlace.sdk import Checkpoint, TriggerEvent, TriggerSpec

__all__ = ["ConnectorTriggerSource"]


class ConnectorTriggerSource:
    """The events of ``spec`` on connection ``pool`` with the parameter ``values`` (constants, checked
    against the spec when the project was compiled) and the endpoint's ``checkpoint`` (for a trigger that
    keeps a position); an :class:`~interlace.inbound.base.EventSource`."""

    kind = "trigger"

    def __init__(
        self,
        spec: TriggerSpec,
        pool: ConnectionPool,
        values: Mapping[str, object],
        *,
        checkpoint: Checkpoint | None = None,
    ) -> None:
        self.spec = spec
        self.pool = pool
        self.values = dict(values)
        self.checkpoint = checkpoint

    def describe(self) -> str:
        return f"{self.spec.qualified_name} on connection {self.pool.name}"

    async def events(self) -> AsyncGenerator[TriggerEvent, None]:
        async with self.pool.use() as connection:
            trigger = self.spec.start(connection, self.values, checkpoint=self.checkpoint)
            try:
                async for event in trigger:
                    yield event
            finally:
                await trigger.aclose()
