"""``interlace check -o json|github``: problems for tools (CI annotations) as well as for people."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from interlace.cli import app

REPOSITORY = Path(__file__).resolve().parents[2]
HEALTHCARE = REPOSITORY / "examples" / "healthcare"


def _broken_project(root: Path) -> Path:
    (root / "sequences").mkdir(parents=True)
    (root / "interlace.toml").write_text('[project]\nname = "broken"\n', encoding="utf-8")
    (root / "sequences" / "a.yaml").write_text(
        "sequence: A\nflow:\n  - lgo: hello\n  - log: '100%, done: ${payload.x'\n", encoding="utf-8"
    )
    return root


def test_check_as_json_gives_each_problem_with_its_file_line_message_and_hint(tmp_path: Path) -> None:
    root = _broken_project(tmp_path / "p")
    result = CliRunner().invoke(app, ["check", str(root), "-o", "json"])
    assert result.exit_code == 1
    report = orjson.loads(result.stdout)
    assert report["count"] == 2 and report["project"] == str(root)
    first, second = report["problems"]
    assert first == {
        "file": "sequences/a.yaml",
        "path": str(root / "sequences" / "a.yaml"),
        "line": 3,
        "message": "unknown mediator 'lgo'",
        "hint": "did you mean 'log'?",
        "code": "CONFIG_ERROR",
    }
    assert (second["file"], second["line"]) == ("sequences/a.yaml", 4)


def test_check_as_json_of_a_sound_project_is_an_empty_list_and_exit_0() -> None:
    result = CliRunner().invoke(app, ["check", str(HEALTHCARE), "-o", "json"])
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.stdout)["problems"] == []


def test_check_for_github_writes_one_escaped_error_annotation_per_problem(tmp_path: Path) -> None:
    root = tmp_path / "a,b"  # a comma in a property value must not end the property
    _broken_project(root)
    result = CliRunner().invoke(app, ["check", str(root), "--output", "github"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    escaped = str(root / "sequences" / "a.yaml").replace(",", "%2C")
    assert lines[0] == f"::error file={escaped},line=3::unknown mediator 'lgo' (hint: did you mean 'log'?)"
    assert lines[1].startswith(f"::error file={escaped},line=4::")
    assert "%" not in lines[1].split("::", 2)[2].replace("%25", "")  # the message's own % is escaped


def test_check_refuses_an_unknown_output_format(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["check", str(_broken_project(tmp_path / "p")), "-o", "xml"])
    assert result.exit_code == 2
    assert "'xml' is not one of" in " ".join(result.output.split())
