"""Supervisor: runs the services of a deployment (its processors, tasks and inbound endpoints) as
background tasks, activates and deactivates them on request, restarts them with backoff after failures,
runs coordinated ones only while this node holds their lease, and stops them gracefully.

A deployment owns one supervisor; no other code starts service tasks. Stopping sets the service's stop
event and waits up to the graceful timeout for its messages in flight; then its task is cancelled (the
service hands those messages back to their source). An operator's deactivation is kept in
:class:`~interlace.services.held.HeldServices`, so the service stays inactive across redeploys and
restarts until activated.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from interlace.errors import InterlaceError
from interlace.services.backoff import Backoff
from interlace.services.coordination import Coordinator
from interlace.services.held import HeldServices
from interlace.services.schedule import Wait, wait_or_stop
from interlace.services.service import (
    SERVICE_KINDS,
    Service,
    ServiceFailedError,
    ServiceKind,
    ServiceRecord,
    ServiceState,
)

__all__ = ["KIND_NAMES", "Supervisor", "UnknownServiceError"]

_log = logging.getLogger("interlace.services")

KIND_NAMES: dict[ServiceKind, str] = {"processor": "processor", "inbound": "inbound endpoint", "task": "task"}
"""How messages name each kind of service."""


class UnknownServiceError(InterlaceError):
    """No service of that kind and name is deployed."""

    code = "NOT_FOUND"
    status = 404


@dataclass(slots=True)
class _Running:
    stop: asyncio.Event
    task: asyncio.Task[None]


class Supervisor:
    """The services of one deployment, by kind and name.

    ``coordinator`` (None: coordination off) runs services marked coordinated under the lease
    ``{project}/{kind}/{name}``; ``held`` keeps what an operator deactivated; a service that fails is
    started again after ``restart``'s backoff (reset once it ran longer than the backoff's maximum).
    Methods are called from the runtime's event loop, also concurrently.
    """

    def __init__(
        self,
        services: Iterable[Service],
        *,
        project: str = "",
        graceful_timeout: float = 10.0,
        coordinator: Coordinator | None = None,
        held: HeldServices | None = None,
        restart: Backoff | None = None,
        wait: Wait = wait_or_stop,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._services: dict[ServiceKind, dict[str, Service]] = {kind: {} for kind in SERVICE_KINDS}
        for service in services:
            self._services[service.kind][service.name] = service
        self.project = project
        self._graceful_timeout = graceful_timeout
        self._coordinator = coordinator
        self.held = held or HeldServices()
        self._restart = restart or Backoff(initial=1.0, factor=2.0, maximum=30.0)
        self._wait = wait
        self._clock = clock
        self._running: dict[tuple[ServiceKind, str], _Running] = {}

    # looking -------------------------------------------------------------------------------------
    def service(self, kind: ServiceKind, name: str) -> Service:
        """The service ``name`` of ``kind``; UnknownServiceError (404) with the known names if none."""
        service = self._services[kind].get(name)
        if service is None:
            known = ", ".join(sorted(self._services[kind])) or "none"
            what = KIND_NAMES[kind]
            raise UnknownServiceError(f"no {what} named {name!r} ({what}s: {known})")
        return service

    def names(self, kind: ServiceKind) -> list[str]:
        """The names of the services of ``kind``, sorted."""
        return sorted(self._services[kind])

    def services(self, kind: ServiceKind) -> list[Service]:
        """The services of ``kind``, by name."""
        return [self._services[kind][name] for name in sorted(self._services[kind])]

    def states(self, kind: ServiceKind) -> list[ServiceState]:
        """Every service of ``kind``: status, counts and last error, by name."""
        return [service.state() for service in self.services(kind)]

    def state(self, kind: ServiceKind, name: str) -> ServiceState:
        return self.service(kind, name).state()

    def is_running(self, kind: ServiceKind, name: str) -> bool:
        running = self._running.get((kind, name))
        return running is not None and not running.task.done()

    # operating -----------------------------------------------------------------------------------
    def start(self) -> None:
        """Run every service defined active and not held inactive: processors first, then tasks, then
        inbound endpoints."""
        for kind in SERVICE_KINDS:
            for service in self.services(kind):
                if service.starts_active and not self.held.holds(kind, service.name):
                    self._spawn(service)

    async def activate(self, kind: ServiceKind, name: str) -> ServiceState:
        """Run ``name`` (also after it stopped by itself); nothing happens when it runs already. It
        starts with its deployment from now on."""
        service = self.service(kind, name)
        await self.held.release(kind, name)
        if not self.is_running(kind, name):
            self._spawn(service)
            await asyncio.sleep(0)  # let it start before its state is shown
        return service.state()

    async def deactivate(self, kind: ServiceKind, name: str) -> ServiceState:
        """Stop ``name`` gracefully (messages in flight finish, or go back to their source); it stays
        inactive, across redeploys and restarts, until activated."""
        service = self.service(kind, name)
        await self.held.hold(kind, name)
        running = self._running.pop((kind, name), None)
        if running is not None:
            await self._stop(service, running)
        return service.state()

    async def stop(self) -> None:
        """Stop every service gracefully: inbound endpoints and tasks first (at once), then processors,
        so no new message starts while the rest finishes; safe to call twice."""
        await self._stop_where(lambda service: True)

    async def hand_over(self) -> None:
        """Stop the coordinated services gracefully, as :meth:`stop` does, which gives up their leases:
        another node takes each over within its ``renew`` while this one finishes its requests in
        flight (a server stopping calls this first)."""
        if self._coordinator is not None:
            await self._stop_where(lambda service: service.coordinated)

    async def _stop_where(self, chosen: Callable[[Service], bool]) -> None:
        for kind in reversed(SERVICE_KINDS):
            stopping = [
                (key, entry)
                for key, entry in self._running.items()
                if key[0] == kind and chosen(self._services[kind][key[1]])
            ]
            for key, _ in stopping:
                del self._running[key]
            await asyncio.gather(
                *(self._stop(self._services[kind][name], entry) for (_, name), entry in stopping)
            )

    # running -------------------------------------------------------------------------------------
    def _spawn(self, service: Service) -> None:
        stop = asyncio.Event()
        task = asyncio.get_running_loop().create_task(
            self._supervise(service, stop), name=f"{KIND_NAMES[service.kind]} {service.name}"
        )
        task.add_done_callback(_report_crash)
        self._running[(service.kind, service.name)] = _Running(stop, task)

    async def _supervise(self, service: Service, stop: asyncio.Event) -> None:
        record = service.record
        what = f"{KIND_NAMES[service.kind]} {service.name}"
        failures = 0
        try:
            while not stop.is_set():
                started = self._clock()
                try:
                    await self._run_once(service, stop)
                except ServiceFailedError as exc:
                    record.status, record.last_error = "failed", exc.message
                    _log.error("%s stopped: %s", what, exc.message)
                    return
                except Exception as exc:
                    record.last_error = exc.message if isinstance(exc, InterlaceError) else repr(exc)
                    if stop.is_set():
                        return
                    failures = 1 if self._clock() - started > self._restart.maximum else failures + 1
                    record.restarts += 1
                    delay = self._restart.delay(failures)
                    _log.warning("%s failed (%s); starting it again in %gs", what, record.last_error, delay)
                    if await self._wait(stop, delay):
                        return
                    continue
                if not stop.is_set() and record.status == "active":
                    record.status = "done"
                return
        finally:
            if record.status in ("active", "standby"):
                record.status = "inactive"

    async def _run_once(self, service: Service, stop: asyncio.Event) -> None:
        record = service.record
        if not (service.coordinated and self._coordinator is not None):
            record.status = "active"
            await service.run(stop)
            return
        lease = f"{self.project}/{service.kind}/{service.name}"
        record.status = "standby"
        await self._coordinator.run_exclusively(lease, service.run, stop, _standby(record))

    async def _stop(self, service: Service, running: _Running) -> None:
        running.stop.set()
        task = running.task
        if task.done():
            return
        done, _ = await asyncio.wait({task}, timeout=self._graceful_timeout)
        if task in done:
            return
        _log.warning(
            "%s %s did not finish within %ss; its messages in flight go back to their source",
            KIND_NAMES[service.kind],
            service.name,
            self._graceful_timeout,
        )
        task.cancel()
        await asyncio.wait({task})


def _standby(record: ServiceRecord) -> Callable[[bool], None]:
    def standby(waiting: bool) -> None:
        if waiting:
            record.status = "standby"
        elif record.status == "standby":
            record.status = "active"

    return standby


def _report_crash(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        _log.error("%s stopped by an unexpected error", task.get_name(), exc_info=task.exception())
