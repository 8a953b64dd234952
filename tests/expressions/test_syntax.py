"""The parser: precedence, literals, paths and error messages with columns."""

from __future__ import annotations

import pytest

from interlace.errors import ExpressionError, SourceLocation
from interlace.expressions import ast
from interlace.expressions.syntax import MAX_DEPTH, parse


def shape(node: ast.Node) -> object:
    """A compact nested form of a tree, to compare precedence."""
    if isinstance(node, ast.Literal):
        return node.value
    if isinstance(node, ast.Binary):
        return (node.op, shape(node.left), shape(node.right))
    if isinstance(node, ast.Unary):
        return (node.op, shape(node.operand))
    if isinstance(node, ast.Conditional):
        return ("?", shape(node.test), shape(node.then), shape(node.otherwise))
    if isinstance(node, ast.Path):
        return "path"
    return type(node).__name__


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 + 2 * 3", ("+", 1, ("*", 2, 3))),
        ("(1 + 2) * 3", ("*", ("+", 1, 2), 3)),
        ("1 - 2 - 3", ("-", ("-", 1, 2), 3)),
        ("8 / 4 % 3", ("%", ("/", 8, 4), 3)),
        ("1 < 2 == true", ("==", ("<", 1, 2), True)),
        ("1 == 1 && 2 != 3 || false", ("||", ("&&", ("==", 1, 1), ("!=", 2, 3)), False)),
        ("true || false && false", ("||", True, ("&&", False, False))),
        ("null ?? 1 || 2", ("??", None, ("||", 1, 2))),
        ("true ? 1 : false ? 2 : 3", ("?", True, 1, ("?", False, 2, 3))),
        ("!true == false", ("==", ("!", True), False)),
        ("-2 * 3", ("*", -2, 3)),
        ("- -2", 2),
    ],
)
def test_operators_bind_by_precedence(source: str, expected: object) -> None:
    assert shape(parse(source)) == expected


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("42", 42),
        ("4.5", 4.5),
        ("1e3", 1000.0),
        ("'single'", "single"),
        ('"double"', "double"),
        (r"'it\'s'", "it's"),
        (r'"a\"b"', 'a"b'),
        (r"'tab\there'", "tab\there"),
        (r"'\u00e9'", "é"),
        (r"'back\\slash'", "back\\slash"),
        ("true", True),
        ("false", False),
        ("null", None),
    ],
)
def test_literals_parse_to_their_values(source: str, value: object) -> None:
    node = parse(source)
    assert isinstance(node, ast.Literal)
    assert node.value == value


def test_paths_collect_their_segments() -> None:
    node = parse("payload.items[0]['a b'].*..name[?(@.x > 1)][1:3][*]")
    assert isinstance(node, ast.Path)
    assert node.base == ast.Root("payload", 1)
    kinds = [type(segment).__name__ for segment in node.segments]
    assert kinds == ["Field", "Index", "Field", "Wildcard", "Descendant", "Filter", "Slice", "Wildcard"]


def test_dollar_is_payload_and_properties_is_props() -> None:
    dollar = parse("$.a")
    props = parse("properties.a")
    assert isinstance(dollar, ast.Path) and dollar.base == ast.Root("payload", 1)
    assert isinstance(props, ast.Path) and props.base == ast.Root("props", 1)


def test_keywords_are_plain_names_after_a_dot() -> None:
    node = parse("payload.null.true")
    assert isinstance(node, ast.Path)
    assert [s.name for s in node.segments if isinstance(s, ast.Field)] == ["null", "true"]


def test_function_calls_and_array_literals_parse() -> None:
    call = parse("subString('abc', 1, 2)")
    array = parse("[1, 'a', [true]]")
    assert isinstance(call, ast.Call) and call.name == "subString" and len(call.args) == 3
    assert isinstance(array, ast.ArrayLiteral) and len(array.items) == 3


@pytest.mark.parametrize(
    ("source", "fragment", "column"),
    [
        ("payload.a +", "expected a value, a path or a function call, found the end", 12),
        ("(1 + 2", "expected ')' to close '('", 7),
        ("payload.items[0", "expected ']' to close '['", 16),
        ("payload.", "expected a name after '.'", 9),
        ("1 ? 2", "expected ':' between the two branches", 6),
        ("'open", "unclosed string", 1),
        ("1 # 2", "unexpected character '#'", 3),
        ("hospital", "unknown name 'hospital'", 1),
        ("paylod.a", "did you mean 'payload'?", 1),
        ("1 2", "expected an operator or the end of the expression, found '2'", 3),
        ("f(1 2)", "expected ',' between the arguments of f()", 5),
        ("@.a", "'@' is the current element", 1),
        (r"'bad \q'", r"unknown escape '\q'", 6),
        ("", "expected an expression, found nothing", 1),
    ],
)
def test_syntax_errors_say_what_was_expected_and_where(source: str, fragment: str, column: int) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(source, SourceLocation("apis/x.yaml", 3))
    message = str(caught.value)
    assert fragment in message
    assert f"at column {column} in ${{{source}}}" in message
    assert message.endswith("at apis/x.yaml:3")


def test_deep_nesting_is_rejected_with_an_expression_error() -> None:
    source = "(" * (MAX_DEPTH + 5) + "1" + ")" * (MAX_DEPTH + 5)
    with pytest.raises(ExpressionError, match="nests more than"):
        parse(source)


def test_nesting_within_the_limit_parses() -> None:
    depth = MAX_DEPTH // 2
    node = parse("(" * depth + "1" + ")" * depth)
    assert node == ast.Literal(1, depth + 1)


def test_deeply_nested_unary_operators_are_rejected() -> None:
    with pytest.raises(ExpressionError, match="nests more than"):
        parse("!" * 10_000 + "true")
