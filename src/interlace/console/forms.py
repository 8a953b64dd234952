"""Forms generated from JSON Schema: the fields of a flow step's options (a mediator's from its
definition, an operation's from its connector's spec, both as ``GET /management/steps/{kind}`` serves
them), and the step a posted form makes.

A scalar option is a text field (numbers and booleans are parsed, anything else stays text, so a
``${...}`` expression may stand wherever the flow allows one), an enumeration a choice, a boolean a
choice of true or false; lists, mappings and nested flows are written as YAML in a text area.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

import yaml

__all__ = ["FIELD_PREFIX", "Field", "FormError", "fields_of", "options_of", "step_of"]

FIELD_PREFIX: Final = "opt."
"""Form fields of options are named ``opt.NAME`` (apart from the form's own fields)."""
_EXPRESSION_PATTERN: Final = r"\$\{"
Widget = Literal["text", "number", "choice", "yaml"]


class FormError(ValueError):
    """A field's value cannot be read (YAML that does not parse): the form is shown again with it."""


@dataclass(frozen=True, slots=True)
class Field:
    """One option's field: its name, how it is written, whether it is required, its documentation, its
    choices (for ``choice``), its default (shown as a placeholder) and its current value as text."""

    name: str
    widget: Widget
    required: bool
    description: str
    choices: tuple[str, ...] = ()
    default: str = ""
    value: str = ""
    kind: str = "string"
    """What a value is read as: ``string``, ``integer``, ``number``, ``boolean``, ``enum`` or ``yaml``."""


def _resolved(schema: Mapping[str, Any], defs: Mapping[str, Any]) -> dict[str, Any]:
    """``schema`` with its ``$ref`` followed and the alternatives that only admit an expression or null
    left out (a single alternative left is merged in)."""
    resolved = dict(schema)
    for _ in range(16):  # references to references, never a cycle in practice
        reference = resolved.pop("$ref", None)
        if not isinstance(reference, str):
            break
        resolved = {**defs.get(reference.rsplit("/", 1)[-1], {}), **resolved}
    for key in ("anyOf", "oneOf"):
        branches = resolved.get(key)
        if not isinstance(branches, list):
            continue
        kept = [
            branch
            for branch in _flattened(branches, key)
            if branch.get("pattern") != _EXPRESSION_PATTERN and branch.get("type") != "null"
        ]
        if len(kept) == 1:
            del resolved[key]
            inner = _resolved(kept[0], defs)
            resolved = {**inner, **{k: v for k, v in resolved.items() if k != "type"}}
        else:
            resolved[key] = kept
    return resolved


def _flattened(branches: list[Any], key: str) -> list[dict[str, Any]]:
    """The alternatives of ``branches``, an alternative that is itself a choice of alternatives
    replaced by them (an option's own choices and the expression the flow allows)."""
    flat: list[dict[str, Any]] = []
    for branch in branches:
        inner = branch.get(key) if isinstance(branch, dict) and len(branch) == 1 else None
        flat.extend(_flattened(inner, key) if isinstance(inner, list) else [branch])
    return flat


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return yaml.safe_dump(value, sort_keys=False, allow_unicode=True, width=100).strip()


def _field(
    name: str, schema: Mapping[str, Any], defs: Mapping[str, Any], required: bool, value: Any
) -> Field:
    resolved = _resolved(schema, defs)
    description = str(resolved.get("description") or schema.get("description") or "")
    default = resolved.get("default", schema.get("default"))
    shown_default = "" if default is None or default == "" else _text(default)
    current = _text(value)
    enum = resolved.get("enum")
    if "const" in resolved:
        enum = [resolved["const"]]
    kind = resolved.get("type")
    if isinstance(enum, list) and all(isinstance(each, str | int | float) for each in enum):
        choices = tuple(_text(each) for each in enum)
        return Field(name, "choice", required, description, choices, shown_default, current, "enum")
    if kind == "boolean":
        return Field(
            name, "choice", required, description, ("true", "false"), shown_default, current, "boolean"
        )
    if kind in ("integer", "number"):
        return Field(name, "number", required, description, (), shown_default, current, kind)
    if kind == "string":
        return Field(name, "text", required, description, (), shown_default, current)
    alternatives = resolved.get("anyOf") or resolved.get("oneOf") or []
    types = {_resolved(each, defs).get("type") for each in alternatives}
    if alternatives and types <= {"string", "integer", "number", "boolean"}:
        numeric = "integer" if "integer" in types else "number" if "number" in types else "string"
        return Field(name, "text", required, description, (), shown_default, current, numeric)
    return Field(name, "yaml", required, description, (), shown_default, current, "yaml")


def options_of(step: Any, kind: str, shorthand: str | None) -> dict[str, Any]:
    """The options of a step as a flow writes it: ``{kind: {options}}``, ``{kind: SCALAR}`` (the
    shorthand option) or the bare ``kind``."""
    if not isinstance(step, Mapping) or kind not in step:
        return {}
    options = step[kind]
    if isinstance(options, Mapping):
        return dict(options)
    if options is not None and shorthand is not None:
        return {shorthand: options}
    return {}


def fields_of(schema: Mapping[str, Any], values: Mapping[str, Any] | None = None) -> list[Field]:
    """A field for each option of ``schema`` (a step's options), filled with ``values``."""
    values = values or {}
    defs = schema.get("$defs", {})
    required = set(schema.get("required", []))
    properties: Mapping[str, Any] = schema.get("properties", {})
    return [_field(name, prop, defs, name in required, values.get(name)) for name, prop in properties.items()]


def _read(field: Field, raw: str) -> Any:
    text = raw.replace("\r\n", "\n")
    if field.kind == "yaml":
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise FormError(f"{field.name} is not valid YAML: {exc}") from exc
    stripped = text.strip()
    if field.kind == "boolean" and stripped in ("true", "false"):
        return stripped == "true"
    if field.kind in ("integer", "number", "enum"):
        for number in (int, float):
            try:
                return number(stripped)
            except ValueError:
                continue
    return text if field.kind in ("string", "enum") else stripped


def step_of(kind: str, fields: list[Field], form: Mapping[str, Any]) -> dict[str, Any]:
    """The step ``{kind: {options}}`` the posted ``form`` makes (an empty field leaves its option out).
    FormError for a value that cannot be read."""
    options: dict[str, Any] = {}
    for field in fields:
        raw = form.get(FIELD_PREFIX + field.name)
        if not isinstance(raw, str) or not raw.strip():
            continue
        value = _read(field, raw)
        if field.kind == "enum" and field.choices and str(value) not in field.choices:
            value = raw  # an expression, or a value the check will name
        options[field.name] = value
    return {kind: options}
