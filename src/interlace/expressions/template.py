"""Templates: strings with ``${...}`` expressions, and nested YAML values whose strings are templates.

A string that is exactly one ``${...}`` keeps the value's type (an object stays an object, a number a
number). Text around or between expressions makes a string, in which values read as
:func:`~interlace.expressions.values.to_text` says: null as the empty string, numbers and booleans as
JSON (``true``), objects and arrays as compact JSON. ``\\${`` writes a literal ``${``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from interlace.errors import ExpressionError, SourceLocation
from interlace.expressions.code import CompileScope, copy_value
from interlace.expressions.evaluate import Expression, compile_expression
from interlace.expressions.values import to_text
from interlace.message import MessageContext

__all__ = ["Template", "ValueTemplate", "compile_template", "compile_value", "split_template"]

_Render = Callable[[MessageContext], Any]
_NO_MESSAGE = MessageContext()  # constant expressions never look at the message


@dataclass(frozen=True, slots=True)
class Template:
    """A compiled string template; immutable, safe to share between concurrent messages.

    ``render`` gives the value of a template that is exactly one ``${...}`` (with its type) and a string
    otherwise; ``render_str`` always gives a string. Both raise :class:`ExpressionError` when an
    expression fails on the message. ``expressions`` lists the template's expressions in order.
    """

    source: str
    is_constant: bool
    expressions: tuple[Expression, ...]
    _parts: tuple[str | Expression, ...] = field(repr=False, compare=False)
    _single: bool = field(repr=False, compare=False)
    _escape: Callable[[str], str] | None = field(default=None, repr=False, compare=False)

    @property
    def reads_payload(self) -> bool:
        """Whether rendering it may read the payload (see :attr:`Expression.reads_payload`)."""
        return any(expression.reads_payload for expression in self.expressions)

    def render(self, ctx: MessageContext) -> Any:
        if self._single:
            return self.expressions[0].evaluate(ctx)
        return self.render_str(ctx)

    def render_str(self, ctx: MessageContext) -> str:
        parts = self._parts
        escape = self._escape
        if escape is not None:
            return "".join(
                part if isinstance(part, str) else _escaped(part, part.evaluate(ctx), escape)
                for part in parts
            )
        if len(parts) == 1:
            part = parts[0]
            return part if isinstance(part, str) else _text(part, part.evaluate(ctx))
        return "".join(part if isinstance(part, str) else _text(part, part.evaluate(ctx)) for part in parts)


def _text(expression: Expression, value: Any) -> str:
    try:
        return to_text(value)
    except (RecursionError, TypeError, ValueError) as exc:
        raise ExpressionError(
            f"cannot write the value of {expression} as text: {exc}", location=expression.location
        ) from exc


def _escaped(expression: Expression, value: Any, escape: Callable[[str], str]) -> str:
    # An XML element inserted into an XML template is markup already; every other value is text.
    if isinstance(value, etree._Element):
        return _text(expression, value)
    return escape(_text(expression, value))


def _closing_brace(text: str, start: int) -> int:
    quote = ""
    i = start
    while i < len(text):
        char = text[i]
        if quote:
            if char == "\\":
                i += 1
            elif char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "}":
            return i
        i += 1
    return -1


def _split(text: str, location: SourceLocation | None) -> list[str | tuple[str, int]]:
    parts: list[str | tuple[str, int]] = []
    literal: list[str] = []
    i = 0
    while i < len(text):
        if text.startswith("\\${", i):
            literal.append("${")
            i += 3
        elif text.startswith("${", i):
            end = _closing_brace(text, i + 2)
            if end < 0:
                raise ExpressionError(
                    f"unclosed '${{' at column {i + 1} in {text!r}: expected '}}' after the expression "
                    "(write \\${ for a literal '${')",
                    location=location,
                )
            if literal:
                parts.append("".join(literal))
                literal = []
            parts.append((text[i + 2 : end], i + 1))
            i = end + 1
        else:
            literal.append(text[i])
            i += 1
    if literal:
        parts.append("".join(literal))
    return parts


def split_template(text: str, location: SourceLocation | None = None) -> list[str | tuple[str, int]]:
    """``text`` as its literal parts (``\\${`` already unescaped) and its ``${...}`` expressions, each as
    (source inside the braces, 1-based column); :class:`ExpressionError` for an unclosed ``${``."""
    return _split(text, location)


def compile_template(
    text: str,
    *,
    location: SourceLocation | None = None,
    scope: CompileScope | None = None,
    escape: Callable[[str], str] | None = None,
) -> Template:
    """Compile a string with zero or more ``${...}``; raises :class:`ExpressionError` for an unclosed
    ``${`` or an invalid expression, with ``location``.

    With ``escape`` (for example XML escaping), every inserted value goes through it — except XML
    elements, which are inserted as markup — and ``render`` always gives a string."""
    if "${" not in text:
        return Template(text, True, (), (text,), False)
    pieces = _split(text, location)
    if escape is not None:
        return _escaping_template(text, pieces, location, scope, escape)
    if len(pieces) == 1 and isinstance(pieces[0], tuple):
        only = compile_expression(pieces[0][0], location=location, scope=scope)
        return Template(text, only.is_constant, (only,), (only,), True)
    parts: list[str | Expression] = []
    for piece in pieces:
        if isinstance(piece, str):
            parts.append(piece)
            continue
        expression = compile_expression(piece[0], location=location, scope=scope)
        # a constant expression inside text is written into the text once, here
        parts.append(
            _text(expression, expression.evaluate(_NO_MESSAGE)) if expression.is_constant else expression
        )
    merged = _merge_literals(parts)
    expressions = tuple(part for part in merged if isinstance(part, Expression))
    return Template(text, not expressions, expressions, tuple(merged) or ("",), False)


def _escaping_template(
    text: str,
    pieces: list[str | tuple[str, int]],
    location: SourceLocation | None,
    scope: CompileScope | None,
    escape: Callable[[str], str],
) -> Template:
    parts: list[str | Expression] = []
    for piece in pieces:
        if isinstance(piece, str):
            parts.append(piece)
            continue
        expression = compile_expression(piece[0], location=location, scope=scope)
        if expression.is_constant:
            parts.append(_escaped(expression, expression.evaluate(_NO_MESSAGE), escape))
        else:
            parts.append(expression)
    merged = _merge_literals(parts)
    expressions = tuple(part for part in merged if isinstance(part, Expression))
    return Template(text, not expressions, expressions, tuple(merged) or ("",), False, escape)


def _merge_literals(parts: list[str | Expression]) -> list[str | Expression]:
    merged: list[str | Expression] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        else:
            merged.append(part)
    return merged


@dataclass(frozen=True, slots=True)
class ValueTemplate:
    """A compiled nested value (dicts, lists, strings, numbers from YAML) whose strings are templates.

    ``render`` builds a new structure per call with each template's value substituted (a string that is
    exactly one ``${...}`` keeps the value's type); keys are rendered as strings. Parts without
    expressions are built once at compile time and copied at render, so callers may change the result.
    """

    source: Any
    is_constant: bool
    _render: _Render = field(repr=False, compare=False)
    reads_payload: bool = True
    """Whether rendering it may read the payload (see :attr:`Expression.reads_payload`)."""

    def render(self, ctx: MessageContext) -> Any:
        return self._render(ctx)


def compile_value(
    value: Any, *, location: SourceLocation | None = None, scope: CompileScope | None = None
) -> ValueTemplate:
    """Compile every string inside ``value`` (including mapping keys) as a template.

    When ``value`` came from the YAML loader, errors name the line of the offending key or item.
    """
    compiler = _ValueCompiler(scope)
    render, constant, fixed = compiler.compile(value, location)
    if constant:
        return ValueTemplate(value, True, lambda ctx: copy_value(fixed), False)
    return ValueTemplate(value, False, render, compiler.reads_payload)


def _line(location: SourceLocation | None, lines: Any, key: Any) -> SourceLocation | None:
    try:
        line = lines[key] if lines is not None else None
    except (KeyError, IndexError, TypeError):
        line = None
    return location if location is None or not isinstance(line, int) else SourceLocation(location.file, line)


class _ValueCompiler:
    def __init__(self, scope: CompileScope | None) -> None:
        self._scope = scope
        self.reads_payload = False

    def compile(self, value: Any, location: SourceLocation | None) -> tuple[_Render, bool, Any]:
        """(render, is_constant, constant value)."""
        if isinstance(value, str):
            template = self._template(value, location)
            if template.is_constant:
                return template.render, True, template.render(_NO_MESSAGE)
            return template.render, False, None
        if isinstance(value, dict):
            return self._mapping(value, location)
        if isinstance(value, list | tuple):
            return self._sequence(value, location)
        return (lambda ctx: value), True, value

    def _template(self, text: str, location: SourceLocation | None) -> Template:
        template = compile_template(text, location=location, scope=self._scope)
        self.reads_payload = self.reads_payload or template.reads_payload
        return template

    def _mapping(self, value: dict[Any, Any], location: SourceLocation | None) -> tuple[_Render, bool, Any]:
        lines = getattr(value, "key_lines", None)
        entries: list[tuple[Any, _Render | None, _Render, bool, Any]] = []
        for key, item in value.items():
            where = _line(location, lines, key)
            key_render: _Render | None = None
            if isinstance(key, str) and "${" in key:
                key_template = self._template(key, where)
                if key_template.is_constant:
                    key = key_template.render_str(_NO_MESSAGE)
                else:
                    key_render = key_template.render_str
            render, constant, fixed = self.compile(item, where)
            entries.append((key, key_render, render, constant, fixed))
        if all(key_render is None and constant for _, key_render, _, constant, _ in entries):
            mapping = {key: fixed for key, _, _, _, fixed in entries}
            return _copier(mapping), True, mapping
        parts = [
            (key, key_render, (_copier(fixed) if constant else render))
            for key, key_render, render, constant, fixed in entries
        ]

        def render_mapping(ctx: MessageContext) -> Any:
            return {
                (key if key_render is None else key_render(ctx)): render(ctx)
                for key, key_render, render in parts
            }

        return render_mapping, False, None

    def _sequence(
        self, value: list[Any] | tuple[Any, ...], location: SourceLocation | None
    ) -> tuple[_Render, bool, Any]:
        lines = getattr(value, "item_lines", None)
        items = [self.compile(item, _line(location, lines, index)) for index, item in enumerate(value)]
        if all(constant for _, constant, _ in items):
            sequence = [fixed for _, _, fixed in items]
            return _copier(sequence), True, sequence
        renders = [(_copier(fixed) if constant else render) for render, constant, fixed in items]
        return (lambda ctx: [render(ctx) for render in renders]), False, None


def _copier(value: Any) -> _Render:
    if isinstance(value, dict | list):
        return lambda ctx: copy_value(value)
    return lambda ctx: value
