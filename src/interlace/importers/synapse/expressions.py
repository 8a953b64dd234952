"""Synapse expressions as Interlace ``${...}`` templates.

MI 4.4's synapse expressions (``${payload.a}``, ``${vars.x}``) are Interlace's own language and are
kept as written. The legacy forms are converted where the meaning is the same:

==================================  ==========================================================
Synapse                              Interlace
==================================  ==========================================================
``json-eval($.a.b)``, ``$.a.b``      ``${payload.a.b}``
``$ctx:x``, ``get-property('x')``    ``${props.x}`` (message properties set by ``property``)
``get-property('uri.var.x')``        ``${props["uri.var.x"] ?? params.pathParams.x}``
``get-property('query.param.x')``    ``${params.queryParams.x}``; ``$url:x`` too
``$trp:X``, transport scope          ``${headers["X"]}``
``$func:x``                          ``${params.functionParams.x}``
``get-property('ERROR_MESSAGE')``    ``${error.message}`` (and ``ERROR_CODE``, ``ERROR_DETAIL``)
other XPath (``$body//a``, ``//a``)  ``${xpath("...")}``, reported as approximated
==================================  ==========================================================

Anything else (XPath functions over properties, Synapse-only properties such as ``SYSTEM_DATE``) is
reported unsupported.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Final

__all__ = ["Converted", "convert_expression", "payload_target", "property_path", "uri_template"]

_NAME: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_JSON_EVAL: Final = re.compile(r"^json-eval\((.*)\)$", re.DOTALL)
_GET_PROPERTY: Final = re.compile(r"""^get-property\(\s*(['"])([^'"]+)\1\s*(?:,\s*(['"])([^'"]+)\3\s*)?\)$""")
_PREFIXED: Final = re.compile(r"^\$(ctx|trp|url|func|axis2):([A-Za-z0-9_.\-]+)$")
_PAYLOAD_PATH: Final = re.compile(r"^\$((?:\.[A-Za-z_][\w-]*|\[\d+\])*)$")
_PAYLOAD_STEP: Final = re.compile(r"\.([A-Za-z_][\w-]*)|\[(\d+)\]")
_URI_VAR: Final = re.compile(r"\{uri\.var\.([A-Za-z0-9_]+)\}")
_ERRORS: Final = {
    "ERROR_MESSAGE": "error.message",
    "ERROR_CODE": "error.code",
    "ERROR_DETAIL": "error.detail",
}


@dataclass(frozen=True, slots=True)
class Converted:
    """A converted expression: the template (None when there is none) and, if not exact, why."""

    template: str | None
    note: str = ""


def _member(root: str, name: str) -> str:
    return f"{root}.{name}" if _NAME.match(name) else f"{root}[{json.dumps(name)}]"


def property_path(name: str) -> str:
    """The expression (without ``${}``) reading the Synapse default-scope property ``name``."""
    if name.startswith("uri.var."):
        return f"{_member('props', name)} ?? {_member('params.pathParams', name[8:])}"
    if name.startswith("query.param."):
        return _member("params.queryParams", name[12:])
    if name in _ERRORS:
        return _ERRORS[name]
    return _member("props", name)


def uri_template(url: str) -> str:
    """An http endpoint's ``uri-template`` with each ``{uri.var.x}`` as an Interlace expression."""
    return _URI_VAR.sub(lambda match: "${" + property_path(f"uri.var.{match.group(1)}") + "}", url)


def payload_target(text: str) -> str | None:
    """The Interlace target (``payload.a.0``) of a JSON path into the payload (``$.a[0]``,
    ``json-eval($.a[0])``, ``${payload.a[0]}``); None for any other expression."""
    text = text.strip()
    if match := _JSON_EVAL.match(text):
        text = match.group(1).strip()
    elif text.startswith("${payload") and text.endswith("}"):
        text = "$" + text[len("${payload") : -1].strip()
    match = _PAYLOAD_PATH.match(text)
    if match is None:
        return None
    return ".".join(["payload", *(key or index for key, index in _PAYLOAD_STEP.findall(match.group(1)))])


def _json_path(path: str) -> str:
    path = path.strip()
    if path == "$":
        return "payload"
    if path.startswith(("$.", "$[")):
        return "payload" + path[1:]
    return path


def _property(scope: str, name: str) -> Converted:
    if scope == "default":
        if name.startswith(("SYSTEM_", "MESSAGE_FORMAT")) or name in ("To", "From", "MessageID", "FAULT"):
            return Converted(None, f"the Synapse property {name} has no Interlace equivalent")
        note = "MI error codes differ from Interlace's" if name == "ERROR_CODE" else ""
        return Converted("${" + property_path(name) + "}", note)
    if scope == "transport":
        return Converted("${" + _member("headers", name) + "}")
    return Converted(None, f"the {scope} scope has no Interlace equivalent")


def convert_expression(text: str, evaluator: str | None = None) -> Converted:
    """``text`` as an Interlace template; ``evaluator`` is ``json`` or ``xml`` where Synapse names it."""
    text = text.strip()
    if "${" in text:
        return Converted(text)
    if match := _JSON_EVAL.match(text):
        return Converted("${" + _json_path(match.group(1)) + "}")
    if evaluator == "json" or text.startswith(("$.", "$[")) or text == "$":
        return Converted("${" + _json_path(text) + "}")
    if match := _GET_PROPERTY.match(text):
        scope, name = (
            ("default", match.group(2)) if match.group(4) is None else (match.group(2), match.group(4))
        )
        return _property(scope.lower(), name)
    if match := _PREFIXED.match(text):
        prefix, name = match.groups()
        if prefix == "ctx":
            return _property("default", name)
        if prefix == "trp":
            return _property("transport", name)
        if prefix == "url":
            return Converted("${" + _member("params.queryParams", name) + "}")
        if prefix == "func":
            return Converted("${" + _member("params.functionParams", name) + "}")
        return Converted(None, "the axis2 scope has no Interlace equivalent")
    if "get-property" in text or "$ctx:" in text or "$trp:" in text or "$url:" in text:
        return Converted(
            None, "XPath over Synapse properties has no Interlace equivalent; rewrite it as ${...}"
        )
    path = text.replace("$body", "") if text.startswith("$body/") else text
    return Converted(
        "${xpath(" + json.dumps(path) + ")}",
        "evaluated as XPath over the XML payload (the SOAP envelope is not part of it); check the result",
    )
