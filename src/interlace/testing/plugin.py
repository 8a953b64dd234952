"""The pytest plugin (registered through the ``pytest11`` entry point, so installing Interlace is enough).

- A project's YAML suites are collected: each case of ``PROJECT/tests/*.yaml`` (beside an
  ``interlace.toml``) is a pytest item, failing with the same differences ``interlace test`` prints.
- The ``interlace_project`` fixture loads a project for Python tests::

      async def test_reserving(interlace_project):
          project = interlace_project("examples/healthcare")
          project.mock_endpoint("HospitalReserveEP", json={"appointmentNumber": 1})
          project.mock_endpoint("ChannelingFeeEP", json={"actualFee": "7000.0"})
          answer = await project.request("POST", "/healthcare/categories/surgery/reserve", json={...})
          assert answer.status == 200
          assert answer.calls_of("HospitalReserveEP")[0].url.endswith("/grandoaks/categories/surgery/reserve")

  Mocks are checked against the endpoints' and operations' specs as they are given; nothing reaches the
  network. ``run_sequence(name, json=...)`` runs a sequence instead of a request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from interlace.compiler.diagnostics import format_problem
from interlace.errors import ConfigError
from interlace.model.load import PROJECT_FILE
from interlace.model.suite import CaseDefinition, SuiteDefinition, load_suite
from interlace.testing.checks import check_suites
from interlace.testing.expect import differences
from interlace.testing.project import ProjectUnderTest
from interlace.testing.runner import SUITES_FOLDER

__all__ = ["SuiteCase", "SuiteFile", "interlace_project", "pytest_collect_file"]


class CaseFailedError(Exception):
    """A suite case differed from its expectations (or could not be checked)."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def _project_of(path: Path) -> Path | None:
    folder = path.parent
    if path.suffix == ".yaml" and folder.name == SUITES_FOLDER and (folder.parent / PROJECT_FILE).is_file():
        return folder.parent
    return None


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> SuiteFile | None:
    """Collect ``PROJECT/tests/*.yaml`` suites of Interlace projects."""
    if _project_of(file_path) is None:
        return None
    suite_file: SuiteFile = SuiteFile.from_parent(parent, path=file_path)
    return suite_file


class SuiteFile(pytest.File):
    """One suite file: its cases are the items."""

    def collect(self) -> Iterator[SuiteCase]:
        root = _project_of(self.path)
        assert root is not None
        try:
            suite = load_suite(self.path, root)
        except ConfigError as exc:
            problems = list(exc.detail) if isinstance(exc.detail, list) else [exc]
            raise self.CollectError("\n".join(format_problem(problem) for problem in problems)) from None
        for case in suite.cases:
            yield SuiteCase.from_parent(self, name=case.case, root=root, suite=suite, case=case)


class SuiteCase(pytest.Item):
    """One case of a suite, run in-process as ``interlace test`` runs it."""

    def __init__(self, *, root: Path, suite: SuiteDefinition, case: CaseDefinition, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.root = root
        self.suite = suite
        self.case = case

    def runtest(self) -> None:
        lines = asyncio.run(self._run())
        if lines:
            raise CaseFailedError(lines)

    async def _run(self) -> list[str]:
        try:
            project = ProjectUnderTest.load(self.root)
        except ConfigError as exc:
            problems = list(exc.detail) if isinstance(exc.detail, list) else [exc]
            return [format_problem(problem) for problem in problems]
        problems = check_suites(
            [self.suite], project.artifacts, project.registry, project.coverage.operations
        )
        if problems:
            return [format_problem(problem) for problem in problems]
        async with project:
            return differences(self.case.expect, await project.run_case(self.case, self.suite.mocks))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CaseFailedError):
            return f"{self.case.location}: {self.case.case}\n" + "\n".join(excinfo.value.lines)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.case.location.line - 1, f"{self.suite.suite} :: {self.case.case}"


@pytest.fixture
def interlace_project() -> Iterator[Callable[..., ProjectUnderTest]]:
    """Load a project for testing: ``interlace_project(path, profile=None)`` returns a
    :class:`~interlace.testing.ProjectUnderTest` (see the module docstring)."""
    loaded: list[ProjectUnderTest] = []

    def load(root: str | Path, profile: str | None = None) -> ProjectUnderTest:
        project = ProjectUnderTest.load(Path(root), profile)
        loaded.append(project)
        return project

    yield load
    for project in loaded:
        asyncio.run(project.aclose())
