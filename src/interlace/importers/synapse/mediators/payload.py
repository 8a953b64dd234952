"""``payloadFactory`` -> ``payload``.

Each ``$N`` of the format becomes its argument as a ``${...}`` template (a literal ``value`` is put in
as text), and MI 4.4's template form (``${...}`` in the format, no arguments) is kept. In a JSON format
an argument that stands alone, quoted or not, keeps its value's type (Interlace's rule for a template
that is exactly one ``${...}``); one inside a longer string is put in as text.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

from lxml import etree

from interlace.importers.synapse.conversion import Conversion
from interlace.importers.synapse.registry import FlowItem, FlowPart, mediator
from interlace.importers.synapse.xml import attribute, child, children, local_name

__all__ = ["convert_payload_factory"]

_ARG: Final = re.compile(r"\$(\d+)")
_SYNAPSE_NS: Final = ' xmlns="http://ws.apache.org/ns/synapse"'
_WHOLE, _INLINE = "\ue000", "\ue001"  # private-use characters: JSON carries them, no format has them


def _arguments(element: etree._Element, conversion: Conversion) -> list[str] | None:
    args = child(element, "args")
    values: list[str] = []
    for arg in children(args) if args is not None else ():
        expression = attribute(arg, "expression")
        if expression is None:
            values.append(attribute(arg, "value") or "")
            continue
        template = conversion.expression(
            arg, expression, "payloadFactory arg", evaluator=attribute(arg, "evaluator")
        )
        if template is None:
            return None
        values.append(template)
    return values


def _token_end(text: str, start: int) -> int:
    """The end of the ``$N`` or ``${...}`` starting at ``start`` (start itself when there is none)."""
    if text.startswith("${", start):
        depth, index = 0, start + 1
        while index < len(text):
            depth += {"{": 1, "}": -1}.get(text[index], 0)
            if depth == 0:
                return index + 1
            index += 1
        return start
    match = _ARG.match(text, start)
    return match.end() if match else start


def _mark(text: str, args: list[str]) -> tuple[str, list[str]]:
    """``text`` with each token replaced by a marker JSON can carry, and the tokens' templates."""
    out: list[str] = []
    tokens: list[str] = []
    in_string, index = False, 0
    while index < len(text):
        char = text[index]
        end = _token_end(text, index) if char == "$" else index
        if end == index:
            if char == "\\" and in_string:
                out.append(text[index : index + 2])
                index += 2
                continue
            in_string ^= char == '"'
            out.append(char)
            index += 1
            continue
        token = text[index:end]
        tokens.append(token if token.startswith("${") else args[int(token[1:]) - 1])
        alone = in_string and text[index - 1] == '"' and text[end : end + 1] == '"'
        marker = f"{_WHOLE}{len(tokens) - 1}{_WHOLE}"
        out.append(
            marker if alone else f'"{marker}"' if not in_string else f"{_INLINE}{len(tokens) - 1}{_INLINE}"
        )
        index = end
    return "".join(out), tokens


def _unmark(value: Any, tokens: list[str]) -> Any:
    if isinstance(value, dict):
        return {key: _unmark(each, tokens) for key, each in value.items()}
    if isinstance(value, list):
        return [_unmark(each, tokens) for each in value]
    if isinstance(value, str):
        if value.startswith(_WHOLE) and value.endswith(_WHOLE) and value.count(_WHOLE) == 2:
            return tokens[int(value[1:-1])]
        return re.sub(f"{_INLINE}(\\d+){_INLINE}", lambda m: tokens[int(m.group(1))], value)
    return value


def _json(format_text: str, args: list[str]) -> Any:
    marked, tokens = _mark(format_text, args)
    return _unmark(json.loads(marked), tokens)


def _xml(format_element: etree._Element, args: list[str]) -> str:
    body = next(children(format_element), None)
    text = "" if body is None else etree.tostring(body, encoding="unicode", with_tail=False)
    return _ARG.sub(lambda m: args[int(m.group(1)) - 1], text.replace(_SYNAPSE_NS, ""))


@mediator("payloadFactory")
def convert_payload_factory(
    element: etree._Element, conversion: Conversion, part: FlowPart
) -> list[FlowItem]:
    media = (attribute(element, "media-type") or "xml").lower()
    format_element = child(element, "format")
    if format_element is None or attribute(format_element, "key"):
        conversion.unsupported(element, "payloadFactory format from the registry")
        return []
    if (attribute(element, "template-type") or "default").lower() != "default":
        conversion.unsupported(element, f"payloadFactory template-type {attribute(element, 'template-type')}")
        return []
    args = _arguments(element, conversion)
    if args is None:
        return []
    text = format_element.text or ""
    try:
        if media == "json":
            options: dict[str, Any] = {"json": _json(text.strip(), args)}
        elif media == "xml":
            options = {"xml": _xml(format_element, args)}
        else:
            options = {"text": _ARG.sub(lambda m: args[int(m.group(1)) - 1], text.strip())}
    except (ValueError, IndexError) as exc:
        conversion.unsupported(element, "payloadFactory format", f"cannot read it as {media} ({exc})")
        return []
    if any(local_name(each) not in ("format", "args") for each in children(element)):
        conversion.unsupported(element, "payloadFactory children other than format and args")
    conversion.converted(element, f"payloadFactory ({media})")
    return [{"payload": options}]
