"""``interlace import synapse PATH -o DIR``: writes a project that ``interlace check`` accepts, and prints
the report's approximated and unsupported constructs at their file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from interlace.cli import app

HERE = Path(__file__).parent


def test_import_writes_a_project_that_check_accepts(tmp_path: Path) -> None:
    runner = CliRunner()
    imported = runner.invoke(
        app, ["import", "synapse", str(HERE / "fixtures" / "healthcare"), "-o", str(tmp_path / "out")]
    )
    assert imported.exit_code == 0, imported.output
    assert "0 approximated, 0 unsupported; wrote 9 files" in imported.output
    assert (
        (tmp_path / "out" / "apis" / "HealthcareAPI.yaml")
        .read_text()
        .startswith("# Imported from synapse-config/api/HealthcareAPI.xml:2\napi: HealthcareAPI\n")
    )
    checked = runner.invoke(app, ["check", str(tmp_path / "out")])
    assert checked.exit_code == 0, checked.output
    assert "no problems found" in checked.output


def test_import_prints_what_it_could_not_convert_with_file_and_line(tmp_path: Path) -> None:
    shutil.copy(HERE / "cases" / "unsupported.xml", tmp_path / "unsupported.xml")
    result = CliRunner().invoke(app, ["import", "synapse", str(tmp_path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "unsupported.xml:9" in result.output
    assert "datamapper" in result.output
    assert "unsupported.xml:14" in result.output
    assert "7 converted, 2 approximated, 10 unsupported" in result.output


def test_import_of_a_missing_path_fails_with_a_message(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["import", "synapse", str(tmp_path / "nothing"), "-o", str(tmp_path / "out")]
    )
    assert result.exit_code == 1
    assert "no Synapse configuration at" in result.output
