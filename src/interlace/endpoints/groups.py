"""Groups of endpoints: load balancing (round robin) and failover (in order)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Literal

from interlace.endpoints.base import Endpoint, EndpointResponse, EndpointState, StateName
from interlace.endpoints.switch import deactivated_error
from interlace.errors import EndpointError, EndpointSuspendedError
from interlace.message import MessageContext
from interlace.model.durations import format_duration

__all__ = ["FailoverEndpoint", "LoadBalanceEndpoint"]


def _group_state(members: tuple[EndpointState, ...]) -> StateName:
    if members and all(member.state == "suspended" for member in members):
        return "suspended"
    return "active"


def _soonest_resume(members: Sequence[Endpoint]) -> float:
    waits = [
        state.resumes_in for state in (member.state() for member in members) if state.resumes_in is not None
    ]
    return min(waits, default=0.0)


class _Group:
    """What load-balance and failover groups share: members, a manual switch, a state over the members."""

    __slots__ = ("_deactivated", "_members", "_name")
    kind: ClassVar[Literal["load-balance", "failover"]]

    def __init__(self, name: str, members: Sequence[Endpoint]) -> None:
        if not members:
            raise ValueError(f"{self.kind} endpoint {name!r} needs at least one member")
        self._name = name
        self._members = tuple(members)
        self._deactivated = False

    @property
    def name(self) -> str:
        return self._name

    @property
    def members(self) -> tuple[Endpoint, ...]:
        return self._members

    def activate(self) -> None:
        """Take calls again; the members' own states are left as they are."""
        self._deactivated = False

    def deactivate(self) -> None:
        """Refuse every call until :meth:`activate`; the members stay usable by other flows and groups."""
        self._deactivated = True

    def state(self) -> EndpointState:
        members = tuple(member.state() for member in self._members)
        state = "suspended" if self._deactivated else _group_state(members)
        return EndpointState(self._name, self.kind, state, members=members, deactivated=self._deactivated)


class LoadBalanceEndpoint(_Group):
    """Sends each message to the next member in turn (round robin), skipping suspended members.

    A member that is suspended, or that turns out to be when called, is passed over for the next one;
    any other error of the chosen member is the call's error (the message is not sent twice). When
    every member is suspended the call fails at once with :class:`EndpointSuspendedError`.
    """

    __slots__ = ("_next",)
    kind: ClassVar[Literal["load-balance", "failover"]] = "load-balance"

    def __init__(self, name: str, members: Sequence[Endpoint]) -> None:
        super().__init__(name, members)
        self._next = 0

    async def send(self, ctx: MessageContext) -> EndpointResponse:
        if self._deactivated:
            raise deactivated_error(self._name)
        count = len(self._members)
        start = self._next
        # Advanced before awaiting, so concurrent calls spread over the members too.
        self._next = (start + 1) % count
        for offset in range(count):
            member = self._members[(start + offset) % count]
            if member.state().state == "suspended":
                continue
            try:
                return await member.send(ctx)
            except EndpointSuspendedError:
                continue
        resumes_in = _soonest_resume(self._members)
        raise EndpointSuspendedError(
            f"endpoint {self._name}: all {count} members are suspended; one of them takes calls again "
            f"in {format_duration(resumes_in)}",
            detail={"endpoint": self._name, "resumes_in": resumes_in},
        )


class FailoverEndpoint(_Group):
    """Sends each message to the first member; when it fails with an :class:`EndpointError` (connection
    error, timeout, failure status, suspension), to the next one, and so on.

    Fails with :class:`EndpointSuspendedError` when every member was suspended, else with
    :class:`EndpointError` naming each member's failure (``detail["failures"]``).
    """

    __slots__ = ()
    kind: ClassVar[Literal["load-balance", "failover"]] = "failover"

    async def send(self, ctx: MessageContext) -> EndpointResponse:
        if self._deactivated:
            raise deactivated_error(self._name)
        failures: list[tuple[str, EndpointError]] = []
        for member in self._members:
            try:
                return await member.send(ctx)
            except EndpointError as exc:
                failures.append((member.name, exc))
        last = failures[-1][1]
        detail: dict[str, object] = {
            "endpoint": self._name,
            "failures": {name: exc.public_message for name, exc in failures},
        }
        listed = "; ".join(f"{name}: {exc.message}" for name, exc in failures)
        shown = "; ".join(f"{name}: {exc.public_message}" for name, exc in failures)
        if all(isinstance(exc, EndpointSuspendedError) for _, exc in failures):
            detail["resumes_in"] = _soonest_resume(self._members)
            raise EndpointSuspendedError(
                f"endpoint {self._name}: all {len(failures)} members are suspended ({listed})",
                detail=detail,
                public=f"endpoint {self._name}: all {len(failures)} members are suspended ({shown})",
            ) from last
        raise EndpointError(
            f"endpoint {self._name}: all {len(failures)} members failed ({listed})",
            detail=detail,
            public=f"endpoint {self._name}: all {len(failures)} members failed ({shown})",
        ) from last
