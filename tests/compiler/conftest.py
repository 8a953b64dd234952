from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from interlace.compiler import check_project
from interlace.model.load import load_project
from tests.support import write_project

Problem = tuple[str, str, str | None]
"""``("file:line", message, hint)`` of one reported problem."""

Check = Callable[..., list[Problem]]

PROJECT = '[project]\nname = "broken"\n'


def write_files(root: Path, files: Mapping[str, str]) -> Path:
    """Write ``files`` (dedented) under ``root``, with a minimal interlace.toml unless one is given."""
    return write_project(root, {"interlace.toml": PROJECT, **files})


@pytest.fixture
def check(tmp_path: Path) -> Check:
    """``check(files, profile=None, env=None)``: every problem of a project made of ``files``."""

    def run(
        files: Mapping[str, str], profile: str | None = None, env: Mapping[str, str] | None = None
    ) -> list[Problem]:
        project = load_project(write_files(tmp_path / "project", files), profile, env or {})
        return [(str(p.location), p.message, p.hint) for p in check_project(project)]

    return run


def sequence(flow: str, name: str = "Main") -> str:
    """A sequence file: line 1 names it, line 2 is ``flow:``, the first mediator is on line 3."""
    return f"sequence: {name}\nflow:\n" + textwrap.indent(textwrap.dedent(flow).strip("\n"), "  ") + "\n"
