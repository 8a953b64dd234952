"""The tokens of a data mapper configuration (``.dmc``): the JavaScript subset its reader takes.

Comments and spaces are dropped, each token keeps its line (a construct the reader refuses is reported
there), and strings are read with JavaScript's quotes and escapes as far as JSON has them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Final

__all__ = ["Function", "Problem", "Token", "UnsupportedConstructError", "functions", "literal", "tokenize"]

_TOKEN: Final = re.compile(
    r"""(?P<space>[ \t\r\n]+)|(?P<comment>//[^\n]*|/\*.*?\*/)"""
    r"""|(?P<string>"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')"""
    r"""|(?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|(?P<name>[A-Za-z_$][\w$]*)|(?P<punct>[^\s\w])""",
    re.S,
)
_ESCAPE: Final = re.compile(r"""\\(.)|(")""", re.S)


@dataclass(frozen=True, slots=True)
class Problem:
    """A construct of the script at ``line`` that is not a plain assignment, and why."""

    line: int
    construct: str
    why: str


@dataclass(frozen=True, slots=True)
class Token:
    """One token: its kind (``string``, ``number``, ``name`` or ``punct``), its text and its line."""

    kind: str
    text: str
    line: int


class UnsupportedConstructError(Exception):
    """A construct outside the subset, at its token's line."""

    def __init__(self, token: Token, construct: str, why: str) -> None:
        super().__init__(why)
        self.problem = Problem(token.line, construct, why)


def tokenize(script: str) -> list[Token]:
    """The tokens of ``script`` in order, without spaces and comments."""
    found: list[Token] = []
    line = 1
    for match in _TOKEN.finditer(script):
        kind = match.lastgroup or "punct"
        if kind not in ("space", "comment"):
            found.append(Token(kind, match.group(), line))
        line += match.group().count("\n")
    return found


def literal(token: Token) -> Any:
    """The value of a number or string token (JavaScript's quotes and escapes, read as JSON's)."""
    if token.kind == "number":
        return json.loads(token.text)
    body = _ESCAPE.sub(
        lambda m: '\\"' if m.group(2) else ("'" if m.group(1) == "'" else m.group(0)), token.text[1:-1]
    )
    try:
        return json.loads(f'"{body}"')
    except ValueError:
        raise UnsupportedConstructError(
            token, f"string {token.text}", "an escape JSON does not have"
        ) from None


@dataclass(frozen=True, slots=True)
class Function:
    """A function of the script: its parameters' names and the index of its body's first token."""

    params: list[str]
    start: int


def functions(tokens: list[Token]) -> dict[str, Function]:
    """The script's functions by name: ``function f(a, b) {``, ``f = function(a) {``, and the same with
    TypeScript's types (``function f(input: Root): Output {``), as a compiled mapping may keep them."""
    found: dict[str, Function] = {}
    for index, token in enumerate(tokens[:-2]):
        if token.kind != "name":
            continue
        if index > 0 and tokens[index - 1].text == "function" and tokens[index + 1].text == "(":
            opening = index + 1
        elif [each.text for each in tokens[index + 1 : index + 4]] == ["=", "function", "("]:
            opening = index + 3
        else:
            continue
        params, at = _parameters(tokens, opening)
        while at < len(tokens) and tokens[at].text != "{":  # a return type
            at += 1
        if at < len(tokens):
            found.setdefault(token.text, Function(params, at + 1))
    return found


def _parameters(tokens: list[Token], opening: int) -> tuple[list[str], int]:
    """The names of the parameters from the ``(`` at ``opening`` (types skipped), and the index after
    the closing ``)``."""
    params: list[str] = []
    depth, at, expecting = 0, opening + 1, True
    while at < len(tokens):
        text = tokens[at].text
        if depth == 0 and text == ")":
            return params, at + 1
        depth += {"(": 1, "{": 1, "[": 1, "<": 1, ")": -1, "}": -1, "]": -1, ">": -1}.get(text, 0)
        if depth == 0 and text == ",":
            expecting = True
        elif expecting and tokens[at].kind == "name":
            params.append(text)
            expecting = False
        at += 1
    return params, at
