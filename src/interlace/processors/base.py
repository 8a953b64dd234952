"""The MessageProcessor seam: a background consumer of one message store (a
:class:`~interlace.services.Service` of kind ``processor``), and the state it shows.

Beyond the service contract, for every processor kind (forwarding, sampling): ``run(stop)`` finishes
the message being delivered before it returns (or, cancelled because it took too long, gives it back
to the store unchanged); a failed delivery or an unreachable store is recorded, waited out and tried
again; a forwarding processor whose exhausted policy is ``deactivate`` raises
:class:`~interlace.services.ServiceFailedError`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal, Protocol

from interlace.services import Service, ServiceRecord, ServiceState

__all__ = ["MessageProcessor", "ProcessorCounters", "ProcessorKind", "ProcessorState"]

ProcessorKind = Literal["forwarding", "sampling"]
TargetKind = Literal["endpoint", "sequence", "store"]


class ProcessorState(ServiceState):
    """A snapshot of a processor for operators: what it does, whether it runs, and how it went.

    ``failed_attempts`` counts failed deliveries (each retry counts); ``last_error`` is the latest
    failure's text (a delivery or a store that could not be read).
    """

    kind: ProcessorKind
    store: str
    target_kind: TargetKind
    target: str
    delivered: int = 0
    failed_attempts: int = 0
    dead_lettered: int = 0
    dropped: int = 0
    in_flight: int = 0


class DeliveryTargetLike(Protocol):
    """What a state snapshot needs of a delivery target."""

    @property
    def kind(self) -> TargetKind: ...

    @property
    def name(self) -> str: ...


@dataclass(slots=True)
class ProcessorCounters:
    """The figures of a processor beyond its service record (one event loop: no lock needed)."""

    delivered: int = 0
    failed_attempts: int = 0
    dead_lettered: int = 0
    dropped: int = 0
    in_flight: int = 0

    def snapshot(
        self,
        name: str,
        kind: ProcessorKind,
        record: ServiceRecord,
        store: str,
        target: DeliveryTargetLike,
        *,
        coordinated: bool = False,
    ) -> ProcessorState:
        """The figures as a :class:`ProcessorState` of processor ``name``."""
        return ProcessorState(
            name=name,
            kind=kind,
            store=store,
            target_kind=target.kind,
            target=target.name,
            coordinated=coordinated,
            **asdict(self),
            **record.fields(),
        )


class MessageProcessor(Service, Protocol):
    """A background consumer of a message store (see the module docstring for the contract)."""

    def state(self) -> ProcessorState: ...
