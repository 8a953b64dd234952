"""Every function of the language: results, argument checks, and the registry the docs are built from."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

from interlace.errors import ExpressionError
from interlace.expressions import FUNCTIONS, compile_expression

from .messages import evaluate, json_message

CASES: list[tuple[str, Any]] = [
    ("length('hello')", 5),
    ("length(payload.items)", 3),
    ("length(payload.patient)", 3),
    ("toUpper('abc')", "ABC"),
    ("toLower('ABC')", "abc"),
    ("trim('  a b  ')", "a b"),
    ("subString('integration', 0, 5)", "integ"),
    ("subString('integration', 5)", "ration"),
    ("subString('abc', 1, 99)", "bc"),
    ("subString('abc', 5)", ""),
    ("startsWith('interlace', 'inter')", True),
    ("startsWith('interlace', 'lace')", False),
    ("endsWith('report.pdf', '.pdf')", True),
    ("contains('interlace', 'lace')", True),
    ("contains(payload.tags, 'adult')", True),
    ("contains([1, 2], 2.0)", True),
    ("contains(payload.tags, 'child')", False),
    ("replace('a-b-c', '-', '+')", "a+b+c"),
    ("replace('a.b', '.', '')", "ab"),
    ("split('a,b,c', ',')", ["a", "b", "c"]),
    ("split('abc', '')", ["a", "b", "c"]),
    ("split('a.b', '.')[1]", "b"),
    ("charAt('abc', 1)", "b"),
    ("indexOf('a-b-c', '-')", 1),
    ("indexOf('a-b-c', '-', 2)", 3),
    ("indexOf('abc', 'z')", -1),
    ("join(['a', 'b', 1, true, null], '/')", "a/b/1/true/"),
    ("join(payload.items[*].name, ', ')", "scan, blood test, consult"),
    ("abs(-4.5)", 4.5),
    ("abs(3)", 3),
    ("ceil(4.2)", 5),
    ("floor(4.8)", 4),
    ("floor(-4.2)", -5),
    ("round(2.5)", 3),
    ("round(2.4)", 2),
    ("round(-2.5)", -3),
    ("round(3.14159, 2)", 3.14),
    ("round(1250, -2)", 1300),
    ("sqrt(16)", 4),
    ("sqrt(2)", 2**0.5),
    ("log(1)", 0),
    ("pow(2, 10)", 1024),
    ("pow(2, -1)", 0.5),
    ("pow(2.0, 2)", 4.0),
    ("integer('42')", 42),
    ("integer(' 7 ')", 7),
    ("integer('4.9')", 4),
    ("integer(-3.9)", -3),
    ("float('2.5')", 2.5),
    ("float(2)", 2.0),
    ("string(42)", "42"),
    ("string(true)", "true"),
    ("string(null)", "null"),
    ("string('x')", "x"),
    ("string(payload.tags)", '["urgent","adult"]'),
    ("boolean('TRUE')", True),
    ("boolean('false')", False),
    ("boolean(0)", False),
    ("boolean(true)", True),
    ("object('{\"a\": 1}')", {"a": 1}),
    ("object(payload.patient).name", "John"),
    ("array('[1, 2]')", [1, 2]),
    ("array(payload.tags)", ["urgent", "adult"]),
    ("type('a')", "string"),
    ("type(1.5)", "number"),
    ("type(false)", "boolean"),
    ("type(payload.patient)", "object"),
    ("type(payload.tags)", "array"),
    ("type(payload.missing)", "null"),
    ("isNumber(42)", True),
    ("isNumber('42')", False),
    ("isNumber(true)", False),
    ("isString('a')", True),
    ("isString(1)", False),
    ("isBoolean(false)", True),
    ("isBoolean(0)", False),
    ("isArray(payload.tags)", True),
    ("isArray(payload.patient)", False),
    ("isObject(payload.patient)", True),
    ("isObject(payload.tags)", False),
    ("exists(payload.hospital)", True),
    ("exists(payload.paid)", True),
    ("exists(payload.missing.deeper)", False),
    ("exists(vars.nothing)", False),
    ("not(payload.paid)", True),
    ("not('x')", False),
    ("base64encode('hello')", "aGVsbG8="),
    ("base64encode('é', 'ISO-8859-1')", "6Q=="),
    ("base64decode('aGVsbG8=')", "hello"),
    ("base64decode('6Q==', 'ISO-8859-1')", "é"),
    ("urlEncode('a b&c=d/é~*')", "a+b%26c%3Dd%2F%C3%A9%7E*"),
    ("urlDecode('a+b%26c%3Dd%2F%C3%A9')", "a b&c=d/é"),
    ("formatDateTime('2025-01-31', 'yyyy-MM-dd', 'dd/MM/yyyy')", "31/01/2025"),
    ("formatDateTime(0, 'yyyy-MM-dd')", "1970-01-01"),
]


@pytest.mark.parametrize(("source", "expected"), CASES)
def test_function_results(source: str, expected: Any) -> None:
    result = evaluate(source)
    assert result == expected
    assert type(result) is type(expected)


def test_every_function_has_a_result_test() -> None:
    called = {match for source, _ in CASES for match in re.findall(r"(\w+)\(", source)}
    untested = set(FUNCTIONS) - called - {"now", "xpath"}  # tested in their own modules
    assert not untested


def test_now_is_epoch_milliseconds_and_not_folded() -> None:
    expression = compile_expression("now()")
    before = time.time_ns() // 1_000_000
    value = expression.evaluate(json_message())
    after = time.time_ns() // 1_000_000
    assert not expression.is_constant
    assert isinstance(value, int)
    assert before <= value <= after


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("length(payload.count)", "length() needs a string, an array or an object (got number 3)"),
        ("length(payload.missing)", "(got null)"),
        ("toLower(payload.tags)", "toLower() needs the text to be a string (got array)"),
        ("subString(payload.hospital, -1)", "subString() needs indexes >= 0"),
        ("subString(payload.hospital, 1.5)", "the start index to be a whole number (got number 1.5)"),
        ("charAt(payload.hospital, 99)", "charAt() index must be within 0..27 (got 99)"),
        ("contains(payload.count, 1)", "contains() needs a string or an array"),
        ("join(payload.hospital, ',')", "join() needs an array"),
        ("abs(payload.hospital)", "abs() needs its argument to be a number"),
        ("sqrt(0 - payload.count)", "sqrt() needs a number >= 0"),
        ("log(payload.count - 3)", "log() needs a number > 0"),
        ("pow(payload.count * 1000, 1000)", "has no finite real result"),
        ("integer(payload.hospital)", "integer() cannot read"),
        ("integer(payload.paid)", "integer() needs its argument to be a number (got boolean false)"),
        ("float(payload.tags)", "float() needs its argument to be a number"),
        ("boolean(payload.hospital)", "boolean() needs a boolean, a number or 'true'/'false'"),
        ("object(payload.hospital)", "object() cannot read the text as JSON"),
        ("object(payload.tags)", "object() needs an object or JSON text of one (got array)"),
        ("array(payload.patient)", "array() needs an array"),
        ("base64decode(payload.hospital)", "base64decode() needs valid Base64 text"),
        ("base64encode(payload.hospital, 'no-such-charset')", "does not know the charset 'no-such-charset'"),
        ("base64encode(vars.name + 'é', 'ascii')", "cannot encode the text in ascii"),
        ("urlDecode(vars.name + '%FF')", "urlDecode() result is not utf-8 text"),
        ("round(payload.count, 1.5)", "round() needs the number of decimals to be a whole number"),
    ],
)
def test_functions_reject_bad_arguments_clearly(source: str, fragment: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        evaluate(source)
    assert fragment in str(caught.value)
    assert str(caught.value).startswith(f"cannot evaluate ${{{source}}}")


class TestRegistry:
    def test_every_function_is_described(self) -> None:
        for name, spec in FUNCTIONS.items():
            assert spec.name == name
            assert spec.doc, name
            assert spec.signature.startswith(f"{name}("), name
            assert spec.example.startswith(f"{name}("), name
            assert 0 <= spec.min_args <= spec.max_args

    def test_arity_comes_from_the_signature(self) -> None:
        assert (FUNCTIONS["subString"].min_args, FUNCTIONS["subString"].max_args) == (2, 3)
        assert (FUNCTIONS["formatDateTime"].min_args, FUNCTIONS["formatDateTime"].max_args) == (2, 3)
        assert (FUNCTIONS["now"].min_args, FUNCTIONS["now"].max_args) == (0, 0)

    def test_constant_examples_give_the_results_they_show(self) -> None:
        checked = 0
        for spec in FUNCTIONS.values():
            for example in spec.example.split("; "):
                source, _, shown = example.partition(" → ")
                expression = compile_expression(source)
                if expression.is_constant:
                    assert expression.evaluate(json_message()) == json.loads(shown), example
                    checked += 1
        assert checked >= 35

    def test_functions_are_sorted_and_read_only(self) -> None:
        assert list(FUNCTIONS) == sorted(FUNCTIONS)
        with pytest.raises(TypeError):
            FUNCTIONS["x"] = FUNCTIONS["now"]  # type: ignore[index]

    def test_reference_page_documents_every_function(self) -> None:
        page = Path(__file__).parents[2] / "docs" / "reference" / "expressions.md"
        text = page.read_text(encoding="utf-8")
        for spec in FUNCTIONS.values():
            assert f"`{spec.signature}`" in text, spec.name
