"""Evaluation: roots, navigation, operators, folding of configs and env, and runtime errors."""

from __future__ import annotations

from typing import Any

import pytest
from multidict import CIMultiDict

from interlace.errors import ExpressionError, SourceLocation
from interlace.expressions import CompileScope, compile_expression, is_truthy
from interlace.message import MessageContext, Payload

from .messages import SCOPE, evaluate, json_message

LOCATION = SourceLocation("apis/x.yaml", 12)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("payload.hospital", "grand oak community hospital"),
        ("$.hospital", "grand oak community hospital"),
        ("payload.patient.name", "John"),
        ("payload.patient['first name']", "Johnny"),
        ('payload["patient"]["age"]', 42),
        ("payload.items[0].name", "scan"),
        ("payload.items[-1].name", "consult"),
        ("payload.items[vars.index].name", "blood test"),
        ("payload[vars.key].name", "John"),
        ("payload.tags[1]", "adult"),
        ("payload.paid", False),
        ("vars.name", "Ann"),
        ('vars["limit"]', 50),
        ("headers['x-trace']", "abc"),
        ("headers.Accept", None),
        ("headers['content-type']", "application/json"),
        ("params.pathParams.category", "surgery"),
        ("params.queryParams.page", "2"),
        ("params.functionParams.mode", "fast"),
        ("props.origin", "web"),
        ("properties.origin", "web"),
    ],
)
def test_roots_and_plain_paths_read_the_message(source: str, expected: Any) -> None:
    assert evaluate(source) == expected


@pytest.mark.parametrize(
    "source",
    [
        "payload.missing",
        "payload.patient.name.first",
        "payload.items[10]",
        "payload.items[-10]",
        "payload.items.name",
        "payload.tags['x']",
        "payload.hospital[0]",
        "vars.missing",
        "vars.nothing.deeper",
        "headers.Missing",
        "params.pathParams.none",
        "props.none",
        "payload.items[1.5]",
        "payload.items[true]",
    ],
)
def test_missing_keys_and_indexes_are_null(source: str) -> None:
    assert evaluate(source) is None


def test_whole_roots_are_values() -> None:
    ctx = json_message()
    assert evaluate("headers", ctx) == {"Content-Type": "application/json", "X-Trace": "abc"}
    assert evaluate("params", ctx) == {
        "pathParams": {"category": "surgery"},
        "queryParams": {"page": "2"},
        "functionParams": {"mode": "fast"},
    }
    assert evaluate("vars", ctx)["name"] == "Ann"
    assert evaluate("payload", ctx)["count"] == 3
    assert evaluate("$", ctx)["count"] == 3


def test_repeated_headers_read_as_their_first_value() -> None:
    ctx = MessageContext(headers=CIMultiDict([("Accept", "a"), ("accept", "b")]))
    assert evaluate("headers.ACCEPT", ctx) == "a"
    assert evaluate("headers", ctx) == {"Accept": "a"}


def test_error_root_reads_the_handled_error(error_ctx: MessageContext) -> None:
    assert evaluate("error.code", error_ctx) == "ENDPOINT_ERROR"
    assert evaluate("error.message", error_ctx) == "backend down"
    assert evaluate("error.detail.attempts", error_ctx) == 3
    assert evaluate("error.status", error_ctx) == 502
    assert evaluate("error", error_ctx)["code"] == "ENDPOINT_ERROR"


def test_error_root_is_null_without_an_error(ctx: MessageContext) -> None:
    assert evaluate("error.message", ctx) is None
    assert evaluate("error", ctx) is None


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("payload.items[*].name", ["scan", "blood test", "consult"]),
        ("payload.items[*].price", [120.5, 30]),
        ("payload.items.*.category", ["radiology", "lab", "general"]),
        ("payload.patient.*", ["John", 42, "Johnny"]),
        ("payload..price", [120.5, 30]),
        ("payload..name", ["John", "scan", "blood test", "consult"]),
        ("payload.items[0:2].name", ["scan", "blood test"]),
        ("payload.items[1:].name", ["blood test", "consult"]),
        ("payload.items[:1].name", ["scan"]),
        ("payload.items[::2].name", ["scan", "consult"]),
        ("payload.items[?(@.price > 100)].name", ["scan"]),
        ("payload.items[?(@.price < vars.limit)].name", ["blood test"]),
        ("payload.items[?(@.category == 'lab' || @.category == 'general')].name", ["blood test", "consult"]),
        ("payload.items[?(@.price && @.price >= 30)].name", ["scan", "blood test"]),
        ("payload.items[?(!exists(@.price))].name", ["consult"]),
        ("payload.items[?(startsWith(@.name, 'b'))].category", ["lab"]),
        ("(payload.items[?(@.price)])[1].name", "blood test"),
        ("length(payload.items[?(@.price)])", 2),
        ("payload.tags[?(@ == 'adult')]", ["adult"]),
        ("payload.hospital[*]", []),
        ("payload.missing[?(@.x)]", []),
    ],
)
def test_many_valued_paths_give_arrays(source: str, expected: Any) -> None:
    assert evaluate(source) == expected


def test_nested_filters_bind_at_to_their_own_elements() -> None:
    value = {"groups": [{"members": [{"age": 5}, {"age": 50}]}, {"members": [{"age": 7}]}]}
    ctx = json_message(value)
    assert evaluate("payload.groups[?(length(@.members[?(@.age > 18)]) > 0)].members[0].age", ctx) == [5]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 + 2", 3),
        ("1.5 + 1", 2.5),
        ("'a' + 'b'", "ab"),
        ("10 - 4", 6),
        ("6 * 7", 42),
        ("7 / 2", 3.5),
        ("8 / 2", 4),
        ("7 % 3", 1),
        ("-7 % 3", -1),
        ("7.5 % 2", 1.5),
        ("-payload.count", -3),
        ("payload.count * 2 + 1", 7),
        ("1 == 1.0", True),
        ("'1' == 1", False),
        ("null == null", True),
        ("payload.missing == null", True),
        ("payload.tags == ['urgent', 'adult']", True),
        ("payload.patient == payload.patient", True),
        ("true == 1", False),
        ("1 != 2", True),
        ("2 < 10", True),
        ("'2' < '10'", False),
        ("2 <= 2", True),
        ("3 > 2.5", True),
        ("3 >= 4", False),
        ("payload.missing > 1", False),
        ("!payload.paid", True),
        ("!''", True),
        ("![]", True),
        ("!payload.tags", False),
        ("payload.count > 1 && payload.paid", False),
        ("payload.paid || 'x'", True),
        ("0 || null", False),
        ("payload.paid ? 'paid' : 'due'", "due"),
        ("payload.count ? 'some' : 'none'", "some"),
        ("payload.missing ?? 'default'", "default"),
        ("payload.paid ?? 'default'", False),
        ("vars.nothing ?? vars.missing ?? 3", 3),
        ("[1, payload.count, 'x']", [1, 3, "x"]),
    ],
)
def test_operators(source: str, expected: Any) -> None:
    result = evaluate(source)
    assert result == expected
    assert type(result) is type(expected)


def test_logical_operators_short_circuit() -> None:
    assert evaluate("false && 1 / (payload.count - 3)") is False
    assert evaluate("true || toUpper(payload.count)") is True
    assert evaluate("payload.hospital ?? toUpper(payload.count)") == "grand oak community hospital"
    assert evaluate("payload.paid ? toUpper(payload.count) : 'ok'") == "ok"


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("payload.hospital + 1", "'+' needs two numbers or two strings (got string"),
        ("payload.count + '1'", "convert with string(...)"),
        ("payload.count / (payload.count - 3)", "division by zero in '/'"),
        ("payload.count % 0", "division by zero in '%'"),
        ("payload.hospital * 2", "'*' needs two numbers"),
        ("-payload.hospital", "'-' needs a number"),
        ("payload.hospital < 2", "'<' needs two numbers or two strings"),
        ("toUpper(payload.count)", "toUpper() needs the text to be a string (got number 3)"),
        ("payload.items[payload.count:'x']", "a slice end must be a whole number"),
        ("payload.items[::payload.count - 3]", "a slice step must not be 0"),
    ],
)
def test_runtime_errors_name_the_expression_and_location(source: str, fragment: str) -> None:
    expression = compile_expression(source, location=LOCATION)
    with pytest.raises(ExpressionError) as caught:
        expression.evaluate(json_message())
    message = str(caught.value)
    assert message.startswith(f"cannot evaluate ${{{source}}}: ")
    assert fragment in message
    assert message.endswith(" at apis/x.yaml:12")
    assert caught.value.location == LOCATION
    assert caught.value.__cause__ is not None


def test_malformed_json_payload_is_a_client_error() -> None:
    ctx = MessageContext(Payload(b"{broken", "application/json"))
    with pytest.raises(ExpressionError) as caught:
        compile_expression("payload.a").evaluate(ctx)
    assert caught.value.status == 400
    assert caught.value.code == "BAD_PAYLOAD"
    assert "not valid JSON" in str(caught.value)


def test_navigating_non_json_payloads_gives_null(xml_ctx: MessageContext) -> None:
    text = MessageContext(Payload.of_text("hello"))
    empty = MessageContext()
    binary = MessageContext(Payload(b"\x00\x01", "application/octet-stream"))
    for message in (xml_ctx, text, empty, binary):
        assert compile_expression("payload.a.b").evaluate(message) is None
    assert compile_expression("payload").evaluate(text) == "hello"
    assert compile_expression("payload").evaluate(empty) is None
    assert compile_expression("payload").evaluate(binary) == b"\x00\x01"


class TestCompileTimeScope:
    def test_configs_and_env_are_folded_into_constants(self) -> None:
        for source, value in [
            ("configs.host", "db.local"),
            ("configs.db.port", 5432),
            ("configs.db.names[1]", "b"),
            ("configs['host']", "db.local"),
            ("env.HOME", "/home/app"),
            ("'http://' + configs.host + ':' + string(configs.db.port)", "http://db.local:5432"),
            ("configs.debug ? 'x' : 'y'", "y"),
            ("env.MISSING ?? 'fallback'", "fallback"),
            ("exists(env.MISSING)", False),
            ("exists(configs.db.user)", False),
            ("exists(configs.db.port)", True),
        ]:
            expression = compile_expression(source, scope=SCOPE)
            assert expression.is_constant, source
            assert expression.evaluate(MessageContext()) == value

    def test_configs_folding_keeps_dynamic_parts_dynamic(self) -> None:
        expression = compile_expression("configs.db.names[vars.index]", scope=SCOPE)
        assert not expression.is_constant
        assert expression.evaluate(json_message()) == "b"

    def test_a_constant_object_is_copied_for_each_evaluation(self) -> None:
        expression = compile_expression("configs.db", scope=SCOPE)
        first = expression.evaluate(MessageContext())
        first["port"] = 1
        assert expression.evaluate(MessageContext())["port"] == 5432

    @pytest.mark.parametrize(
        ("source", "fragment"),
        [
            ("configs.hots", "unknown configuration key 'configs.hots' (did you mean 'host'?)"),
            ("configs.db.user", "unknown configuration key 'configs.db.user'"),
            ("configs.host.name", "configuration value 'configs.host' is string"),
            ("env.NOPE", "environment variable 'NOPE' is not set"),
            ("toUpper(env.NOPE) ?? 'x'", "environment variable 'NOPE' is not set"),
        ],
    )
    def test_missing_keys_fail_at_compile_time(self, source: str, fragment: str) -> None:
        with pytest.raises(ExpressionError) as caught:
            compile_expression(source, scope=SCOPE, location=LOCATION)
        assert fragment in str(caught.value)
        assert caught.value.location == LOCATION

    def test_without_a_scope_configs_are_empty(self) -> None:
        with pytest.raises(ExpressionError, match=r"unknown configuration key 'configs\.x'"):
            compile_expression("configs.x")


class TestCompileErrors:
    @pytest.mark.parametrize(
        ("source", "fragment"),
        [
            ("toUpperr(payload.a)", "unknown function 'toUpperr' (did you mean 'toUpper'?)"),
            ("frobnicate(1)", "unknown function 'frobnicate'"),
            ("toUpper()", "toUpper() takes 1 argument (got 0): toUpper(text)"),
            ("subString('a')", "subString() takes 2 to 3 arguments (got 1)"),
            ("now(1)", "now() takes 0 arguments (got 1)"),
            ("params.body", "params has pathParams, queryParams and functionParams (got 'body')"),
            ("error.text", "error has code, message, detail, status (got 'text')"),
            ("1 / 0", "division by zero"),
            ("integer('abc')", "integer() cannot read 'abc' as a number"),
            ("xpath('//a[')", "xpath() needs a valid XPath 1.0 expression"),
            ("[1, 2][::0]", "a slice step must not be 0"),
        ],
    )
    def test_compile_errors_name_problem_expression_and_location(self, source: str, fragment: str) -> None:
        with pytest.raises(ExpressionError) as caught:
            compile_expression(source, location=LOCATION)
        message = str(caught.value)
        assert fragment in message
        assert f"in ${{{source}}}" in message
        assert message.endswith("at apis/x.yaml:12")

    def test_long_operator_chains_are_rejected_not_recursed(self) -> None:
        with pytest.raises(ExpressionError, match="levels of operators"):
            compile_expression(" + ".join(["payload.count"] * 5000))


class TestConstants:
    def test_literal_expressions_are_constant(self) -> None:
        for source in ["1 + 2", "'a'", "toUpper('x')", "[1, [2]]", "true ? 1 : payload.a", "null ?? 2"]:
            assert compile_expression(source).is_constant, source

    def test_message_dependent_expressions_are_not_constant(self) -> None:
        dynamic = ["payload", "vars.x + 1", "now()", "xpath('//a')", "false ? 1 : vars.a", "exists(vars.a)"]
        for source in dynamic:
            assert not compile_expression(source).is_constant, source

    def test_expressions_are_immutable_and_print_as_source(self) -> None:
        expression = compile_expression("payload.a")
        with pytest.raises(AttributeError):
            expression.source = "x"  # type: ignore[misc]
        assert str(expression) == "${payload.a}"
        assert expression.location is None


@pytest.mark.parametrize(
    ("value", "truthy"),
    [
        (None, False),
        (False, False),
        (0, False),
        (0.0, False),
        ("", False),
        ([], False),
        ({}, False),
        (True, True),
        (1, True),
        (-0.5, True),
        ("false", True),
        ([0], True),
        ({"a": None}, True),
    ],
)
def test_truthiness(value: Any, truthy: bool) -> None:
    assert is_truthy(value) is truthy


def test_an_unused_scope_does_not_matter() -> None:
    assert compile_expression("vars.name", scope=CompileScope()).evaluate(json_message()) == "Ann"
