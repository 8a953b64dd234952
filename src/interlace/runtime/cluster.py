"""Following the bundle ledger: each node runs the bundles the ledger names (see
:mod:`interlace.runtime.ledger`).

A node reads the ledger when it starts (before it is ready), whenever a change is announced, and every
``poll`` seconds besides (an announcement is lost while the listening connection is down). A project
whose ledger row changed since the node last looked is deployed here from the bundle in the ledger,
unless this node runs that version already (it made the change); a project the ledger names as
undeployed is stopped here. A bundle that this node cannot run (it has problems here, or claims what
another project holds) is logged and kept in :attr:`ClusterFollower.failures`, which the node's
readiness reports, and the running version keeps serving.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Final

from interlace.errors import InterlaceError
from interlace.runtime.deployments import Deployments
from interlace.runtime.ledger import ActiveBundle, BundleLedger
from interlace.runtime.versions import manifest_of

__all__ = ["ClusterFollower"]

_log = logging.getLogger("interlace.runtime")
_POLL: Final = 5.0


class ClusterFollower:
    """Runs what ``ledger`` names through ``deployments``. One runtime task runs :meth:`run`;
    :meth:`sync` may also be called directly (the runtime does before it serves)."""

    def __init__(self, deployments: Deployments, ledger: BundleLedger, *, poll: float = _POLL) -> None:
        self.deployments = deployments
        self.ledger = ledger
        self.poll = poll
        self.failures: dict[str, str] = {}
        """Why a project's bundle in the ledger does not run here, by project name."""
        self._seen: dict[str, int] = {}
        self._announced = asyncio.Event()

    async def sync(self) -> list[str]:
        """Run what the ledger names now; one line per change made here."""
        changes = []
        for row in await self.ledger.active():
            if self._seen.get(row.name, 0) >= row.change:
                continue
            outcome = await self._apply(row)
            self._seen[row.name] = row.change
            if outcome:
                changes.append(outcome)
        return changes

    async def _apply(self, row: ActiveBundle) -> str | None:
        running = self.deployments.running.get(row.name)
        if row.version is None:
            self.failures.pop(row.name, None)
            if running is None:
                return None
            await self.deployments.undeploy(row.name, share=False)
            return f"{row.name} is undeployed, as node {row.node} asked"
        if running is not None and running.version == row.version and manifest_of(running.root) is not None:
            self.failures.pop(row.name, None)
            return None
        data = await self.ledger.bundle(row.name, row.version)
        if data is None:
            return None  # removed meanwhile: a later change names what runs
        try:
            info = await self.deployments.deploy(data, share=False)
        except InterlaceError as exc:
            self.failures[row.name] = f"{row.name} {row.version} (from node {row.node}): {exc.message}"
            _log.error("cannot run %s %s as node %s asked: %s", row.name, row.version, row.node, exc)
            return None
        self.failures.pop(row.name, None)
        return f"{info.name} {info.version} is active, as node {row.node} asked"

    async def run(self, stop: asyncio.Event) -> None:
        """Follow the ledger until ``stop``: listen for announcements, read it on each and every
        ``poll`` seconds; a database that cannot be reached is tried again at the next poll."""
        while not stop.is_set():
            try:
                if not self.ledger.listening:
                    await self.ledger.listen(self._announced.set)
                self._announced.clear()
                for change in await self.sync():
                    _log.info("%s", change)
            except self.ledger.errors as exc:
                _log.warning("the bundle ledger cannot be read (tried again in %gs): %s", self.poll, exc)
                await self.ledger.reset()
            except Exception:
                _log.exception("following the bundle ledger failed (tried again in %gs)", self.poll)
            stopping = asyncio.ensure_future(stop.wait())
            announced = asyncio.ensure_future(self._announced.wait())
            try:
                await asyncio.wait(
                    {stopping, announced}, timeout=self.poll, return_when=asyncio.FIRST_COMPLETED
                )
            finally:
                for waiter in (stopping, announced):
                    waiter.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await waiter
