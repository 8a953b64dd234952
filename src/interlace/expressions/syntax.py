"""Tokenizer and recursive-descent parser for the text inside ``${...}``.

Precedence, lowest first: ``c ? a : b``, ``??``, ``||``, ``&&``, ``== !=``, ``< <= > >=``, ``+ -``,
``* / %``, unary ``- !``, then primaries with their path segments (``.name``, ``[...]``, ``..name``).
Errors are :class:`ExpressionError` naming what was expected, the 1-based column and the expression.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from interlace.errors import ExpressionError, SourceLocation, did_you_mean
from interlace.expressions import ast

__all__ = ["MAX_DEPTH", "MAX_DIGITS", "parse", "quoted_source"]

MAX_DEPTH: Final = 64
"""How deeply parentheses, calls and unary operators may nest; deeper input is rejected, not recursed."""
MAX_DIGITS: Final = 1000
"""How many characters a number literal may have."""
_SHOWN: Final = 200
"""How much of an expression an error message repeats."""
_SURROGATES: Final = re.compile("[\ud800-\udfff]")

_NUMBER: Final = re.compile(r"\d+(\.\d+)?([eE][+-]?\d+)?")
_NAME: Final = re.compile(r"[^\W\d]\w*")
_OPERATORS: Final = (
    "..", "??", "==", "!=", "<=", ">=", "&&", "||",
    ".", "?", ":", "[", "]", "(", ")", ",", "+", "-", "*", "/", "%", "<", ">", "!", "$", "@",
)  # fmt: skip
_ESCAPES: Final = {
    '"': '"',
    "'": "'",
    "\\": "\\",
    "/": "/",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
}
_KEYWORDS: Final = {"true": True, "false": False, "null": None}
_PRECEDENCE: Final = {
    "||": 0, "&&": 1, "==": 2, "!=": 2, "<": 3, "<=": 3, ">": 3, ">=": 3,
    "+": 4, "-": 4, "*": 5, "/": 5, "%": 5,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "num", "str", "name", "op" or "end"
    text: str
    value: object
    column: int

    def describe(self) -> str:
        if self.kind == "end":
            return "the end of the expression"
        return f"'{self.text}'"


def quoted_source(source: str) -> str:
    """``${source}`` as an error message repeats it: unprintable characters escaped, at most _SHOWN
    characters of it."""
    shown = "".join(char if char.isprintable() else repr(char)[1:-1] for char in source[:_SHOWN])
    return f"${{{shown}{'...' if len(source) > _SHOWN else ''}}}"


def parse(source: str, location: SourceLocation | None = None) -> ast.Node:
    """Parse the text inside ``${...}``; raise :class:`ExpressionError` when it is not a valid expression."""
    return _Parser(source, location).parse()


class _Parser:
    def __init__(self, source: str, location: SourceLocation | None) -> None:
        self._source = source
        self._location = location
        self._tokens = self._tokenize()
        self._pos = 0
        self._depth = 0
        self._filters = 0  # how many filters enclose the current position (for "@")

    def fail(self, message: str, column: int) -> ExpressionError:
        return ExpressionError(
            f"{message} at column {column} in {quoted_source(self._source)}", location=self._location
        )

    # -- tokens ---------------------------------------------------------------------------------------

    def _tokenize(self) -> list[_Token]:
        text, tokens, i = self._source, [], 0
        if surrogate := _SURROGATES.search(text):
            shown = repr(surrogate.group())[1:-1]
            raise self.fail(f"{shown} is a lone surrogate, not a character", surrogate.start() + 1)
        while i < len(text):
            char = text[i]
            if char.isspace():
                i += 1
                continue
            if char in "'\"":
                value, end = self._read_string(i)
                tokens.append(_Token("str", text[i:end], value, i + 1))
                i = end
                continue
            if match := _NUMBER.match(text, i):
                literal = match.group()
                if len(literal) > MAX_DIGITS:
                    raise self.fail(f"a number may have at most {MAX_DIGITS} digits", i + 1)
                number = float(literal) if match.group(1) or match.group(2) else int(literal)
                tokens.append(_Token("num", literal, number, i + 1))
                i = match.end()
                continue
            if match := _NAME.match(text, i):
                tokens.append(_Token("name", match.group(), match.group(), i + 1))
                i = match.end()
                continue
            for op in _OPERATORS:
                if text.startswith(op, i):
                    tokens.append(_Token("op", op, op, i + 1))
                    i += len(op)
                    break
            else:
                raise self.fail(f"unexpected character {char!r}", i + 1)
        tokens.append(_Token("end", "", None, len(text) + 1))
        return tokens

    def _read_string(self, start: int) -> tuple[str, int]:
        text, quote = self._source, self._source[start]
        chars: list[str] = []
        i = start + 1
        while i < len(text):
            char = text[i]
            if char == quote:
                return "".join(chars), i + 1
            if char == "\\":
                escape = text[i + 1 : i + 2]
                if escape in _ESCAPES:
                    chars.append(_ESCAPES[escape])
                    i += 2
                    continue
                digits = text[i + 2 : i + 6]
                if escape == "u" and len(digits) == 4 and all(c in "0123456789abcdefABCDEF" for c in digits):
                    if 0xD800 <= int(digits, 16) <= 0xDFFF:
                        raise self.fail(f"\\u{digits} is a lone surrogate, not a character", i + 1)
                    chars.append(chr(int(digits, 16)))
                    i += 6
                    continue
                raise self.fail(f"unknown escape '\\{escape}' in a string (use \\\\ for a backslash)", i + 1)
            chars.append(char)
            i += 1
        raise self.fail(f"unclosed string: expected a closing {quote}", start + 1)

    @property
    def _token(self) -> _Token:
        return self._tokens[self._pos]

    def _at(self, *ops: str) -> bool:
        token = self._token
        return token.kind == "op" and token.text in ops

    def _take(self) -> _Token:
        token = self._tokens[self._pos]
        self._pos += 1
        return token

    def _expect(self, op: str, context: str) -> _Token:
        if not self._at(op):
            raise self.fail(f"expected '{op}' {context}, found {self._token.describe()}", self._token.column)
        return self._take()

    def _enter(self, column: int) -> None:
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise self.fail(f"the expression nests more than {MAX_DEPTH} levels deep", column)

    # -- grammar --------------------------------------------------------------------------------------

    def parse(self) -> ast.Node:
        if self._token.kind == "end":
            raise self.fail("expected an expression, found nothing", 1)
        node = self._expression()
        if self._token.kind != "end":
            raise self.fail(
                f"expected an operator or the end of the expression, found {self._token.describe()}",
                self._token.column,
            )
        return node

    def _expression(self) -> ast.Node:
        self._enter(self._token.column)
        test = self._coalesce()
        if self._at("?"):
            column = self._take().column
            then = self._expression()
            self._expect(":", "between the two branches of '?'")
            otherwise = self._expression()
            test = ast.Conditional(test, then, otherwise, column)
        self._depth -= 1
        return test

    def _coalesce(self) -> ast.Node:
        node = self._binary(0)
        while self._at("??"):
            column = self._take().column
            node = ast.Binary("??", node, self._binary(0), column)
        return node

    def _binary(self, min_precedence: int) -> ast.Node:
        node = self._unary()
        while True:
            token = self._token
            precedence = _PRECEDENCE.get(token.text, -1) if token.kind == "op" else -1
            if precedence < min_precedence:
                return node
            self._take()
            node = ast.Binary(token.text, node, self._binary(precedence + 1), token.column)

    def _unary(self) -> ast.Node:
        if self._at("-", "!"):
            token = self._take()
            self._enter(token.column)
            operand = self._unary()
            self._depth -= 1
            if token.text == "-" and isinstance(operand, ast.Literal) and type(operand.value) in (int, float):
                return ast.Literal(-operand.value, token.column)
            return ast.Unary(token.text, operand, token.column)
        return self._postfix()

    def _postfix(self) -> ast.Node:
        base = self._primary()
        segments: list[ast.Segment] = []
        while self._at(".", "..", "["):
            segments.append(self._segment())
        if not segments and not isinstance(base, ast.Root):
            return base
        return ast.Path(base, tuple(segments), base.column)

    def _segment(self) -> ast.Segment:
        token = self._take()
        if token.text == ".":
            if self._at("*"):
                self._take()
                return ast.Wildcard(token.column)
            return ast.Field(self._name("after '.'"), token.column)
        if token.text == "..":
            if self._at("*"):
                self._take()
                return ast.Descendant(None, token.column)
            return ast.Descendant(self._name("after '..'"), token.column)
        return self._bracket(token.column)

    def _name(self, context: str) -> str:
        if self._token.kind != "name":
            raise self.fail(f"expected a name {context}, found {self._token.describe()}", self._token.column)
        return self._take().text

    def _bracket(self, column: int) -> ast.Segment:
        segment: ast.Segment
        if self._at("*") and self._tokens[self._pos + 1].text == "]":
            self._take()
            segment = ast.Wildcard(column)
        elif self._at("?"):
            self._take()
            self._filters += 1
            segment = ast.Filter(self._expression(), column)
            self._filters -= 1
        else:
            start = None if self._at(":") else self._expression()
            if self._at(":"):
                segment = self._slice(start, column)
            else:
                assert start is not None
                if isinstance(start, ast.Literal) and isinstance(start.value, str):
                    segment = ast.Field(start.value, column)
                else:
                    segment = ast.Index(start, column)
        self._expect("]", "to close '['")
        return segment

    def _slice(self, start: ast.Node | None, column: int) -> ast.Slice:
        self._take()
        end = None if self._at(":", "]") else self._expression()
        step = None
        if self._at(":"):
            self._take()
            step = None if self._at("]") else self._expression()
        return ast.Slice(start, end, step, column)

    def _primary(self) -> ast.Node:
        token = self._token
        if token.kind in ("num", "str"):
            self._take()
            return ast.Literal(token.value, token.column)
        if self._at("("):
            self._take()
            node = self._expression()
            self._expect(")", "to close '('")
            return node
        if self._at("["):
            return self._array()
        if self._at("$", "@"):
            self._take()
            if token.text == "@" and not self._filters:
                raise self.fail("'@' is the current element and can only be used inside a filter [?(...)]",
                                token.column)  # fmt: skip
            return ast.Root("payload" if token.text == "$" else "@", token.column)
        if token.kind == "name":
            self._take()
            if self._at("("):
                return self._call(token)
            if token.text in _KEYWORDS:
                return ast.Literal(_KEYWORDS[token.text], token.column)
            if token.text in ast.ROOT_NAMES:
                return ast.Root("props" if token.text == "properties" else token.text, token.column)
            raise self.fail(self._unknown_name(token.text), token.column)
        raise self.fail(
            f"expected a value, a path or a function call, found {token.describe()}", token.column
        )

    def _unknown_name(self, name: str) -> str:
        known = sorted(ast.ROOT_NAMES - {"$", "@"})
        close = did_you_mean(name, known)
        hint = f" ({close})" if close else ""
        return (
            f"unknown name '{name}'{hint}: a path starts with one of {', '.join(known)}; "
            f"write text in quotes ('{name}')"
        )

    def _array(self) -> ast.ArrayLiteral:
        column = self._take().column
        self._enter(column)
        items: list[ast.Node] = []
        while not self._at("]"):
            items.append(self._expression())
            if not self._at("]"):
                self._expect(",", "between array items")
        self._take()
        self._depth -= 1
        return ast.ArrayLiteral(tuple(items), column)

    def _call(self, name: _Token) -> ast.Call:
        self._take()
        self._enter(name.column)
        args: list[ast.Node] = []
        while not self._at(")"):
            args.append(self._expression())
            if not self._at(")"):
                self._expect(",", f"between the arguments of {name.text}()")
        self._take()
        self._depth -= 1
        return ast.Call(name.text, tuple(args), name.column)
