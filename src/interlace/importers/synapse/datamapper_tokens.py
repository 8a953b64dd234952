"""The tokens of a data mapper configuration (``.dmc``): the JavaScript subset its reader takes.

Comments and spaces are dropped, each token keeps its line (a construct the reader refuses is reported
there), and strings are read with JavaScript's quotes and escapes as far as JSON has them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Final

__all__ = ["Problem", "Token", "UnsupportedConstructError", "literal", "tokenize"]

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
