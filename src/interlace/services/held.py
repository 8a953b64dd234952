"""Held services: the ones an operator deactivated, kept in the server's state folder so that they stay
inactive across restarts and redeploys until activated again.

One JSON file per project (``.interlace/services/PROJECT.json``): ``{"processor": [...], "inbound":
[...], "task": [...]}``. Written whole to a temporary file and renamed over the old one, so a crash
leaves either version, never half of one.
"""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

from interlace.services.service import SERVICE_KINDS, ServiceKind

__all__ = ["HeldServices", "write_state_file"]

_log = logging.getLogger("interlace.services")


class HeldServices:
    """The deactivated services of one project; ``path`` None keeps them in memory only (tests,
    embedding). Read once when made; called from the runtime's event loop."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._names: dict[ServiceKind, set[str]] = {kind: set() for kind in SERVICE_KINDS}
        if path is not None:
            self._load(path)

    @classmethod
    def of_project(cls, state_dir: Path, project: str) -> HeldServices:
        """The held services of ``project`` in the state folder ``state_dir`` (``.interlace``)."""
        return cls(state_dir / "services" / f"{project}.json")

    def holds(self, kind: ServiceKind, name: str) -> bool:
        return name in self._names[kind]

    async def hold(self, kind: ServiceKind, name: str) -> None:
        """Keep ``name`` inactive from now on."""
        if name not in self._names[kind]:
            self._names[kind].add(name)
            await self._save()

    async def release(self, kind: ServiceKind, name: str) -> None:
        """Let ``name`` start with its deployment again."""
        if name in self._names[kind]:
            self._names[kind].discard(name)
            await self._save()

    def _load(self, path: Path) -> None:
        try:
            data = json.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            _log.warning("deactivated services in %s cannot be read (%s); all start as defined", path, exc)
            return
        for kind in SERVICE_KINDS:
            names = data.get(kind, []) if isinstance(data, dict) else []
            self._names[kind] = {name for name in names if isinstance(name, str)}

    async def _save(self) -> None:
        if self.path is None:
            return
        data = {kind: sorted(names) for kind, names in self._names.items()}
        await asyncio.to_thread(write_state_file, self.path, json.dumps(data, indent=2) + "\n")


def write_state_file(path: Path, text: str) -> None:
    """Replace the state file ``path`` with ``text`` in one step (a crash leaves the old or the new one);
    blocking: run it in a thread."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    partial.write_text(text, "utf-8")
    partial.replace(path)
