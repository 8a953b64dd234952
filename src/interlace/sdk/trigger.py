"""Triggers: sources of inbound events (new mail, a queue's messages, a changed row) of a connector.

A trigger is an async generator function, described like an operation::

    @connector.trigger
    async def newMail(conn: ImapConnection, *, folder: Annotated[str, Param("Folder to watch.")] = "INBOX"
                      ) -> AsyncIterator[TriggerEvent]:
        \"\"\"Each new message in the folder.\"\"\"
        while True:
            for uid, raw in await conn.fetch_new(folder):
                yield TriggerEvent(Payload(raw, "message/rfc822"), delivery=MarkSeen(conn, uid))
            await conn.wait_for_change(folder)

Contract:

- **Who calls.** The runtime starts a trigger (:meth:`TriggerSpec.start`) once per active inbound
  endpoint, on an opened connection, and iterates it in one task for as long as the endpoint is deployed.
  It stops the trigger by closing the generator (``aclose``): the ``yield`` raises ``GeneratorExit``, so
  release what the trigger holds in ``finally`` or ``async with``.
- **Acknowledgement.** Each event is settled exactly once: :meth:`TriggerEvent.ack` after its
  message is processed or stored durably, :meth:`TriggerEvent.nack` when it failed (``requeue`` says
  whether the source should deliver it again). The runtime may ask for the next event before it has
  settled the previous one; a source that must not deliver more until then waits for the settlement
  itself. Events of sources with nothing to acknowledge use the default no-op :data:`NO_ACK`.
- **Redelivery.** The runtime bounds the attempts per message (the inbound endpoint's ``redelivery``
  settings): a failed event is handed back (``nack(requeue=True)``) after a backoff, and after its last
  attempt dead-lettered. A source that knows how often it delivered a message gives it as
  :attr:`TriggerEvent.attempt` (RabbitMQ's ``x-delivery-count``, JetStream's ``num_delivered``, SQS's
  ``ApproximateReceiveCount``, a Redis stream's pending count); otherwise the runtime counts failures
  itself, by :attr:`TriggerEvent.key` (a message id or offset). A source that can have a dead-letter
  place of its own (a dead-letter exchange, queue, stream, subject or topic) gives its deliveries a
  ``dead_letter(reason)`` method (:class:`DeadLettering`): when that place is configured it moves the
  message there, body and headers kept, the reason added, settles it and returns True; otherwise it
  returns False, and the runtime keeps the message in a message store of the project and acknowledges
  it. Nothing is dropped.
- **Position.** A trigger whose source does not remember where a reader got to declares a parameter
  annotated :class:`~interlace.sdk.Checkpoint`; the runtime passes the inbound endpoint's durable
  checkpoint there (:mod:`interlace.sdk.checkpoint`). Leases (one node runs a polling trigger) and the
  bounded redelivery above are the runtime's, for every trigger alike.
- **Errors.** A :class:`~interlace.sdk.RetryableError` from the generator makes the runtime start the
  trigger again after a backoff; a :class:`~interlace.sdk.FatalError` stops the inbound endpoint and is
  reported. Events not yet acknowledged when a trigger fails are redelivered by the source, if it can.
"""

from __future__ import annotations

import inspect
import re
import typing
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Protocol, cast, runtime_checkable

from interlace.message import Payload
from interlace.sdk._schema import parameters_schema
from interlace.sdk.checkpoint import Checkpoint, MemoryCheckpoint
from interlace.sdk.connection import Connection, ConnectionConfig
from interlace.sdk.spec import (
    ParameterSpec,
    ParamProblem,
    check_values,
    coerce_values,
    read_parameters,
)

__all__ = [
    "DEAD_LETTER_REASON",
    "NO_ACK",
    "DeadLettering",
    "Delivery",
    "TriggerEvent",
    "TriggerSpec",
    "build_trigger_spec",
]

DEAD_LETTER_REASON: Final = "x-interlace-dead-letter-reason"
"""The header a dead-lettered message carries: why it was dead-lettered (its last error, its attempts)."""

TriggerFunction = Callable[..., AsyncIterator[Any]]
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


class Delivery(Protocol):
    """The source's handle on one event, to settle it; each method is called at most once per event."""

    async def ack(self) -> None:
        """The event's message was processed or stored: the source may forget it."""

    async def nack(self, *, requeue: bool) -> None:
        """The event's message failed: the source delivers it again if ``requeue``, or drops it."""


@runtime_checkable
class DeadLettering(Delivery, Protocol):
    """A delivery whose source has a dead-letter place of its own (see the module's contract)."""

    async def dead_letter(self, reason: str) -> bool:
        """Move the event's message to the source's dead-letter place with ``reason`` (in the header
        :data:`DEAD_LETTER_REASON`, body and other headers as they were), then settle it, and return
        True; return False, settling nothing, when no dead-letter place is configured. Raise a
        :class:`~interlace.sdk.RetryableError` when it could not be moved (the message stays)."""


class _NoAck:
    async def ack(self) -> None:
        pass

    async def nack(self, *, requeue: bool) -> None:
        pass

    def __repr__(self) -> str:
        return "NO_ACK"


NO_ACK: Final[Delivery] = _NoAck()
"""The delivery of events whose source has nothing to acknowledge (a webhook already answered, a poll)."""


@dataclass(frozen=True, slots=True)
class TriggerEvent:
    """One inbound event: the payload (``Payload(raw, content_type)`` or ``Payload.of_json(value)``),
    headers (become the message's headers), attributes (source facts such as a mail uid or a queue's
    delivery tag; become message properties) and the delivery handle that acknowledges it.

    ``attempt`` is how many times the source delivered this message, this delivery included (None when
    the source does not know); ``key`` names the message across redeliveries (a message id, an offset),
    for the runtime to count its attempts when the source does not; ``lag`` (below) is the backlog."""

    payload: Payload
    headers: Mapping[str, str] = field(default_factory=dict)
    attributes: Mapping[str, Any] = field(default_factory=dict)
    delivery: Delivery = NO_ACK
    attempt: int | None = None
    key: str | None = None
    lag: int | None = None
    """How many messages wait at the source behind this one (Kafka's high watermark less the partitions'
    positions, JetStream's pending count), when the source knows: operators see it as the endpoint's lag."""

    async def ack(self) -> None:
        """Settle the event as done (see the module's contract)."""
        await self.delivery.ack()

    async def nack(self, *, requeue: bool = True) -> None:
        """Settle the event as failed; ``requeue`` asks the source to deliver it again."""
        await self.delivery.nack(requeue=requeue)


@dataclass(frozen=True, slots=True)
class TriggerSpec:
    """A trigger of a connector, as data; an inbound endpoint names it ``connector.name`` with its values.

    The compiler calls :meth:`validate_static`; the runtime calls :meth:`start` once per activation.
    """

    connector: str
    name: str
    description: str
    parameters: tuple[ParameterSpec, ...]
    function: TriggerFunction = field(repr=False, compare=False)
    checkpoint: str | None = None
    """The argument the runtime passes the endpoint's :class:`~interlace.sdk.Checkpoint` as, if any."""

    @property
    def qualified_name(self) -> str:
        """``connector.name``, as inbound endpoints write it."""
        return f"{self.connector}.{self.name}"

    @property
    def summary(self) -> str:
        """The description's first paragraph, on one line."""
        return " ".join(self.description.split("\n\n")[0].split())

    def validate_static(self, params: Mapping[str, object]) -> list[ParamProblem]:
        """Problems with an inbound endpoint's values, as :meth:`OperationSpec.validate_static` finds them."""
        return check_values(self.qualified_name, self.parameters, params)

    def coerce(self, values: Mapping[str, object]) -> dict[str, object]:
        """The values converted to the parameters' types; :class:`~interlace.sdk.InvalidInput` otherwise."""
        return coerce_values(self.qualified_name, self.parameters, values)

    def start(
        self,
        connection: Connection[ConnectionConfig],
        values: Mapping[str, object],
        *,
        checkpoint: Checkpoint | None = None,
    ) -> AsyncGenerator[TriggerEvent, None]:
        """The trigger's events on an opened connection; iterate it, and ``aclose`` it to stop. A trigger
        that keeps a position gets ``checkpoint`` (one in memory when not given)."""
        arguments = self.coerce(values)
        if self.checkpoint is not None:
            arguments[self.checkpoint] = checkpoint or MemoryCheckpoint(self.qualified_name)
        # The function is an async generator function (checked when the spec was built).
        return cast("AsyncGenerator[TriggerEvent, None]", self.function(connection, **arguments))

    def json_schema(self) -> dict[str, Any]:
        """The JSON Schema of this trigger's parameter mapping; secret values and defaults never appear."""
        return parameters_schema(self.qualified_name, self.description, self.parameters)


def build_trigger_spec(
    function: TriggerFunction, *, connector: str, connection: type[Connection[Any]], name: str | None = None
) -> TriggerSpec:
    """Describe ``function`` as a trigger of ``connector``; ``TypeError`` at import for what cannot be."""
    trigger_name = function.__name__ if name is None else name
    qualified = f"{connector}.{trigger_name}"
    if not _NAME.match(trigger_name):
        raise TypeError(f"{qualified}: a trigger name is letters, digits and '_' (got {trigger_name!r})")
    if not inspect.isasyncgenfunction(function):
        raise TypeError(f"{qualified}: a trigger is an async generator function ('async def' with 'yield')")
    checkpoint = _checkpoint_argument(function, qualified)
    parameters, docstring = read_parameters(
        function, qualified=qualified, connection=connection, injected=[checkpoint] if checkpoint else []
    )
    return TriggerSpec(
        connector=connector,
        name=trigger_name,
        description=docstring.description,
        parameters=parameters,
        function=function,
        checkpoint=checkpoint,
    )


def _checkpoint_argument(function: TriggerFunction, qualified: str) -> str | None:
    """The name of the parameter annotated :class:`Checkpoint`, if there is one."""
    try:
        hints = typing.get_type_hints(function)
    except NameError:
        return None  # read_parameters reports the unresolved annotation
    names = [name for name, hint in hints.items() if hint is Checkpoint]
    if len(names) > 1:
        raise TypeError(f"{qualified}: a trigger has one checkpoint (got parameters {', '.join(names)})")
    return names[0] if names else None
