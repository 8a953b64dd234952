"""Testing integrations: suites of cases in a project's ``tests/*.yaml``, run in-process with endpoints
and connector operations mocked (the mocks checked against their specs), and the coverage they reach.
``interlace test`` runs them; the pytest plugin (:mod:`interlace.testing.plugin`) runs them under pytest
and gives Python tests the same project, mocks and flows."""

from __future__ import annotations

from interlace.model.suite import CaseDefinition, MocksDefinition, SuiteDefinition, load_suites
from interlace.testing.coverage import Coverage
from interlace.testing.doubles import Call, CallBook
from interlace.testing.expect import CaseRun
from interlace.testing.project import ProjectUnderTest
from interlace.testing.report import coverage_lines, report_lines, write_junit
from interlace.testing.runner import CaseResult, SuiteRun, run_project_suites, run_suites

__all__ = [
    "Call",
    "CallBook",
    "CaseDefinition",
    "CaseResult",
    "CaseRun",
    "Coverage",
    "MocksDefinition",
    "ProjectUnderTest",
    "SuiteDefinition",
    "SuiteRun",
    "coverage_lines",
    "load_suites",
    "report_lines",
    "run_project_suites",
    "run_suites",
    "write_junit",
]
