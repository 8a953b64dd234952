"""A data mapper configuration (``.dmc``) read as the assignments it makes, for a payload template.

Integration Studio writes a mapping as a JavaScript function ``map_S_<input>_S_<output>``: either a
function assigned to that name that fills ``var output<title> = {}`` from the global ``input<title>``
(titles from the mapping's schemas) and returns it, or a function taking ``(input, output)``; MI's VS
Code extension makes it ``return mapFunction(inputroot)``, a function returning an object literal
(``{a: {b: <value>}}``, TypeScript's types allowed). The common case is a list of assignments
``output.a.b = <value>`` (or that literal), where a value is a field of the input
(``input.x.y``, ``input["x y"]``, ``input.items[0]``), a constant, an empty object, a message property
(``DM_PROPERTIES.DEFAULT['p']``, ``DM_PROPERTIES.TRANSPORT['h']``), text joined with ``+`` or
``concat``, the first present of ``a ?? b``, or ``toUpperCase()``, ``toLowerCase()``, ``trim()`` or
``toString()`` of one of those. Such a script becomes the output document with each value as an
Interlace ``${...}`` template. Anything else (loops, arrays in the output, conditions, local variables
read later, calls of other functions) is a problem at its line: the script does not have the common
shape and is ported by hand.

The reading takes the JavaScript subset above with its own small tokenizer rather than a full
JavaScript parser: whatever the parser, every construct outside the subset has to be found and
reported, and the subset's grammar is that check.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from interlace.importers.synapse.datamapper_tokens import (
    Function,
    Problem,
    Token,
    UnsupportedConstructError,
    functions,
    literal,
    tokenize,
)
from interlace.importers.synapse.datamapper_values import Value, path_step

__all__ = ["Problem", "ScriptMapping", "read_mapping"]

_METHODS: Final = {
    "toUpperCase": "toUpper",
    "toLowerCase": "toLower",
    "trim": "trim",
    "toString": "string",
}
_STATEMENTS: Final = {
    "var": ("local variable", "a value kept between statements"),
    "const": ("local variable", "a value kept between statements"),
    "let": ("local variable", "a value kept between statements"),
    "for": ("loop `for`", "loops fill arrays"),
    "while": ("loop `while`", "loops fill arrays"),
    "do": ("loop `do`", "loops fill arrays"),
    "if": ("condition `if`", "a value chosen per message"),
    "switch": ("condition `switch`", "a value chosen per message"),
}
_NESTING: Final = {"{": 1, "(": 1, "[": 1, "}": -1, ")": -1, "]": -1}
_PROPERTY_SCOPES: Final = {"DEFAULT": "props", "TRANSPORT": "headers"}


@dataclass(slots=True)
class ScriptMapping:
    """The output document the script builds (values are templates or constants), or its problems."""

    document: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


class _Reader:
    """Reads the body of the mapping function, statement by statement."""

    def __init__(
        self,
        tokens: list[Token],
        found: Mapping[str, Function],
        start: int,
        inputs: set[str],
        output: str | None,
    ) -> None:
        self.tokens = tokens
        self.functions = found
        self.at = start
        self.inputs = inputs
        self.output = output
        self.result = ScriptMapping()

    def peek(self, offset: int = 0) -> Token:
        index = min(self.at + offset, len(self.tokens) - 1)
        return self.tokens[index]

    def take(self, text: str | None = None) -> Token:
        token = self.peek()
        if text is not None and token.text != text:
            raise UnsupportedConstructError(token, f"`{token.text}`", f"expected `{text}`")
        self.at += 1
        return token

    def body(self) -> ScriptMapping:
        """The statements up to the function's closing brace."""
        while self.at < len(self.tokens) and self.peek().text != "}":
            start = self.at
            try:
                self.statement()
            except UnsupportedConstructError as exc:
                self.result.problems.append(exc.problem)
                self.at = start
                self.skip_statement()
        return self.result

    def unused(self, name: Token) -> bool:
        """Whether the variable ``name`` is declared and never read."""
        return sum(1 for token in self.tokens if token.kind == "name" and token.text == name.text) == 1

    def skip_statement(self) -> None:
        depth = 0
        while self.at < len(self.tokens):
            text = self.take().text
            depth += _NESTING.get(text, 0)
            if depth <= 0 and text in (";", "}"):
                if text == "}" and self.peek().text == ";":
                    self.at += 1
                return
            if depth < 0:
                return

    def statement(self) -> None:
        token = self.peek()
        if token.text == ";":
            self.take()
            return
        declares = token.text == "var" and self.peek(2).text == "=" and self.peek(3).text == "{"
        if declares and (self.output is None or self.peek(1).text == self.output):
            self.take("var")
            self.output = self.take().text
            for text in "={};":
                self.take(text)
            return
        if token.text in ("var", "let", "const") and self.unused(self.peek(1)):
            self.skip_statement()  # a counter generated for loops the mapping does not have
            return
        if token.text == "return":
            self.take()
            self.returned(token)
            if self.peek().text == ";":
                self.take()
            return
        if token.kind != "name" or token.text != self.output:
            what, why = _STATEMENTS.get(token.text, (f"statement `{token.text}`", "not an assignment"))
            what += f" {self.peek(1).text}" if token.text in ("var", "const", "let") else ""
            raise UnsupportedConstructError(token, what, f"{why}; only assignments to the output convert")
        target = self.target()
        self.take("=")
        value = self.value()
        self.take(";")
        self.assign(token, target, value)

    def returned(self, token: Token) -> None:
        """What a ``return`` gives: the output filled so far, an object literal, or what a function of
        the script returns for the input (``return mapFunction(inputroot)``)."""
        following = self.peek()
        if following.text == "{":
            self.result.document = self.object_literal()
            return
        called = self.functions.get(following.text)
        if called is not None and self.peek(1).text == "(" and self.peek(2).text in self.inputs:
            self.at += 3
            self.take(")")
            inner = _Reader(self.tokens, self.functions, called.start, set(called.params[:1]), None)
            self.result.document = inner.body().document
            self.result.problems += inner.result.problems
            return
        if self.take().text != self.output:
            raise UnsupportedConstructError(token, "return", f"a mapping returns its output {self.output}")

    def object_literal(self) -> dict[str, Any]:
        """``{key: value, ...}``, its values read as assignments' values are."""
        self.take("{")
        document: dict[str, Any] = {}
        while self.peek().text != "}":
            key = self.take()
            if key.kind not in ("name", "string"):
                raise UnsupportedConstructError(key, f"key `{key.text}`", "an object's keys are names")
            self.take(":")
            name = str(literal(key)) if key.kind == "string" else key.text
            try:
                document[name] = self.object_literal() if self.peek().text == "{" else self.value()
            except UnsupportedConstructError as exc:
                self.result.problems.append(exc.problem)
                self.skip_entry()
            if self.peek().text == ",":
                self.take()
        self.take("}")
        return document

    def skip_entry(self) -> None:
        """Past the rest of an object literal's entry, up to its ``,`` or the literal's ``}``."""
        depth = 0
        while self.at < len(self.tokens):
            text = self.peek().text
            if depth == 0 and text in (",", "}"):
                return
            depth += _NESTING.get(text, 0)
            self.at += 1

    def target(self) -> list[str]:
        self.take()
        keys: list[str] = []
        while self.peek().text in (".", "["):
            token = self.take()
            if token.text == ".":
                keys.append(self.take().text)
                continue
            key = self.take()
            if key.kind != "string":
                raise UnsupportedConstructError(
                    key, "output array", "arrays in the output need a loop: port by hand"
                )
            keys.append(str(literal(key)))
            self.take("]")
        return keys

    def assign(self, token: Token, keys: list[str], value: Any) -> None:
        if not keys:
            if value != {}:
                raise UnsupportedConstructError(
                    token, f"{self.output} =", "the output is filled field by field"
                )
            self.result.document.clear()
            return
        node = self.result.document
        for key in keys[:-1]:
            child = node.get(key)
            if not isinstance(child, dict):
                child = node[key] = {}
            node = child
        node[keys[-1]] = value

    def value(self) -> Any:
        if self.peek().text == "{" and self.peek(1).text == "}":
            self.at += 2
            return {}
        return self.joined().template()

    def joined(self) -> Value:
        """Terms joined with ``+``."""
        parts = [self.defaulted()]
        while self.peek().text == "+":
            self.take()
            parts.append(self.defaulted())
        return parts[0] if len(parts) == 1 else Value(parts=parts)

    def defaulted(self) -> Value:
        """A term, or terms joined with ``??`` (the first that is neither null nor missing)."""
        value = self.term()
        while self.peek().text == "?" and self.peek(1).text == "?":
            operator = self.take()
            self.take("?")
            operands = [value.operand(), self.term().operand()]
            if None in operands:
                raise UnsupportedConstructError(operator, "??", "joined text on either side")
            value = Value(expression=" ?? ".join(str(each) for each in operands))
        return value

    def term(self) -> Value:
        token = self.take()
        if token.kind in ("string", "number"):
            return self.methods(Value(constant=literal(token)))
        if token.text in ("true", "false", "null"):
            return Value(constant=json.loads(token.text))
        if token.text == "(":
            inner = self.joined()
            self.take(")")
            return self.methods(inner)
        if token.text == "DM_PROPERTIES":
            return self.methods(self.property(token))
        if token.kind == "name" and token.text in self.inputs:
            return self.methods(Value(expression=self.path(token)))
        if token.text == "[":
            raise UnsupportedConstructError(token, "array", "arrays are filled by loops")
        if token.kind == "name" and self.peek().text == "(":
            raise UnsupportedConstructError(
                token, f"call of {token.text}()", "the script's own functions do not convert"
            )
        raise UnsupportedConstructError(
            token, f"value `{token.text}`", "only input fields, constants and joined text convert"
        )

    def property(self, token: Token) -> Value:
        self.take(".")
        scope = self.take()
        self.take("[")
        name = self.take()
        self.take("]")
        root = _PROPERTY_SCOPES.get(scope.text)
        if root is None or name.kind != "string":
            raise UnsupportedConstructError(
                token, f"DM_PROPERTIES.{scope.text}", "only DEFAULT and TRANSPORT properties convert"
            )
        return Value(expression=root + path_step(str(literal(name))))

    def path(self, token: Token) -> str:
        path = "payload"
        while self.peek().text in (".", "["):
            if self.peek().text == "." and self.peek(2).text == "(":
                break  # a method call on the value read so far
            if self.take().text == ".":
                path += "." + self.take().text
                continue
            key = self.take()
            if key.kind == "number":
                path += f"[{key.text}]"
            elif key.kind == "string":
                path += path_step(str(literal(key)))
            else:
                raise UnsupportedConstructError(
                    key, f"input[{key.text}]", "a field chosen per message needs a loop or code"
                )
            self.take("]")
        return path

    def methods(self, value: Value) -> Value:
        while self.peek().text == "." and self.peek(2).text == "(":
            self.take(".")
            method = self.take()
            self.take("(")
            if method.text == "concat":
                parts = [value]
                while self.peek().text != ")":
                    parts.append(self.joined())
                    if self.peek().text == ",":
                        self.take()
                self.take(")")
                value = Value(parts=parts)
                continue
            if method.text == "map":
                raise UnsupportedConstructError(method, "array .map()", "arrays are filled by loops")
            function = _METHODS.get(method.text)
            if function is None or value.parts is not None:
                raise UnsupportedConstructError(
                    method, f"{method.text}()", "no Interlace function does the same here"
                )
            self.take(")")
            value = Value(expression=f"{function}({value.operand()})")
        return value


def read_mapping(script: str, input_title: str | None, output_title: str | None) -> ScriptMapping:
    """The document the mapping function of ``script`` builds; the schemas' titles (when known) name
    the function and the global input and output of the generated form."""
    tokens = tokenize(script)
    found = functions(tokens)
    wanted = f"map_S_{input_title}_S_{output_title}"
    name = wanted if wanted in found else next((each for each in found if each.startswith("map_S_")), None)
    if name is None:
        return ScriptMapping(problems=[Problem(1, "script", "no map_S_<input>_S_<output> function")])
    chosen = found[name]
    output: str | None
    if len(chosen.params) >= 2:
        inputs, output = {chosen.params[0]}, chosen.params[1]
    else:
        inputs = {f"input{input_title}"} if input_title else _globals(tokens, "input")
        output = f"output{output_title}" if output_title else None
    return _Reader(tokens, found, chosen.start, inputs, output).body()


def _globals(tokens: list[Token], prefix: str) -> set[str]:
    return {token.text for token in tokens if token.kind == "name" and token.text.startswith(prefix)}
