"""Running a project's suites: :func:`run_project_suites` loads the project and its ``tests/*.yaml``,
checks the suites against the project, runs every case in order and returns the results with the
coverage of the project's flows."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from interlace.errors import ConfigError
from interlace.model.suite import SuiteDefinition, load_suites
from interlace.testing.checks import check_suites
from interlace.testing.coverage import Coverage
from interlace.testing.expect import differences
from interlace.testing.project import ProjectUnderTest

__all__ = ["CaseResult", "SuiteRun", "run_project_suites", "run_suites"]

SUITES_FOLDER = "tests"


@dataclass(frozen=True, slots=True)
class CaseResult:
    """How one case went: ``failures`` is empty when it passed."""

    suite: str
    case: str
    location: str
    failures: tuple[str, ...]
    seconds: float

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass(slots=True)
class SuiteRun:
    """The results of every case of a project's suites, and the coverage they reached."""

    project: str
    results: list[CaseResult] = field(default_factory=list)
    coverage: Coverage = field(default_factory=Coverage)

    @property
    def failed(self) -> list[CaseResult]:
        return [result for result in self.results if not result.passed]


async def run_suites(project: ProjectUnderTest, suites: list[SuiteDefinition], name: str) -> SuiteRun:
    """Run every case of ``suites`` on ``project`` (opened), in order."""
    run = SuiteRun(name, coverage=project.coverage)
    for suite in suites:
        for case in suite.cases:
            started = time.perf_counter()
            try:
                outcome = await project.run_case(case, suite.mocks)
                failures = tuple(differences(case.expect, outcome))
            except Exception as exc:  # a defect shown as the case's failure, not a traceback
                failures = (f"the case could not run: {type(exc).__name__}: {exc}",)
            seconds = time.perf_counter() - started
            run.results.append(CaseResult(suite.suite, case.case, str(case.location), failures, seconds))
    return run


async def run_project_suites(root: Path, profile: str | None = None, folder: Path | None = None) -> SuiteRun:
    """Load the project at ``root`` and run the suites of ``folder`` (default: its ``tests/``).
    :class:`ConfigError` lists every problem of the project or its suites (``detail``)."""
    project = ProjectUnderTest.load(root, profile)
    suites, problems = load_suites(folder or root / SUITES_FOLDER, root)
    problems += check_suites(suites, project.artifacts, project.registry, project.coverage.operations)
    if problems:
        first = problems[0]
        raise ConfigError(first.message, location=first.location, hint=first.hint, detail=problems)
    async with project:
        return await run_suites(project, suites, project.artifacts.name)
