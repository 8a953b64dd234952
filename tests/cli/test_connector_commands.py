"""``interlace connector new|list|info|search|add|remove``, run as a user runs them."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from interlace.cli import app
from interlace.sdk import ConnectorRegistry
from tests.support import environment_over_this_one

BUILT_IN = {"gmail", "http", "db"}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _table_rows(text: str) -> dict[str, list[str]]:
    """The rows of a rich table (the header's included), by their first cell."""
    rows = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.replace("┃", "│").split("│")[1:-1]]
        if cells and cells[0]:
            rows[cells[0]] = cells
    return rows


def _listed(runner: CliRunner) -> dict[str, dict[str, object]]:
    result = runner.invoke(app, ["connector", "list", "-o", "json"])
    assert result.exit_code == 0, result.stderr
    return {str(row["name"]): row for row in json.loads(result.stdout)}


def test_new_writes_a_package_whose_own_tests_pass_as_they_are(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["connector", "new", "acme_crm", "--dir", str(tmp_path)])

    assert result.exit_code == 0, result.stderr
    folder = tmp_path / "interlace-acme_crm"
    assert sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file()) == [
        "README.md",
        "pyproject.toml",
        "src/interlace_acme_crm/__init__.py",
        "tests/test_conformance.py",
        "tests/test_operations.py",
    ]
    assert f"created {folder / 'pyproject.toml'}" in result.stdout
    project = tomllib.loads((folder / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["build-system"]["build-backend"] == "setuptools.build_meta"
    assert project["project"]["name"] == "interlace-acme-crm"
    assert project["project"]["requires-python"] == ">=3.11"
    assert any(dependency.startswith("interlace>=") for dependency in project["project"]["dependencies"])
    assert project["project"]["entry-points"]["interlace.connectors"] == {
        "acme_crm": "interlace_acme_crm:connector"
    }
    assert "interlace connector add ." in (folder / "README.md").read_text(encoding="utf-8")

    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(folder / "src")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "5 passed" in tests.stdout


@pytest.mark.parametrize("name", ["Acme", "2fast", "my-crm", "class", ""])
def test_new_refuses_a_name_that_is_not_a_lowercase_identifier(
    runner: CliRunner, tmp_path: Path, name: str
) -> None:
    result = runner.invoke(app, ["connector", "new", name, "--dir", str(tmp_path)])

    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"a connector name is a lowercase identifier: a letter, then letters, digits or '_' (got {name!r})"
    )
    assert list(tmp_path.iterdir()) == []


def test_new_refuses_a_folder_that_is_not_empty(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "interlace-acme"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")

    result = runner.invoke(app, ["connector", "new", "acme", "--dir", str(tmp_path)])

    assert result.exit_code == 1
    assert "exists and is not empty" in result.stderr
    assert [path.name for path in folder.iterdir()] == ["notes.txt"]


def test_new_refuses_the_name_of_an_installed_connector(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["connector", "new", "gmail", "--dir", str(tmp_path)])

    assert result.exit_code == 1
    assert "a connector named 'gmail' is installed already (package interlace)" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_list_shows_the_built_in_connectors_with_versions_and_operation_counts(runner: CliRunner) -> None:
    installed = {entry.connector.name: entry.connector for entry in ConnectorRegistry().entries()}
    assert installed.keys() >= BUILT_IN

    result = runner.invoke(app, ["connector", "list"])

    assert result.exit_code == 0, result.stderr
    rows = _table_rows(result.stdout)
    assert rows["NAME"] == ["NAME", "VERSION", "PACKAGE", "OPERATIONS", "TRIGGERS"]
    for name, connector in installed.items():
        assert rows[name][:4] == [name, connector.version, "interlace", str(len(connector.operations))]


def test_list_as_json_gives_each_connector_s_fields(runner: CliRunner) -> None:
    listed = _listed(runner)

    assert listed.keys() >= BUILT_IN
    gmail = listed["gmail"]
    assert set(gmail) == {"name", "version", "package", "operations", "triggers"}
    assert gmail["package"] == "interlace"
    assert isinstance(gmail["operations"], int) and gmail["operations"] >= 1
    assert gmail["version"] == ConnectorRegistry().get("gmail").version


def test_info_shows_the_operations_and_the_connection_settings(runner: CliRunner) -> None:
    result = runner.invoke(app, ["connector", "info", "gmail"], terminal_width=200)

    assert result.exit_code == 0, result.stderr
    for operation in ConnectorRegistry().get("gmail").operations:
        assert f"gmail.{operation}" in result.stdout
    assert "gmail.sendMail" in result.stdout
    for setting in ("client-id", "client-secret", "refresh-token"):
        assert setting in result.stdout


def test_info_of_an_unknown_connector_exits_1_with_a_suggestion(runner: CliRunner) -> None:
    result = runner.invoke(app, ["connector", "info", "gmial"])

    assert result.exit_code == 1
    assert result.stderr.strip() == "no connector 'gmial' is installed (did you mean 'gmail'?)"


def test_search_finds_the_mail_connectors(runner: CliRunner) -> None:
    result = runner.invoke(app, ["connector", "search", "mail"])

    assert result.exit_code == 0, result.stderr
    assert {"gmail", "email"} <= _table_rows(result.stdout).keys()
    found = json.loads(runner.invoke(app, ["connector", "search", "mail", "-o", "json"]).stdout)
    assert [item["name"] for item in found] == ["email", "gmail"]
    assert next(item for item in found if item["name"] == "gmail")["installed"] is True


def test_search_finds_the_slack_connector_by_name_and_keyword(runner: CliRunner) -> None:
    for word in ("slack", "chat"):
        found = json.loads(runner.invoke(app, ["connector", "search", word, "-o", "json"]).stdout)

        assert "slack" in [item["name"] for item in found], word
        assert next(item for item in found if item["name"] == "slack")["installed"] is True


@pytest.mark.parametrize(
    ("word", "name"), [("s3", "s3"), ("bucket", "s3"), ("sftp", "file"), ("ftp", "file")]
)
def test_search_finds_the_storage_connectors(runner: CliRunner, word: str, name: str) -> None:
    found = json.loads(runner.invoke(app, ["connector", "search", word, "-o", "json"]).stdout)
    assert next(item for item in found if item["name"] == name)["installed"] is True


def test_search_adds_the_entries_of_an_extra_index(runner: CliRunner, tmp_path: Path) -> None:
    index = tmp_path / "index.json"
    entry = {
        "name": "mailjet",
        "package": "interlace-mailjet",
        "description": "Send transactional mail through Mailjet.",
        "keywords": ["mail"],
        "versions": [{"version": "1.0.0", "sha256": "a" * 64}],
    }
    index.write_text(json.dumps({"connectors": [entry]}), encoding="utf-8")

    result = runner.invoke(app, ["connector", "search", "mail", "--index", str(index), "-o", "json"])

    assert result.exit_code == 0, result.stderr
    found = {item["name"]: item for item in json.loads(result.stdout)}
    assert found.keys() == {"email", "gmail", "mailjet"}
    assert found["mailjet"] == {
        **entry,
        "versions": [{"version": "1.0.0", "interlace": "", "sha256": "a" * 64}],
        "operations": [],
        "triggers": [],
        "latest": "1.0.0",
        "installed": False,
        "installedVersion": None,
    }


def test_search_says_when_nothing_matches(runner: CliRunner) -> None:
    result = runner.invoke(app, ["connector", "search", "zebrafish"])

    assert result.exit_code == 0
    assert result.stdout.strip() == "no connector matches 'zebrafish'"


def _builds_offline() -> bool:
    """Whether this environment's setuptools can build a wheel without fetching anything."""
    try:
        version = tuple(int(part) for part in importlib.metadata.version("setuptools").split(".")[:2])
    except importlib.metadata.PackageNotFoundError:
        return False
    return version >= (70, 1) or importlib.util.find_spec("wheel") is not None


def test_add_installs_a_scaffolded_package_and_remove_uninstalls_it(
    runner: CliRunner, tmp_path: Path
) -> None:
    name = "scaffoldcheck"
    distribution = f"interlace-{name}"
    python = environment_over_this_one(tmp_path / "env")

    def interlace(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(python), "-m", "interlace", *args], capture_output=True, text=True, check=False
        )

    def listed() -> dict[str, dict[str, object]]:
        result = interlace("connector", "list", "-o", "json")
        assert result.returncode == 0, result.stderr
        return {str(row["name"]): row for row in json.loads(result.stdout)}

    assert name not in listed(), f"{distribution} is installed already: uninstall it first"
    created = runner.invoke(app, ["connector", "new", name, "--dir", str(tmp_path)])
    assert created.exit_code == 0, created.stderr
    folder = tmp_path / distribution
    offline = ["--no-build-isolation"] if _builds_offline() else []
    added = interlace("connector", "add", *offline, str(folder))
    assert added.returncode == 0, added.stderr
    assert f"added connector: {name}" in added.stdout
    assert listed()[name] == {
        "name": name,
        "version": "0.1.0",
        "package": distribution,
        "operations": 2,
        "triggers": 0,
    }
    assert name not in _listed(runner)  # installed in the test's environment only

    removed = interlace("connector", "remove", name)
    assert removed.returncode == 0, removed.stderr
    assert f"removed connector {name} (package {distribution})" in removed.stdout
    assert name not in listed()


def test_remove_refuses_a_built_in_connector(runner: CliRunner) -> None:
    result = runner.invoke(app, ["connector", "remove", "gmail"])

    assert result.exit_code == 1
    assert "gmail is built into Interlace and cannot be removed" in result.stderr
    assert "gmail" in _listed(runner)
