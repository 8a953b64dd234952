"""Forms generated from a step kind's JSON Schema, and the step a posted form makes."""

from __future__ import annotations

import pytest

from interlace.compiler.compile import installed_connectors
from interlace.compiler.schema import step_schema
from interlace.console.forms import FormError, fields_of, options_of, step_of


def _schema(kind: str) -> dict[str, object]:
    connectors = [entry.connector for entry in installed_connectors().load_all()[0]]
    schema = step_schema(kind, connectors)
    assert schema is not None
    return schema


def test_a_mediators_options_become_fields_with_their_documentation_and_choices() -> None:
    fields = {field.name: field for field in fields_of(_schema("log"), {"level": "warning"})}
    assert fields["message"].widget == "text"
    assert fields["message"].description.startswith("The line to log")
    assert (fields["level"].widget, fields["level"].choices, fields["level"].value) == (
        "choice",
        ("debug", "info", "warning", "error"),
        "warning",
    )
    assert (fields["headers"].widget, fields["headers"].default) == ("choice", "false")


def test_an_operations_parameters_become_fields_and_its_required_ones_are_marked() -> None:
    fields = {field.name: field for field in fields_of(_schema("gmail.sendMail"))}
    assert {"connection", "to", "subject", "messageBody"} <= fields.keys()
    assert fields["init"].widget == "yaml"
    assert fields["subject"].description == "The subject line."


def test_a_posted_form_makes_the_step_reading_numbers_booleans_yaml_and_expressions() -> None:
    fields = fields_of(_schema("respond"))
    kinds = {field.name: field.kind for field in fields}
    assert kinds["status"] == "integer" and kinds["json"] == "yaml"
    form = {"opt.status": "201", "opt.json": "a: 1\nb: [x]", "opt.headers": ""}
    assert step_of("respond", fields, form) == {"respond": {"status": 201, "json": {"a": 1, "b": ["x"]}}}
    expression = {"opt.status": "${vars.status}"}
    assert step_of("respond", fields, expression) == {"respond": {"status": "${vars.status}"}}
    with pytest.raises(FormError, match="json is not valid YAML"):
        step_of("respond", fields, {"opt.json": "a: [1"})


def test_a_shorthand_step_is_read_as_its_option() -> None:
    assert options_of({"log": "done"}, "log", "message") == {"message": "done"}
    assert options_of({"log": {"level": "error"}}, "log", "message") == {"level": "error"}
    assert options_of("drop", "drop", None) == {}
