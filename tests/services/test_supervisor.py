"""The supervisor: a service that fails is started again with a growing backoff; one that stops itself
stays failed until activated; stopping waits for a service's work up to the grace period, then cancels
it; activation and deactivation are kept per project."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from interlace.services import (
    Backoff,
    HeldServices,
    ServiceFailedError,
    ServiceKind,
    ServiceRecord,
    ServiceState,
    Supervisor,
    UnknownServiceError,
)
from tests.support import eventually, within


class Flaky:
    """A service whose runs fail ``failures`` times, then run until stopped (or, ``stuck``, ignore
    the stop); or stop themselves for good (``fatal``)."""

    kind: ServiceKind = "inbound"
    coordinated = False
    starts_active = True

    def __init__(self, name: str = "Flaky", failures: int = 0, *, fatal: bool = False, stuck: bool = False):
        self.name = name
        self.failures = failures
        self.fatal = fatal
        self.stuck = stuck
        self.runs = 0
        self.cancelled = False
        self.running = asyncio.Event()
        self.record = ServiceRecord()

    def state(self) -> ServiceState:
        return ServiceState(name=self.name, **self.record.fields())

    async def run(self, stop: asyncio.Event) -> None:
        self.runs += 1
        if self.fatal:
            raise ServiceFailedError("the source refused the credentials")
        if self.runs <= self.failures:
            raise ConnectionError(f"run {self.runs} failed")
        self.running.set()
        try:
            await (asyncio.Event().wait() if self.stuck else stop.wait())
        except asyncio.CancelledError:
            self.cancelled = True
            raise


class Waits:
    """Records the backoff waits instead of waiting."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    async def __call__(self, stop: asyncio.Event, seconds: float) -> bool:
        self.seconds.append(seconds)
        await asyncio.sleep(0)
        return stop.is_set()


async def test_a_failing_service_is_started_again_with_a_growing_backoff() -> None:
    flaky, waits = Flaky(failures=3), Waits()
    supervisor = Supervisor([flaky], restart=Backoff(initial=1.0, factor=2.0, maximum=3.0), wait=waits)
    supervisor.start()
    await within(flaky.running.wait())
    state = supervisor.state("inbound", "Flaky")
    assert (state.status, state.restarts, state.last_error) == (
        "active",
        3,
        "ConnectionError('run 3 failed')",
    )
    assert waits.seconds == [1.0, 2.0, 3.0]
    await supervisor.stop()
    assert supervisor.state("inbound", "Flaky").status == "inactive"


async def test_a_service_that_stops_itself_stays_failed_until_activated() -> None:
    flaky = Flaky(fatal=True)
    supervisor = Supervisor([flaky])
    supervisor.start()
    await eventually(lambda: flaky.record.status == "failed")
    assert (flaky.state().status, flaky.state().last_error) == (
        "failed",
        "the source refused the credentials",
    )
    assert flaky.runs == 1
    flaky.fatal = False
    assert (await supervisor.activate("inbound", "Flaky")).status == "active"
    await within(flaky.running.wait())
    await supervisor.stop()


async def test_stopping_cancels_a_service_that_outlives_the_grace_period() -> None:
    stuck, polite = Flaky("Stuck", stuck=True), Flaky("Polite")
    supervisor = Supervisor([stuck, polite], graceful_timeout=0.05)
    supervisor.start()
    await within(asyncio.gather(stuck.running.wait(), polite.running.wait()))
    await supervisor.stop()
    assert (stuck.cancelled, polite.cancelled) == (True, False)


async def test_a_deactivated_service_is_held_in_the_state_folder(tmp_path: Path) -> None:
    held = HeldServices.of_project(tmp_path / ".interlace", "shop")
    supervisor = Supervisor([Flaky()], project="shop", held=held)
    supervisor.start()
    assert (await supervisor.deactivate("inbound", "Flaky")).status == "inactive"
    again = Flaky()
    restarted = Supervisor(
        [again], project="shop", held=HeldServices.of_project(tmp_path / ".interlace", "shop")
    )
    restarted.start()
    assert not restarted.is_running("inbound", "Flaky")
    assert (await restarted.activate("inbound", "Flaky")).status == "active"
    assert not HeldServices.of_project(tmp_path / ".interlace", "shop").holds("inbound", "Flaky")
    await restarted.stop()
    await supervisor.stop()


async def test_an_unknown_service_is_named_with_the_known_ones() -> None:
    supervisor = Supervisor([Flaky("B"), Flaky("A")])
    with pytest.raises(
        UnknownServiceError, match=r"no inbound endpoint named 'C' \(inbound endpoints: A, B\)"
    ):
        await supervisor.activate("inbound", "C")
