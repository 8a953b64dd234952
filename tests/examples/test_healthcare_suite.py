"""The healthcare example's own suite (examples/healthcare/tests) passes and reaches every mediator and
branch of the example."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from interlace.cli import app

HEALTHCARE = Path(__file__).resolve().parents[2] / "examples" / "healthcare"


def test_the_healthcare_suite_passes_and_covers_every_mediator_and_branch() -> None:
    result = CliRunner().invoke(app, ["test", str(HEALTHCARE)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert not [line for line in lines if line.startswith("FAIL")]
    assert lines[-2:] == [
        "18 cases passed, 0 failed",
        "coverage: 33 of 33 mediators, 10 of 10 branches reached",
    ]
