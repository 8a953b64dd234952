"""``interlace schema`` and ``interlace new``: JSON Schemas written for editors, and VS Code pointed at them."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from interlace.cli import app
from interlace.model.yamlsource import load_yaml


def _new(tmp_path: Path) -> Path:
    root = tmp_path / "fresh"
    result = CliRunner().invoke(app, ["new", str(root)])
    assert result.exit_code == 0, result.output
    return root


def test_a_new_project_has_its_schemas_and_vscode_maps_each_folder_to_its_schema(tmp_path: Path) -> None:
    root = _new(tmp_path)
    mapping = json.loads((root / ".vscode" / "settings.json").read_text())["yaml.schemas"]
    assert mapping["./.interlace/schemas/api.schema.json"] == ["**/apis/*.yaml", "**/apis/*.yml"]
    assert mapping["./.interlace/schemas/suite.schema.json"] == ["**/tests/*.yaml", "**/tests/*.yml"]
    for schema_file in mapping:
        assert (root / schema_file).is_file(), schema_file
    api_schema = json.loads((root / ".interlace" / "schemas" / "api.schema.json").read_text())
    validator = Draft202012Validator(api_schema)
    greeting = root / "apis" / "greeting.yaml"
    assert list(validator.iter_errors(load_yaml(greeting.read_text(), "greeting.yaml"))) == []
    broken = load_yaml(greeting.read_text().replace("uri-template", "uri-templat"), "greeting.yaml")
    assert any("'uri-templat' was unexpected" in error.message for error in validator.iter_errors(broken))
    assert ".interlace/" in (root / ".gitignore").read_text()


def test_the_schemas_describe_the_installed_connectors_operations(tmp_path: Path) -> None:
    root = _new(tmp_path)
    document = json.loads((root / ".interlace" / "schemas" / "sequence.schema.json").read_text())
    operation = document["$defs"]["Mediator"]["properties"]["gmail.sendMail"]["then"]
    assert {"connection", "to", "subject"} <= set(operation["properties"])


def test_schema_keeps_the_other_editor_settings(tmp_path: Path) -> None:
    root = _new(tmp_path)
    settings = root / ".vscode" / "settings.json"
    settings.write_text(json.dumps({"editor.tabSize": 2, "yaml.schemas": {"./mine.json": ["x.yaml"]}}))
    result = CliRunner().invoke(app, ["schema", str(root)])
    assert result.exit_code == 0, result.output
    written = json.loads(settings.read_text())
    assert written["editor.tabSize"] == 2
    assert written["yaml.schemas"]["./mine.json"] == ["x.yaml"]
    assert "./.interlace/schemas/task.schema.json" in written["yaml.schemas"]


def test_a_settings_file_with_comments_is_left_alone_and_the_entries_are_printed(tmp_path: Path) -> None:
    root = _new(tmp_path)
    settings = root / ".vscode" / "settings.json"
    settings.write_text('{\n  // mine\n  "editor.tabSize": 2\n}\n')
    result = CliRunner().invoke(app, ["schema", str(root)])
    assert result.exit_code == 0, result.output
    assert settings.read_text() == '{\n  // mine\n  "editor.tabSize": 2\n}\n'
    assert "is not plain JSON, so it was left as it was" in result.stderr
    assert "./.interlace/schemas/api.schema.json" in result.stderr


def test_schema_into_a_folder_without_editor_settings(tmp_path: Path) -> None:
    out = tmp_path / "schemas"
    result = CliRunner().invoke(app, ["schema", str(tmp_path / "nowhere"), "-o", str(out), "--no-editor"])
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in out.iterdir())[:2] == ["api.schema.json", "connection.schema.json"]
    assert not (tmp_path / "nowhere" / ".vscode").exists()


def test_schema_of_a_folder_that_is_not_a_project_says_so(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["schema", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert "is not an Interlace project (interlace.toml is missing)" in " ".join(result.stderr.split())
