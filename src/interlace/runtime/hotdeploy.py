"""The hot deployment folder: bundles dropped into a folder are deployed while the server runs.

Every ``*.zip`` in the folder (not in its subfolders; names starting with ``.`` are ignored, so a copy
written as ``.name.zip`` and renamed is picked up only when complete) is deployed through
:class:`~interlace.runtime.deployments.Deployments`, as its own project (or a new version of the project
it holds), beside the others. A deployed bundle is moved to ``deployed/``; a refused one to ``failed/``,
with its diagnostics beside it in ``NAME.zip.txt`` (and in the log), while the running versions keep
serving. Files already there when the watch starts are deployed first.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Final

from interlace.errors import InterlaceError
from interlace.runtime.deployments import Deployments

if TYPE_CHECKING:
    from watchfiles import Change

__all__ = ["HotDeployFolder"]

_log = logging.getLogger("interlace.runtime")
DEPLOYED: Final = "deployed"
FAILED: Final = "failed"


def _is_bundle(change: Change, path: str) -> bool:
    from watchfiles import Change

    name = Path(path).name
    return change != Change.deleted and name.endswith(".zip") and not name.startswith(".")


class HotDeployFolder:
    """Deploys the bundles dropped into ``folder`` (created when missing) until stopped.

    ``settle`` is how long a file's size and time must stay unchanged before it is read (a copy may
    still be under way). One runtime task runs :meth:`run`; :meth:`scan` may also be called directly.
    """

    def __init__(self, deployments: Deployments, folder: Path, *, settle: float = 0.3) -> None:
        self.deployments = deployments
        self.folder = folder
        self.settle = settle

    async def run(self, stop: asyncio.Event) -> None:
        """Deploy what is there, then whatever arrives, until ``stop`` is set."""
        from watchfiles import awatch  # loaded where a folder is watched (not by followers)

        self.folder.mkdir(parents=True, exist_ok=True)
        _log.info("watching %s for bundles to deploy", self.folder)
        await self.scan()
        async for _ in awatch(
            self.folder, watch_filter=_is_bundle, stop_event=stop, recursive=False, debounce=400, step=50
        ):
            await self.scan()

    async def scan(self) -> list[Path]:
        """Deploy every complete bundle in the folder, oldest name first; returns where each went."""
        moved = []
        for path in sorted(self.folder.glob("*.zip")):
            if path.name.startswith(".") or not path.is_file() or not await self._settled(path):
                continue
            moved.append(await self._deploy(path))
        return moved

    async def _settled(self, path: Path) -> bool:
        try:
            before = await asyncio.to_thread(path.stat)
            if self.settle > 0:
                await asyncio.sleep(self.settle)
            after = await asyncio.to_thread(path.stat)
        except FileNotFoundError:
            return False
        return (before.st_size, before.st_mtime_ns) == (after.st_size, after.st_mtime_ns)

    async def _deploy(self, path: Path) -> Path:
        try:
            data = await asyncio.to_thread(path.read_bytes)
            info = await self.deployments.deploy(data)
        except InterlaceError as exc:
            _log.error("hot deployment of %s refused; the running version keeps serving: %s", path.name, exc)
            return await asyncio.to_thread(self._move, path, FAILED, exc.message)
        except Exception as exc:
            _log.exception("hot deployment of %s failed; the running version keeps serving", path.name)
            return await asyncio.to_thread(self._move, path, FAILED, f"{type(exc).__name__}: {exc}")
        _log.info("hot deployed %s as %s %s", path.name, info.name, info.version)
        return await asyncio.to_thread(self._move, path, DEPLOYED, None)

    def _move(self, path: Path, subfolder: str, diagnostics: str | None) -> Path:
        target_folder = self.folder / subfolder
        target_folder.mkdir(exist_ok=True)
        target = target_folder / path.name
        path.replace(target)
        report = target_folder / f"{path.name}.txt"
        if diagnostics is not None:
            report.write_text(diagnostics + "\n", encoding="utf-8")
        else:
            report.unlink(missing_ok=True)
        return target
