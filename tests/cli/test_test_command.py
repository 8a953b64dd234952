"""`interlace test DIR`: the suite runner's command, its exit status, its report and its JUnit XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from typer.testing import CliRunner

from interlace.cli import app
from tests.testing.shop import PASSING, shop

FAILING = PASSING.replace("json-paths: {$.available: false}", "json-paths: {$.available: true}")


def test_a_failing_case_exits_1_with_its_differences_and_junit_xml(tmp_path: Path) -> None:
    project = shop(tmp_path / "shop", {"tests/shop.yaml": FAILING})
    junit = tmp_path / "results.xml"
    result = CliRunner().invoke(app, ["test", str(project), "--junit", str(junit)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[:7] == [
        "ok   Shop :: an item in stock is available",
        "FAIL Shop :: a sold-out item is not",
        "     at tests/shop.yaml:12",
        "     body at $.available: expected true, got false",
        "ok   Shop :: a book is remembered on the books shelf",
        "2 cases passed, 1 failed",
        "coverage: 8 of 10 mediators, 3 of 5 branches reached",
    ]
    suites = ET.parse(junit).getroot()
    assert (suites.get("tests"), suites.get("failures")) == ("3", "1")
    (suite,) = suites.findall("testsuite")
    cases = suite.findall("testcase")
    assert [case.get("name") for case in cases] == [
        "an item in stock is available",
        "a sold-out item is not",
        "a book is remembered on the books shelf",
    ]
    failure = cases[1].find("failure")
    assert failure is not None
    assert failure.get("message") == "body at $.available: expected true, got false"


def test_a_passing_suite_exits_0(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["test", str(shop(tmp_path, {"tests/shop.yaml": PASSING}))])
    assert result.exit_code == 0, result.output
    assert "3 cases passed, 0 failed" in result.stdout.splitlines()


def test_problems_of_the_suites_are_printed_at_their_lines_and_exit_1(tmp_path: Path) -> None:
    broken = PASSING.replace("StockEP: {json: {count: 3}}", "StockAP: {json: {count: 3}}")
    result = CliRunner().invoke(app, ["test", str(shop(tmp_path, {"tests/shop.yaml": broken}))])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "tests/shop.yaml:3: the project has no endpoint 'StockAP'",
        "    hint: did you mean 'StockEP'?",
        "1 problem found",
    ]


def test_a_project_without_cases_exits_1(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["test", str(shop(tmp_path, {}))])
    assert result.exit_code == 1
    assert "no test cases found" in result.stderr
