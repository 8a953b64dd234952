"""The ``interlace`` command: ``check`` and ``new``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from interlace.cli import app

REPOSITORY = Path(__file__).resolve().parents[2]
HEALTHCARE = REPOSITORY / "examples" / "healthcare"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _broken_project(root: Path) -> Path:
    (root / "sequences").mkdir(parents=True)
    (root / "interlace.toml").write_text('[project]\nname = "broken"\n', encoding="utf-8")
    (root / "sequences" / "a.yaml").write_text(
        "sequence: A\nflow:\n  - lgo: hello\n  - call: Nowhere\n", encoding="utf-8"
    )
    (root / "sequences" / "b.yaml").write_text("sequence: B\nflow: []\nflow: []\n", encoding="utf-8")
    return root


def test_check_prints_each_problem_with_its_hint_and_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(_broken_project(tmp_path / "p"))])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "sequences/a.yaml:3: unknown mediator 'lgo'",
        "    hint: did you mean 'log'?",
        "sequences/a.yaml:4: unknown endpoint 'Nowhere'",
        "    hint: define it in endpoints/Nowhere.yaml",
        "sequences/b.yaml:3: duplicate key 'flow' (first at line 2)",
        "3 problems found",
    ]
    assert result.stdout == ""


def test_check_keeps_a_long_problem_on_one_line(runner: CliRunner, tmp_path: Path) -> None:
    root = tmp_path / "p"
    (root / "sequences").mkdir(parents=True)
    (root / "interlace.toml").write_text('[project]\nname = "long"\n', encoding="utf-8")
    (root / "sequences" / "a.yaml").write_text(
        'sequence: A\nflow:\n  - log: "${toUpperr(payload.customer.name)} is a rather long message"\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["check", str(root)])
    assert result.stderr.splitlines()[0] == (
        "sequences/a.yaml:3: unknown function 'toUpperr' (did you mean 'toUpper'?) at column 1"
        " in ${toUpperr(payload.customer.name)}"
    )


GMAIL_SECRETS = {"GMAIL_CLIENT_SECRET": "s", "GMAIL_REFRESH_TOKEN": "r"}


PROD_BACKEND_LINE = next(
    number
    for number, line in enumerate((HEALTHCARE / "interlace.toml").read_text().splitlines(), 1)
    if line.startswith('backend = "${env.HOSPITAL_BACKEND_URL}"')
)


def test_check_reports_an_unknown_profile(runner: CliRunner) -> None:
    result = runner.invoke(app, ["check", str(HEALTHCARE), "--profile", "staging"], env=GMAIL_SECRETS)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert any(
        re.fullmatch(r"interlace\.toml:\d+: unknown profile 'staging' \(profiles: dev, prod\)", line)
        for line in lines
    ), lines


# A fresh machine: none of the production profile's variables or secrets.
FRESH = {
    "HOSPITAL_BACKEND_URL": None,
    "GMAIL_CLIENT_ID": None,
    "GMAIL_CLIENT_SECRET": None,
    "GMAIL_REFRESH_TOKEN": None,
    "INTERLACE_PROFILE": None,
    "INTERLACE_SECRETS_DIR": str(HEALTHCARE / "no-such-folder"),
}


@pytest.mark.parametrize("profile", [[], ["--profile", "dev"]], ids=["default profile", "dev profile"])
def test_check_passes_the_healthcare_example_on_a_fresh_machine(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, profile: list[str]
) -> None:
    monkeypatch.chdir(REPOSITORY)
    result = runner.invoke(app, ["check", "examples/healthcare", *profile], env=FRESH)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "examples/healthcare: no problems found (profile dev)\n"


def test_check_of_the_prod_profile_needs_its_environment_variable(runner: CliRunner) -> None:
    args = ["check", str(HEALTHCARE), "--profile", "prod"]
    operator = {**GMAIL_SECRETS, "GMAIL_CLIENT_ID": "c"}
    missing = runner.invoke(app, args, env={**operator, "HOSPITAL_BACKEND_URL": None})
    assert missing.exit_code == 1
    assert missing.stderr.splitlines() == [
        f"interlace.toml:{PROD_BACKEND_LINE}: environment variable HOSPITAL_BACKEND_URL is not set",
        "    hint: export HOSPITAL_BACKEND_URL=... or give a default: ${env.HOSPITAL_BACKEND_URL:-value}",
        "1 problem found",
    ]
    given = runner.invoke(app, args, env={**operator, "HOSPITAL_BACKEND_URL": "http://hospital.internal"})
    assert given.exit_code == 0, given.stderr


def test_check_of_the_prod_profile_names_each_missing_secret(runner: CliRunner) -> None:
    args = ["check", str(HEALTHCARE), "--profile", "prod"]
    env = {
        "HOSPITAL_BACKEND_URL": "http://h",
        "GMAIL_CLIENT_ID": "c",
        "GMAIL_CLIENT_SECRET": None,
        "GMAIL_REFRESH_TOKEN": None,
        "INTERLACE_SECRETS_DIR": str(HEALTHCARE / "no-such-folder"),
    }
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "connections/patient-mail.yaml:9: secret GMAIL_CLIENT_SECRET is not set"
    assert lines[2] == "connections/patient-mail.yaml:10: secret GMAIL_REFRESH_TOKEN is not set"
    assert lines[-1] == "2 problems found"


def test_a_new_project_passes_check_and_its_own_suite(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    target = Path("greetings")
    created = runner.invoke(app, ["new", str(target)])
    assert created.exit_code == 0, created.output
    assert (
        (target / "interlace.toml").read_text(encoding="utf-8").startswith('[project]\nname = "greetings"\n')
    )
    assert created.stdout.splitlines() == [
        "created greetings/interlace.toml",
        "created greetings/apis/greeting.yaml",
        "created greetings/sequences/build-greeting.yaml",
        "created greetings/endpoints/.keep",
        "created greetings/.gitignore",
        "created greetings/tests/greeting.yaml",
        "wrote 9 JSON Schemas to greetings/.interlace/schemas",
        "editors: greetings/.vscode/settings.json maps them to the project's files",
        "run it with: interlace run greetings",
        "test it with: interlace test greetings",
    ]
    for profile in ([], ["--profile", "dev"]):  # dev is the project's default profile
        checked = runner.invoke(app, ["check", str(target), *profile])
        assert checked.exit_code == 0, checked.output
        assert checked.stdout == f"{target}: no problems found (profile dev)\n"
    tested = runner.invoke(app, ["test", str(target)])
    assert tested.exit_code == 0, tested.output
    assert "3 cases passed, 0 failed" in tested.stdout.splitlines()


def test_new_refuses_a_folder_that_is_not_empty(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path.parent)
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    result = runner.invoke(app, ["new", tmp_path.name])
    assert result.exit_code == 1
    assert result.stderr == f"{tmp_path.name} is not empty; choose a new folder\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["keep.txt"]
    assert (tmp_path / "keep.txt").read_text(encoding="utf-8") == "mine"


def test_new_fills_an_empty_existing_folder(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["new", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "apis" / "greeting.yaml").is_file()
