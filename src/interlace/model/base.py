"""The base of every definition: strict pydantic models that remember their file and line.

Keys are kebab-case in YAML (``uri-template``) and snake_case in Python (``uri_template``). Unknown keys
are errors. Validate with :func:`validate_definition`, which turns pydantic's errors into
:class:`ConfigError` diagnostics at the offending key's line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import pydantic
from pydantic import BaseModel, ConfigDict, PrivateAttr, model_validator
from pydantic_core import ErrorDetails

from interlace.errors import ConfigError, SourceLocation
from interlace.model.yamlsource import LineDict, line_of

__all__ = [
    "ARTIFACT_NAME",
    "Definition",
    "DefinitionT",
    "check_artifact_name",
    "check_one_kind",
    "format_validation_error",
    "validate_definition",
]

ARTIFACT_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
"""What an artifact's name may be: it is used in references, file names, URLs and logs."""

DefinitionT = TypeVar("DefinitionT", bound="Definition")


def _kebab(name: str) -> str:
    return name.replace("_", "-")


class Definition(BaseModel):
    """A parsed, validated piece of user configuration; no behaviour."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        alias_generator=_kebab,
        populate_by_name=True,
        arbitrary_types_allowed=True,
        use_attribute_docstrings=True,
    )

    _file: str = PrivateAttr(default="<memory>")
    _line: int = PrivateAttr(default=0)
    _key_lines: dict[str, int] = PrivateAttr(default_factory=dict)

    # Validation context: "file" (required for locations) and "line" (where the definition starts when
    # the mapping itself begins later, as a mediator's options do under its list item).
    @model_validator(mode="wrap")
    @classmethod
    def _remember_location(
        cls, data: Any, handler: pydantic.ValidatorFunctionWrapHandler, info: pydantic.ValidationInfo
    ) -> Any:
        result = handler(data)
        if isinstance(result, Definition):
            context = info.context or {}
            result._file = str(context.get("file", "<memory>"))
            if isinstance(data, LineDict):
                result._line = data.line
                result._key_lines = dict(data.key_lines)
            if "line" in context:
                result._line = int(context["line"])
        return result

    @property
    def location(self) -> SourceLocation:
        """Where this definition starts."""
        return SourceLocation(self._file, self._line)

    def location_of(self, key: str) -> SourceLocation:
        """Where ``key`` (YAML spelling or field name) is written, or where the definition starts."""
        line = self._key_lines.get(key) or self._key_lines.get(_kebab(key)) or self._line
        return SourceLocation(self._file, line)


def _describe(error: ErrorDetails, show_input: bool = True) -> str:
    kind = error["type"]
    loc = [str(part) for part in error["loc"] if not str(part).startswith("function-")]
    where = ".".join(loc)
    if kind == "extra_forbidden":
        return f"unknown key {loc[-1]!r}" if loc else "unknown key"
    if kind == "missing":
        return f"missing required key {loc[-1]!r}" if loc else "missing required key"
    got = error.get("input")
    message = error["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    # A scalar input is worth repeating; a mapping or list is the user's own block, shown by its line.
    if show_input and not isinstance(got, dict | list) and "(got " not in message:
        message = f"{message} (got {got!r})"
    return f"{where}: {message}" if where else message


def format_validation_error(
    exc: pydantic.ValidationError,
    tree: Any,
    file: str,
    line_for: Callable[[tuple[int | str, ...]], int] | None = None,
    *,
    show_input: bool = True,
) -> list[ConfigError]:
    """One :class:`ConfigError` per pydantic error, located at the line of the offending key (found in
    the loaded YAML ``tree``, or by ``line_for`` for sources without lines). ``show_input=False`` leaves
    the offending values out, for settings that may hold secrets."""
    errors: list[ConfigError] = []
    for error in exc.errors():
        path = tuple(part for part in error["loc"] if not str(part).startswith("function-"))
        if line_for is not None:
            line = line_for(path)
        else:
            line = line_of(tree, path, default=getattr(tree, "line", 1) or 1)
        errors.append(ConfigError(_describe(error, show_input), location=SourceLocation(file, line)))
    return errors


def validate_definition(model: type[DefinitionT], tree: Any, file: str) -> DefinitionT:
    """Validate a loaded YAML tree as ``model``; raise :class:`ConfigError` (the first problem) with the
    others attached as ``detail`` so a checker can report them all."""
    try:
        return model.model_validate(tree, context={"file": file})
    except pydantic.ValidationError as exc:
        problems = format_validation_error(exc, tree, file)
        first = problems[0]
        first.detail = problems
        raise first from exc


def check_artifact_name(name: str) -> str:
    """A field validator's body for artifact names (``endpoint: X``, ``store: X`` ...)."""
    if not ARTIFACT_NAME.match(name):
        raise ValueError("must start with a letter or _ and hold only letters, digits, _ . -")
    return name


def check_one_kind(
    data: Any, info: pydantic.ValidationInfo, *, kinds: Sequence[str], artifact: str, required: bool = True
) -> list[str]:
    """For a ``mode="before"`` model validator: the kinds (option blocks) that ``data`` names; raises
    :class:`ConfigError` unless it names exactly one (at most one when not ``required``).

    Raised as ConfigError at the offending key's line rather than as a ValueError, which pydantic would
    report over the whole mapping, at the line of the document.
    """
    if not isinstance(data, dict):
        return []
    given = [kind for kind in kinds if kind in data or kind.replace("-", "_") in data]
    if len(given) == 1 or (not required and not given):
        return given
    file = str((info.context or {}).get("file", "<memory>"))
    key_lines: dict[str, int] = getattr(data, "key_lines", {})
    line = key_lines.get(given[-1], 0) if given else 0
    name = data.get(artifact)
    which = f"{artifact} {name!r}" if isinstance(name, str) else f"a {artifact}"
    got = " and ".join(given) if given else "none of them"
    choices = ", ".join(kinds[:-1]) + f" or {kinds[-1]}" if len(kinds) > 1 else kinds[0]
    raise ConfigError(
        f"{which} must have {'exactly' if required else 'at most'} one of {choices} (got {got})",
        location=SourceLocation(file, line or getattr(data, "line", 0) or 1),
    )
