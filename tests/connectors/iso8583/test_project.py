"""An iso8583 connection whose spec file is wrong is a load-time problem at its line, naming the file,
the field and the key."""

from __future__ import annotations

from pathlib import Path

from tests.support import write_project

from interlace.compiler import check_project
from interlace.model.load import load_project


def test_a_bad_spec_file_is_reported_at_the_connection_s_line(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "payments",
        {
            "connections/acquirer.yaml": "connection: acquirer\nconnector: iso8583\nspec-file: acquirer.yaml\n",
            "acquirer.yaml": "fields:\n  35: {encoding: bcd, length: llvar}\n",
        },
    )

    problems = [(str(problem.location), problem.message) for problem in check_project(load_project(root))]

    assert len(problems) == 1
    (location, message) = problems[0]
    assert location == "connections/acquirer.yaml:3"
    assert f"spec-file {root / 'acquirer.yaml'}: fields.35.max: Field required" in message


def test_a_project_with_a_good_spec_file_has_no_problem(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "payments",
        {
            "connections/acquirer.yaml": "connection: acquirer\nconnector: iso8583\nspec-file: acquirer.yaml\n",
            "acquirer.yaml": "fields:\n  35: {encoding: bcd, length: llvar, max: 37}\n",
        },
    )

    assert check_project(load_project(root)) == []
