"""Supervisor: runs a deployment's inbound endpoints (or its tasks) as background tasks, activates and
deactivates them on request, runs coordinated ones only while this node holds their lease, and stops
them gracefully.

The runtime owns one supervisor for inbound endpoints and one for tasks per deployment; no other code
starts their tasks. Stopping sets the object's stop event and waits up to the graceful timeout for its
messages in flight; then its task is cancelled (an inbound endpoint hands those messages back).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection, Coroutine, Mapping
from typing import Any, Generic, TypeVar

from interlace.background import BackgroundWork
from interlace.errors import InterlaceError
from interlace.inbound.base import Supervised
from interlace.inbound.coordination import Coordinator

__all__ = ["Supervisor", "UnknownInboundError"]

_log = logging.getLogger("interlace.inbound")

T = TypeVar("T", bound=Supervised)


class UnknownInboundError(InterlaceError):
    """No inbound endpoint or task of that name is deployed."""

    code = "NOT_FOUND"
    status = 404


class Supervisor(Generic[T]):
    """The objects of one kind (``"inbound endpoint"`` or ``"task"``) of a deployment, by name.

    ``coordinator`` (None: coordination off) runs objects marked coordinated under the lease
    ``{lease_prefix}{name}``. Methods are called from the runtime's event loop, also concurrently.
    """

    def __init__(
        self,
        kind: str,
        items: Mapping[str, T],
        *,
        graceful_timeout: float = 10.0,
        coordinator: Coordinator | None = None,
        lease_prefix: str = "",
    ) -> None:
        self.kind = kind
        self._items = dict(items)
        self._graceful_timeout = graceful_timeout
        self._coordinator = coordinator
        self._lease_prefix = lease_prefix
        self._running: dict[str, BackgroundWork] = {}

    @property
    def items(self) -> Mapping[str, T]:
        return self._items

    def get(self, name: str) -> T:
        """The object ``name``; UnknownInboundError (404) with the known names when there is none."""
        item = self._items.get(name)
        if item is None:
            known = ", ".join(sorted(self._items)) or "none"
            raise UnknownInboundError(f"no {self.kind} named {name!r} ({self.kind}s: {known})")
        return item

    def start(self, keep_inactive: Collection[str] = ()) -> None:
        """Run every object defined as active, except those named in ``keep_inactive``."""
        for name, item in self._items.items():
            if item.starts_active and name not in keep_inactive:
                self._spawn(name, item)

    def is_running(self, name: str) -> bool:
        running = self._running.get(name)
        return running is not None and not running.task.done()

    async def activate(self, name: str) -> T:
        """Run ``name`` (also after it stopped by itself); nothing happens when it runs already."""
        item = self.get(name)
        if not self.is_running(name):
            self._spawn(name, item)
            await asyncio.sleep(0)  # let it mark itself active before its state is shown
        return item

    async def deactivate(self, name: str) -> T:
        """Stop ``name`` gracefully (messages in flight finish, or go back to their source)."""
        item = self.get(name)
        running = self._running.pop(name, None)
        if running is not None:
            await self._stop(name, running)
        return item

    async def aclose(self) -> None:
        """Stop everything gracefully, at once; safe to call twice."""
        running, self._running = self._running, {}
        await asyncio.gather(*(self._stop(name, entry) for name, entry in running.items()))

    def _spawn(self, name: str, item: T) -> None:
        run: Callable[[asyncio.Event], Coroutine[Any, Any, None]] = item.run
        if item.coordinated and self._coordinator is not None:
            coordinator, lease, standby = self._coordinator, self._lease_prefix + name, item.standby

            def run(stop: asyncio.Event) -> Coroutine[Any, Any, None]:
                return coordinator.run_exclusively(lease, item.run, stop, standby)

        self._running[name] = BackgroundWork(f"{self.kind} {name}", run)

    async def _stop(self, name: str, running: BackgroundWork) -> None:
        await running.stop(self._graceful_timeout, _log, "its messages in flight go back to their source")
