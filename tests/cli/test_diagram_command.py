"""`interlace diagram`: a flow drawn as SVG from the command line, with a message trace laid over it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from lxml import etree
from typer.testing import CliRunner

from interlace.cli import app

HEALTHCARE = Path(__file__).resolve().parents[2] / "examples" / "healthcare"
RESERVE = "HealthcareAPI/categories/{category}/reserve"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _step(
    index: int, position: int, line: int, kind: str, outcome: str, parent: int | None = None
) -> dict[str, Any]:
    snapshot = {
        "payload": {"contentType": "application/json", "size": 2, "body": {}},
        "headers": {},
        "variables": {},
    }
    return {
        "index": index, "parent": parent, "sequence": "HealthcareAPI POST /categories/{category}/reserve",
        "position": position, "kind": kind, "name": None, "location": f"apis/healthcare.yaml:{line}",
        "offsetMs": index, "durationMs": 1.5, "outcome": outcome,
        "error": "HospitalReserveEP: connection refused" if outcome == "failed" else None,
        "before": snapshot, "after": snapshot,
    }  # fmt: skip


def test_without_a_flow_it_lists_the_flows_it_can_draw(runner: CliRunner) -> None:
    result = runner.invoke(app, ["diagram", str(HEALTHCARE)])

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "HealthcareAPI/querydoctor/{category}",
        RESERVE,
        "sequence:HealthcareErrorSequence",
        "sequence:PaymentRequestProcessingSequence",
        "sequence:RejectBackendStatus",
    ]


def test_a_flow_is_written_as_an_svg_file(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "reserve.svg"
    result = runner.invoke(app, ["diagram", str(HEALTHCARE), RESERVE, "-o", str(target)])

    assert result.exit_code == 0, result.output
    assert f"wrote {target}" in result.stdout
    root = etree.parse(str(target)).getroot()
    kinds = [g.get("data-kind") for g in root.iter(f"{SVG}g") if g.get("data-node")]
    assert kinds[:4] == ["variable", "variable", "payload", "switch"] and "store" in kinds


def test_a_sequence_is_printed_when_no_file_is_given(runner: CliRunner) -> None:
    result = runner.invoke(app, ["diagram", str(HEALTHCARE), "sequence:RejectBackendStatus"])

    assert result.exit_code == 0, result.output
    assert etree.fromstring(result.stdout.encode()).get("data-flow") == "sequence:RejectBackendStatus"


def test_an_unknown_flow_is_an_error_with_the_closest_name(runner: CliRunner) -> None:
    result = runner.invoke(app, ["diagram", str(HEALTHCARE), "sequence:RejectBackend"])

    assert result.exit_code == 1
    assert "no sequence named 'RejectBackend'; did you mean 'RejectBackendStatus'?" in result.stderr
    assert result.stdout == ""


def test_a_message_trace_marks_the_failed_node(runner: CliRunner, tmp_path: Path) -> None:
    trace = {
        "id": 7, "correlationId": "c-1", "kind": "api", "name": "HealthcareAPI",
        "startedAt": "2026-01-01T00:00:00Z", "outcome": "failed", "stepCount": 2,
        "steps": [_step(0, 0, 19, "variable", "continued"), _step(1, 5, 48, "call", "failed")],
    }  # fmt: skip
    (tmp_path / "trace.json").write_bytes(orjson.dumps([trace]))  # as `interlace trace show -o json` lists
    target = tmp_path / "traced.svg"
    result = runner.invoke(
        app, ["diagram", str(HEALTHCARE), RESERVE, "--trace", str(tmp_path / "trace.json"), "-o", str(target)]
    )

    assert result.exit_code == 0, result.output
    nodes = {
        g.get("data-location"): g
        for g in etree.parse(str(target)).getroot().iter(f"{SVG}g")
        if g.get("data-node")
    }
    assert "state-failed" in nodes["apis/healthcare.yaml:48"].get("class", "").split()
    assert nodes["apis/healthcare.yaml:48"].get("data-error") == "HospitalReserveEP: connection refused"
    assert "state-visited" in nodes["apis/healthcare.yaml:19"].get("class", "").split()
    assert "unvisited" in nodes["apis/healthcare.yaml:65"].get("class", "").split()


def test_a_file_that_is_not_a_message_trace_is_named(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "trace.json").write_text('{"id": 1}', encoding="utf-8")
    result = runner.invoke(
        app, ["diagram", str(HEALTHCARE), RESERVE, "--trace", str(tmp_path / "trace.json")]
    )

    assert result.exit_code == 1
    assert "is not a message trace (correlationId: Field required)" in result.stderr
    assert "interlace trace show KIND NAME --limit 1 -o json" in result.stderr


def test_a_project_with_problems_shows_them_instead(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "sequences").mkdir()
    (tmp_path / "interlace.toml").write_text('[project]\nname = "broken"\n', encoding="utf-8")
    (tmp_path / "sequences" / "a.yaml").write_text("sequence: A\nflow: []\nflow: []\n", encoding="utf-8")
    result = runner.invoke(app, ["diagram", str(tmp_path), "sequence:A"])

    assert result.exit_code == 1
    assert "sequences/a.yaml:3" in result.stderr and "1 problem found" in result.stderr
