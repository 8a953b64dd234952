"""What a suite run tells its reader: a readable report for the terminal, JUnit XML for CI."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from interlace.testing.runner import SuiteRun

__all__ = ["coverage_lines", "report_lines", "write_junit"]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def report_lines(run: SuiteRun) -> list[str]:
    """One line per case (``ok`` or ``FAIL``), each failure's differences under it, then a summary."""
    lines: list[str] = []
    for result in run.results:
        mark = "ok  " if result.passed else "FAIL"
        lines.append(f"{mark} {result.suite} :: {result.case}")
        if not result.passed:
            lines.append(f"     at {result.location}")
            for failure in result.failures:
                lines += [f"     {line}" for line in failure.split("\n")]
    failed = len(run.failed)
    passed = len(run.results) - failed
    lines.append(f"{_plural(passed, 'case')} passed, {failed} failed")
    return lines


def coverage_lines(run: SuiteRun) -> list[str]:
    """The coverage figures, then each mediator and branch no case reached."""
    coverage = run.coverage
    mediators, branches = coverage.reached()
    lines = [
        f"coverage: {mediators} of {len(coverage.mediators)} mediators,"
        f" {branches} of {len(coverage.branches)} branches reached"
    ]
    missed_mediators, missed_branches = coverage.missed()
    lines += [f"  not reached: mediator {label}" for label in missed_mediators]
    lines += [f"  not reached: branch {label}" for label in missed_branches]
    return lines


def write_junit(run: SuiteRun, path: Path) -> None:
    """Write the results as JUnit XML (one testsuite per suite), as CI systems read it."""
    root = ET.Element("testsuites", name=run.project)
    suites: dict[str, ET.Element] = {}
    for result in run.results:
        suite = suites.get(result.suite)
        if suite is None:
            suite = suites[result.suite] = ET.SubElement(root, "testsuite", name=result.suite)
        case = ET.SubElement(
            suite,
            "testcase",
            name=result.case,
            classname=f"{run.project}.{result.suite}",
            file=result.location.rpartition(":")[0],
            time=f"{result.seconds:.3f}",
        )
        if not result.passed:
            failure = ET.SubElement(case, "failure", message=result.failures[0].split("\n")[0])
            failure.text = "\n".join(result.failures)
    for suite in suites.values():
        cases = suite.findall("testcase")
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(sum(1 for case in cases if case.find("failure") is not None)))
    root.set("tests", str(len(run.results)))
    root.set("failures", str(len(run.failed)))
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
