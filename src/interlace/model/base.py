"""The base of every definition: strict pydantic models that remember their file and line.

Keys are kebab-case in YAML (``uri-template``) and snake_case in Python (``uri_template``). Unknown keys
are errors. Validate with :func:`validate_definition` or :func:`validate_leniently`, which turn pydantic's
errors into :class:`ConfigError` diagnostics at the offending key's line (an unknown key with a
did-you-mean hint among the keys allowed there).
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

import pydantic
from pydantic import BaseModel, ConfigDict, PrivateAttr, model_validator
from pydantic_core import ErrorDetails

from interlace.errors import ConfigError, SourceLocation, closest_name, did_you_mean
from interlace.model.yamlsource import LineDict, LineList, line_of

__all__ = [
    "ARTIFACT_NAME",
    "Definition",
    "DefinitionT",
    "check_artifact_name",
    "check_one_kind",
    "format_validation_error",
    "validate_definition",
    "validate_leniently",
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


def _inner(annotation: Any, step: int | str) -> Any:
    """The type of the value at ``step`` (a key or an index) inside a value of type ``annotation``."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _inner(get_args(annotation)[0], step)
    if origin is Union or origin is types.UnionType:
        found = [_inner(arg, step) for arg in get_args(annotation) if arg is not type(None)]
        return next((each for each in found if each is not None), None)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if not isinstance(step, str):
            return None
        for name, field in annotation.model_fields.items():
            if step in (name, field.alias):
                return field.annotation
        return None
    args = get_args(annotation)
    if isinstance(step, int) and origin in (list, tuple, Sequence) and args:
        return args[0]
    if isinstance(step, str) and origin in (dict, Mapping) and len(args) == 2:
        return args[1]
    return None


def _keys_of(annotation: Any) -> list[str]:
    """The keys a mapping of type ``annotation`` may have (a definition's fields, as written in YAML)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _keys_of(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        return [key for arg in get_args(annotation) for key in _keys_of(arg)]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [field.alias or name for name, field in annotation.model_fields.items()]
    return []


def unknown_key_hint(model: type[BaseModel], path: Sequence[int | str]) -> str | None:
    """For an unknown key at ``path`` (ending with the key) in a ``model``: ``did you mean 'flow'?``, or
    the keys allowed there."""
    annotation: Any = model
    for step in path[:-1]:
        annotation = _inner(annotation, step)
    allowed = _keys_of(annotation)
    if not allowed or not path:
        return None
    kebab = _kebab_case(str(path[-1]))
    if kebab in allowed:  # clientId, as WSO2 and others spell it
        return f"did you mean {kebab!r}?"
    return did_you_mean(str(path[-1]), allowed) or f"the keys allowed here: {', '.join(allowed)}"


def _kebab_case(key: str) -> str:
    """A key as Interlace spells keys: ``clientId`` and ``client_id`` are ``client-id``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", key).replace("_", "-").lower()


def format_validation_error(
    exc: pydantic.ValidationError,
    tree: Any,
    file: str,
    line_for: Callable[[tuple[int | str, ...]], int] | None = None,
    *,
    show_input: bool = True,
    model: type[BaseModel] | None = None,
    keep: Callable[[ErrorDetails], bool] | None = None,
) -> list[ConfigError]:
    """One :class:`ConfigError` per pydantic error (that ``keep`` keeps), located at the line of the
    offending key (found in the loaded YAML ``tree``, or by ``line_for`` for sources without lines).
    ``show_input=False`` leaves the offending values out, for settings that may hold secrets. Given the
    ``model`` validated, an unknown key gets a hint: the allowed key it is a near miss of, or the allowed
    keys."""
    errors: list[ConfigError] = []
    found = exc.errors()
    for error in found:
        path = _path(error)
        if error["type"] == "missing" and path and _misspelt(found, path) is not None:
            continue  # said once, as the unknown key that is a near miss of it
        if keep is not None and not keep(error):
            continue
        if line_for is not None:
            line = line_for(path)
        else:
            line = line_of(tree, path, default=getattr(tree, "line", 1) or 1)
        hint = None
        if model is not None and error["type"] == "extra_forbidden":
            hint = unknown_key_hint(model, path)
        errors.append(
            ConfigError(_describe(error, show_input), location=SourceLocation(file, line), hint=hint)
        )
    return errors


def _path(error: ErrorDetails) -> tuple[int | str, ...]:
    return tuple(part for part in error["loc"] if not str(part).startswith("function-"))


def _misspelt(errors: list[ErrorDetails], missing: tuple[int | str, ...]) -> tuple[int | str, ...] | None:
    """The path of the unknown key beside the required key at ``missing`` that is a near miss of it."""
    for error in errors:
        path = _path(error)
        beside = error["type"] == "extra_forbidden" and path and path[:-1] == missing[:-1]
        if beside and closest_name(str(path[-1]), [missing[-1]]) is not None:
            return path
    return None


def _without(tree: Any, path: tuple[int | str, ...], rename: str | None = None) -> Any:
    """A copy of ``tree`` (copied only along ``path``) without the deepest key of ``path`` that it holds:
    the key whose value has the problem, or with that key spelt ``rename``. ``tree`` itself when ``path``
    names no key of it."""
    cut, node = None, tree
    for depth, step in enumerate(path):
        if isinstance(node, dict) and isinstance(step, str) and step in node:
            cut, node = depth, node[step]
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
        else:
            break
    if cut is None:
        return tree

    def copy(node: Any, depth: int) -> Any:
        step = path[depth]
        if isinstance(node, dict):
            mapping = LineDict(getattr(node, "line", 0))
            mapping.key_lines = dict(getattr(node, "key_lines", {}))
            mapping.update(node)
            if depth == cut:
                value = mapping.pop(str(step))
                if rename is not None:
                    mapping[rename] = value
                    mapping.key_lines[rename] = mapping.key_lines.get(str(step), mapping.line)
            else:
                mapping[str(step)] = copy(node[step], depth + 1)
            return mapping
        items = LineList(getattr(node, "line", 0))
        items.item_lines = list(getattr(node, "item_lines", []))
        items.extend(node)
        items[int(step)] = copy(node[step], depth + 1)
        return items

    return copy(tree, 0)


_ATTEMPTS = 4
"""How many times a definition with problems is validated again without the offending keys."""


def validate_leniently(
    model: type[DefinitionT],
    tree: Any,
    file: str,
    *,
    context: Mapping[str, Any] | None = None,
    line_for: Callable[[tuple[int | str, ...]], int] | None = None,
    show_input: bool = True,
) -> tuple[DefinitionT | None, list[ConfigError]]:
    """Validate ``tree`` as ``model``: the definition and no problems, or the problems and what remains
    valid once the keys holding them are left out (None when nothing does, as when a required key is
    wrong). What remains is for checking the rest of the file (its flows, its references) so that one
    misspelt key does not hide the other problems; it is never run, since its problems stop the project.
    A :class:`ConfigError` raised by a model's own validator is a problem with no definition."""
    full_context = {"file": file, **(context or {})}
    try:
        return model.model_validate(tree, context=full_context), []
    except ConfigError as exc:
        return None, [exc]
    except pydantic.ValidationError as exc:
        problems = format_validation_error(exc, tree, file, line_for, show_input=show_input, model=model)
        failed = exc
    remaining = tree
    renamed: list[tuple[int | str, ...]] = []
    left_out: set[tuple[int | str, ...]] = set()

    def unseen(error: ErrorDetails) -> bool:
        # Under a key now read with its right spelling, pydantic sees what it could not see before.
        path = _path(error)
        inside = any(path[: len(key)] == key for key in renamed)
        return inside and not (error["type"] == "missing" and path in left_out)

    for _ in range(_ATTEMPTS):
        errors = failed.errors()
        pruned = remaining
        # A misspelt required key (`resorces:`) is read as the key it misses, so what it holds is
        # checked too; any other offending key is left out.
        misspelt: dict[tuple[int | str, ...], str] = {}
        for error in errors:
            path = _path(error)
            if error["type"] == "missing":
                typo = _misspelt(errors, path) if path else None
                if typo is None:
                    return None, problems
                misspelt[typo] = str(path[-1])
        for error in errors:
            path = _path(error)
            if error["type"] != "missing" and path:
                meant = misspelt.get(path)
                pruned = _without(pruned, path, rename=meant)
                if meant is None:
                    left_out.add(path)
                else:
                    renamed.append((*path[:-1], meant))
        if pruned is remaining:
            return None, problems
        remaining = pruned
        try:
            return model.model_validate(remaining, context=full_context), problems
        except ConfigError:
            return None, problems
        except pydantic.ValidationError as again:
            failed = again
            problems += format_validation_error(
                again, remaining, file, line_for, show_input=show_input, model=model, keep=unseen
            )
    return None, problems


def validate_definition(model: type[DefinitionT], tree: Any, file: str) -> DefinitionT:
    """Validate a loaded YAML tree as ``model``; raise :class:`ConfigError` (the first problem) with the
    others attached as ``detail`` so a checker can report them all."""
    try:
        return model.model_validate(tree, context={"file": file})
    except pydantic.ValidationError as exc:
        problems = format_validation_error(exc, tree, file, model=model)
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
        for kind in given:  # `memory:` with nothing after it is that kind with its defaults
            if data.get(kind, True) is None:
                data[kind] = {}
        return given
    file = str((info.context or {}).get("file", "<memory>"))
    key_lines: dict[str, int] = getattr(data, "key_lines", {})
    line = key_lines.get(given[-1], 0) if given else 0
    hint = None
    if not given:  # a misspelt kind: name the key it is a near miss of
        misspelt = ((key, did_you_mean(str(key), kinds)) for key in data)
        key, hint = next(((key, hint) for key, hint in misspelt if hint), (None, None))
        line = key_lines.get(str(key), 0)
    name = data.get(artifact)
    which = f"{artifact} {name!r}" if isinstance(name, str) else f"a {artifact}"
    got = " and ".join(given) if given else "none of them"
    choices = ", ".join(kinds[:-1]) + f" or {kinds[-1]}" if len(kinds) > 1 else kinds[0]
    raise ConfigError(
        f"{which} must have {'exactly' if required else 'at most'} one of {choices} (got {got})",
        location=SourceLocation(file, line or getattr(data, "line", 0) or 1),
        hint=hint,
    )
