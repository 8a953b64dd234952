"""The JSON Schema of project files: every file Interlace ships or writes validates, broken ones do not."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from interlace.cli.scaffold import scaffold_project
from interlace.compiler.schema import SCHEMA_KINDS, project_schemas
from interlace.connectors.gmail import connector as gmail
from interlace.model.load import ARTIFACT_KINDS
from interlace.model.yamlsource import load_yaml

REPOSITORY = Path(__file__).resolve().parents[2]
SCHEMAS = project_schemas([gmail])
FOLDER_KIND = {kind.folder: kind.key for kind in ARTIFACT_KINDS} | {"tests": "suite"}


def _validator(kind: str) -> Draft202012Validator:
    Draft202012Validator.check_schema(SCHEMAS[kind])
    return Draft202012Validator(SCHEMAS[kind])


VALIDATORS = {kind.name: _validator(kind.name) for kind in SCHEMA_KINDS}


def _errors(kind: str, document: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATORS[kind].iter_errors(document)
    ]


def _load(text: str) -> Any:
    # As an editor reads it (YAML 1.2: `on:` is a key, not true), which is how Interlace reads it too.
    return load_yaml(text, "<test>")


def _project_files(root: Path) -> list[tuple[str, Path]]:
    return [
        (FOLDER_KIND[path.parent.name], path)
        for path in sorted(root.glob("*/*.y*ml"))
        if path.parent.name in FOLDER_KIND
    ]


SHIPPED = [
    pytest.param(kind, path, id=str(path.relative_to(REPOSITORY)))
    for root in [
        REPOSITORY / "examples" / "healthcare",
        *sorted((REPOSITORY / "bench" / "projects").iterdir()),
    ]
    for kind, path in _project_files(root)
]


@pytest.mark.parametrize(("kind", "path"), SHIPPED)
def test_every_shipped_project_file_validates_against_its_kind_schema(kind: str, path: Path) -> None:
    assert _errors(kind, _load(path.read_text(encoding="utf-8"))) == []


def test_every_file_of_a_new_project_validates(tmp_path: Path) -> None:
    scaffold_project(tmp_path / "fresh")
    files = _project_files(tmp_path / "fresh")
    assert {kind for kind, _ in files} >= {"api", "sequence", "suite"}
    for kind, path in files:
        assert _errors(kind, _load(path.read_text(encoding="utf-8"))) == [], path


def _golden_documents() -> list[Any]:
    marker = re.compile(r"^--- # (\w+)/")
    params = []
    for path in sorted((REPOSITORY / "tests" / "importers" / "synapse" / "golden").glob("*.yaml")):
        for number, text in enumerate(path.read_text(encoding="utf-8").split("\n---")):
            text = text if text.startswith("---") else "---" + text
            found = marker.match(text)
            if found is None or found.group(1) not in FOLDER_KIND:
                continue
            params.append(pytest.param(FOLDER_KIND[found.group(1)], text, id=f"{path.name}#{number}"))
    return params


@pytest.mark.parametrize(("kind", "text"), _golden_documents())
def test_every_file_the_synapse_importer_writes_validates(kind: str, text: str) -> None:
    assert _errors(kind, _load(text)) == []


SEQUENCE = "sequence: S\nflow:\n"


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        ("sequence", SEQUENCE + "  - lgo: hello\n", "'lgo' does not match"),
        ("sequence", SEQUENCE + "  - log: {message: a, colour: red}\n", "'colour' was unexpected"),
        ("sequence", SEQUENCE + "  - {log: a, drop: {}}\n", "has too many properties"),
        ("api", "api: A\nresources: []\n", "'context' is a required property"),
        ("endpoint", "endpoint: E\nhttp: {url: 'http://x', timeout: 30 parsecs}\n", "timeout"),
        ("sequence", SEQUENCE + "  - gmail.sendMail: {connection: m, to: a, subjekt: b}\n", "subjekt"),
        ("suite", "suite: S\ncases: [{case: c, expect: {status: two hundred}}]\n", "two hundred"),
    ],
    ids=["unknown-mediator", "unknown-key", "two-kinds", "missing", "duration", "operation", "suite"],
)
def test_a_broken_file_is_refused_and_the_error_names_the_mistake(
    kind: str, text: str, expected: str
) -> None:
    errors = _errors(kind, _load(text))
    assert errors and any(expected in error for error in errors), errors


def test_values_may_be_expressions_and_durations_may_have_units() -> None:
    assert _errors("endpoint", {"endpoint": "E", "http": {"url": "http://x", "timeout": "250ms"}}) == []
    flow = [
        {"gmail.sendMail": {"connection": "m", "to": "${vars.email}", "subject": "s", "messageBody": "b"}},
        {"someconnector.anyOperation": {"anything": 1}},
        "drop",
    ]
    assert _errors("sequence", {"sequence": "S", "flow": flow}) == []
