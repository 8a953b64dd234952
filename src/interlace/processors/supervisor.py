"""ProcessorSupervisor: runs the processors of a deployment as background tasks, activates and
deactivates them on request, and stops them gracefully.

The runtime owns one supervisor per deployment. Each active processor runs in one task created here;
no other code starts processor tasks. Stopping sets the processor's stop event and waits up to the
graceful timeout for its in-flight messages to finish; then the task is cancelled, and a forwarding
processor gives its in-flight messages back to the store unchanged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Mapping

from interlace.background import BackgroundWork
from interlace.errors import InterlaceError
from interlace.processors.base import MessageProcessor, ProcessorState

__all__ = ["ProcessorSupervisor", "UnknownProcessorError"]

_log = logging.getLogger("interlace.processors")


class UnknownProcessorError(InterlaceError):
    """No processor of that name is deployed."""

    code = "NOT_FOUND"
    status = 404


class ProcessorSupervisor:
    """The processors of one deployment, by name. Methods are called from the runtime's event loop;
    ``activate`` and ``deactivate`` may be called at any time, also concurrently."""

    def __init__(self, processors: Mapping[str, MessageProcessor], *, graceful_timeout: float = 10.0) -> None:
        self._processors = dict(processors)
        self._graceful_timeout = graceful_timeout
        self._running: dict[str, BackgroundWork] = {}

    @property
    def names(self) -> list[str]:
        return list(self._processors)

    def start(self, keep_inactive: Collection[str] = ()) -> None:
        """Run every processor defined as active, except those named in ``keep_inactive``."""
        for name, processor in self._processors.items():
            if processor.starts_active and name not in keep_inactive:
                self._spawn(name, processor)

    def state(self, name: str) -> ProcessorState:
        return self._processor(name).state()

    def states(self) -> list[ProcessorState]:
        return [processor.state() for processor in self._processors.values()]

    def is_running(self, name: str) -> bool:
        running = self._running.get(name)
        return running is not None and not running.task.done()

    async def activate(self, name: str) -> ProcessorState:
        """Run ``name`` (also after it deactivated itself); nothing happens when it runs already."""
        processor = self._processor(name)
        if not self.is_running(name):
            self._spawn(name, processor)
            await asyncio.sleep(0)  # let it mark itself active before its state is shown
        return processor.state()

    async def deactivate(self, name: str) -> ProcessorState:
        """Stop ``name`` gracefully (in-flight messages finish or go back to the store)."""
        processor = self._processor(name)
        running = self._running.pop(name, None)
        if running is not None:
            await self._stop(name, running)
        return processor.state()

    async def aclose(self) -> None:
        """Stop every processor gracefully, at once; safe to call twice."""
        running, self._running = self._running, {}
        await asyncio.gather(*(self._stop(name, entry) for name, entry in running.items()))

    def _processor(self, name: str) -> MessageProcessor:
        processor = self._processors.get(name)
        if processor is None:
            known = ", ".join(sorted(self._processors)) or "none"
            raise UnknownProcessorError(f"no processor named {name!r} (processors: {known})")
        return processor

    def _spawn(self, name: str, processor: MessageProcessor) -> None:
        self._running[name] = BackgroundWork(f"processor {name}", processor.run)

    async def _stop(self, name: str, running: BackgroundWork) -> None:
        await running.stop(self._graceful_timeout, _log, "its in-flight messages go back to the store")
