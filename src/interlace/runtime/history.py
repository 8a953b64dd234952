"""The activation history: which version of which project became active when, kept in ``history.json``
beside the deployed bundles so that rollbacks and restarts know it.

Rolling a project back steps back along its entries; undeploying a project forgets them; a restarted
server serves again the version each project had last.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import orjson

__all__ = ["Activation", "History"]

_FILE: Final = "history.json"
_log = logging.getLogger("interlace.runtime")


@dataclass(frozen=True, slots=True)
class Activation:
    """Version ``version`` of project ``name``, loaded from ``source``, became active ``at`` (seconds
    since the epoch)."""

    name: str
    version: str
    source: str
    at: float


class History:
    """The history in ``folder`` (read on first use, written atomically on every change). Used from the
    runtime's event loop under the deployment lock."""

    def __init__(self, folder: Path, clock: Callable[[], float]) -> None:
        self.folder = folder
        self._clock = clock
        self._entries: list[Activation] | None = None

    @property
    def entries(self) -> list[Activation]:
        """Oldest first."""
        if self._entries is None:
            self._entries = self._load()
        return self._entries

    def of(self, name: str) -> list[Activation]:
        """The entries of project ``name``, oldest first."""
        return [entry for entry in self.entries if entry.name == name]

    def last(self, name: str) -> Activation | None:
        ours = self.of(name)
        return ours[-1] if ours else None

    def before(self, name: str, version: str) -> Activation | None:
        """The latest activation of project ``name`` before its last one, in another version than
        ``version``, whose folder is still there: what a rollback returns to."""
        earlier = [e for e in self.of(name)[:-1] if e.version != version and Path(e.source).is_dir()]
        return earlier[-1] if earlier else None

    def record(self, name: str, version: str, source: Path) -> None:
        """Note that ``version`` of ``name`` from ``source`` became active, unless it already was."""
        last = self.last(name)
        where = str(source.resolve())
        if last is not None and (last.version, last.source) == (version, where):
            return
        self.entries.append(Activation(name, version, where, self._clock()))
        self._save()

    def step_back(self, name: str, to: Activation) -> None:
        """Forget what came after ``to`` for project ``name``, and note ``to`` active again."""
        position = self.entries.index(to)
        self._entries = [e for i, e in enumerate(self.entries) if i < position or e.name != name]
        self.entries.append(Activation(to.name, to.version, to.source, self._clock()))
        self._save()

    def forget(self, name: str, version: str | None = None) -> None:
        """Forget project ``name`` (only its ``version`` when given)."""
        self._entries = [
            e for e in self.entries if e.name != name or (version is not None and e.version != version)
        ]
        self._save()

    def at(self, name: str, version: str) -> float | None:
        """When ``version`` of ``name`` last became active; None when never."""
        moments = [e.at for e in self.entries if (e.name, e.version) == (name, version)]
        return moments[-1] if moments else None

    def _load(self) -> list[Activation]:
        try:
            raw: Any = orjson.loads((self.folder / _FILE).read_bytes())
            return [
                Activation(str(a["name"]), str(a["version"]), str(a["source"]), float(a["at"])) for a in raw
            ]
        except FileNotFoundError:
            return []
        except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            _log.warning("the deployment history in %s cannot be read; starting a new one", self.folder)
            return []

    def _save(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        data = [{"name": a.name, "version": a.version, "source": a.source, "at": a.at} for a in self.entries]
        partial = self.folder / f".{_FILE}.partial"
        partial.write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2))
        partial.replace(self.folder / _FILE)
