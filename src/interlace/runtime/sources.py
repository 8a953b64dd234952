"""Sources: the project folders a server runs from, read and edited file by file.

An edit changes one YAML file of a running project's folder (the folder is the source of truth; a
console form is one way to write it). Edits are serialized. Each one writes the changed file, checks the
whole project as ``interlace check`` does (the server's profile and environment), and only when it has
no problem deploys the folder again (every worker follows). A refused edit changes nothing: the file
gets its old text back and the running version keeps serving; the error lists the problems at their
``file:line``.

A project deployed as a bundle has no source here (its unpacked folder is a build's output, replaced
by the next bundle): editing it is refused, as is a folder the server may not write.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from interlace.compiler.compile import check_project
from interlace.compiler.diagnostics import format_problem
from interlace.errors import ConfigError, InterlaceError
from interlace.model.load import load_project
from interlace.runtime.versions import DeploymentInfo

if TYPE_CHECKING:
    from interlace.runtime.deployments import Deployments
    from interlace.runtime.shared import Shared

__all__ = ["EditRefusedError", "ProjectSources", "SourceEdit", "SourceNotEditableError", "problem_view"]

_SUFFIXES: Final = (".yaml", ".yml")
_MAX_FILE: Final = 1024 * 1024


class SourceNotEditableError(InterlaceError):
    """The project has no source the server may edit (deployed as a bundle, or not writable): change
    its source elsewhere and deploy it."""

    code = "NOT_EDITABLE"
    status = 409


class EditRefusedError(InterlaceError):
    """The edited project has problems (``detail``: each as :func:`problem_view`); nothing changed."""

    code = "EDIT_REFUSED"
    status = 422


class UnknownSourceError(InterlaceError):
    """No such file in the project's folder."""

    code = "NOT_FOUND"
    status = 404


def problem_view(problem: ConfigError) -> dict[str, Any]:
    """A problem as data: ``file``, ``line`` (None when it has no place), ``message``, ``hint``."""
    where = problem.location
    message = problem.message
    if where is not None and message.endswith(f" at {where}"):
        message = message[: -len(f" at {where}")]
    return {
        "file": where.file if where is not None else None,
        "line": where.line if where is not None else None,
        "message": message,
        "hint": problem.hint,
    }


@dataclass(frozen=True, slots=True)
class SourceEdit:
    """A change made: the project's new active version and the edited file."""

    info: DeploymentInfo
    file: str


class ProjectSources:
    """The sources of the projects ``deployments`` runs (see the module docstring)."""

    def __init__(self, deployments: Deployments, shared: Shared) -> None:
        self._deployments = deployments
        self._shared = shared
        self._lock = asyncio.Lock()

    def folder(self, name: str) -> Path:
        """The folder project ``name`` runs from; UnknownDeploymentError, SourceNotEditableError."""
        deployment = self._deployments.active(name)
        if self._deployments.info(deployment).bundle:
            raise SourceNotEditableError(
                f"{name} {deployment.version} was deployed as a bundle, which has no source on the "
                "server: change its project folder and deploy a new bundle (interlace build)"
            )
        return deployment.root.resolve()

    def file(self, name: str, file: str) -> Path:
        """The project file ``file`` (relative to its folder); it must be a YAML file inside it."""
        folder = self.folder(name)
        relative = Path(file.replace("\x00", ""))
        path = (folder / relative).resolve()
        outside = "\x00" in file or relative.is_absolute() or not path.is_relative_to(folder)
        if outside or path.suffix not in _SUFFIXES:
            raise UnknownSourceError(f"{file!r} is not a YAML file of project {name}")
        if not path.is_file():
            raise UnknownSourceError(f"project {name} has no file {file}")
        return path

    def read(self, name: str, file: str) -> str:
        path = self.file(name, file)
        if path.stat().st_size > _MAX_FILE:
            raise UnknownSourceError(f"{file} is larger than {_MAX_FILE} bytes: edit it elsewhere")
        return path.read_text("utf-8")

    async def edit(self, name: str, file: str, change: Callable[[str], str]) -> SourceEdit:
        """Apply ``change`` (old text -> new text; a ConfigError of it refuses the edit) to ``file`` of
        project ``name``, check the project and deploy it (see the module docstring)."""
        async with self._lock:
            path = self.file(name, file)
            if not os.access(path, os.W_OK):
                raise SourceNotEditableError(f"the server may not write {file} of project {name}")
            old = self.read(name, file)
            new = change(old)
            await asyncio.to_thread(_write, path, new)
            try:
                problems = await asyncio.to_thread(self._check, self.folder(name))
                if problems:
                    raise _refused(name, problems)
                try:
                    info = await self._deployments.deploy_folder(self.folder(name))
                except ConfigError as exc:
                    raise _refused(name, list(exc.detail) if isinstance(exc.detail, list) else [exc]) from exc
            except BaseException:
                await asyncio.to_thread(_write, path, old)
                raise
            return SourceEdit(info, file)

    def _check(self, folder: Path) -> list[ConfigError]:
        shared = self._shared  # the profile and environment the server loads with
        return check_project(load_project(folder, shared.profile, shared.env), shared.connectors)


def _refused(name: str, problems: list[ConfigError]) -> EditRefusedError:
    count = len(problems)
    lines = "\n".join(format_problem(problem) for problem in problems)
    return EditRefusedError(
        f"the edit was refused: {name} would have {count} problem{'s' if count != 1 else ''} "
        f"(nothing changed):\n{lines}",
        detail=[problem_view(problem) for problem in problems],
    )


def _write(path: Path, text: str) -> None:
    """``text`` into ``path`` whole: written beside it, then renamed over it (its mode kept)."""
    partial = path.with_name(f".{path.name}.editing")
    partial.write_text(text, "utf-8")
    partial.chmod(path.stat().st_mode & 0o7777)
    partial.replace(path)
