"""Property tests: whatever the input, compiling and evaluating either works or raises ExpressionError."""

from __future__ import annotations

import contextlib
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from interlace.errors import ExpressionError
from interlace.expressions import FUNCTIONS, Expression, compile_expression, compile_template
from interlace.message import MessageContext, Payload

from .messages import SCOPE, XML_ORDER, json_message

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def contexts() -> list[MessageContext]:
    xml = MessageContext(Payload(XML_ORDER, "application/xml"))
    xml.variables["doc"] = etree.fromstring(b"<a><b>1</b></a>")
    return [json_message(), xml, MessageContext(), MessageContext(Payload.of_text("plain text"))]


CONTEXTS = contexts()

TOKENS = [
    *("payload", "$", "vars", "headers", "params", "props", "properties", "configs", "env", "error", "@"),
    *("pathParams", "queryParams", "functionParams", "host", "db", "port", "HOME", "code", "message"),
    *("items", "name", "price", "patient", "tags", "count", "paid", "index", "key", "missing", "doc"),
    *("0", "1", "-1", "2.5", "1e3", "'a'", '"b c"', "'//item/text()'", "'yyyy-MM-dd'", "'2025-01-31'"),
    *("true", "false", "null", "'[1,2]'", "'{\"a\":1}'", "'aGk='"),
    *(".", "..", "[", "]", "(", ")", ",", ":", "?", "??", "*", "[*]", "[?(", ")]", "[0]", "[-1]", "[1:2]"),
    *("+", "-", "/", "%", "==", "!=", "<", "<=", ">", ">=", "&&", "||", "!"),
    *(f"{name}(" for name in FUNCTIONS),
]


def check_compiled(expression: Expression) -> None:
    for ctx in CONTEXTS:
        with contextlib.suppress(ExpressionError):
            expression.evaluate(ctx)


def compile_or_error(source: str) -> Expression | None:
    try:
        return compile_expression(source, scope=SCOPE)
    except ExpressionError:
        return None


@FUZZ
@given(st.text())
def test_arbitrary_text_compiles_or_raises_expression_error(source: str) -> None:
    expression = compile_or_error(source)
    if expression is not None:
        check_compiled(expression)


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), max_size=25), st.sampled_from(["", " "]))
def test_token_soup_compiles_or_raises_expression_error(tokens: list[str], separator: str) -> None:
    expression = compile_or_error(separator.join(tokens))
    if expression is not None:
        check_compiled(expression)


LEAVES = st.sampled_from(
    [
        "payload", "$.items", "payload.items[0].price", "payload.patient['first name']", "payload..price",
        "payload.items[*].name", "payload.tags[-1]", "vars.name", "vars.index", "vars.missing",
        "headers.accept", "params.queryParams.page", "props.origin", "configs.host", "configs.db.port",
        "env.HOME", "error.message", "error", "0", "1", "-2.5", "'x'", "''", "true", "false", "null",
        "[1, 'a']", "payload.items[1:]",
        "xpath('//item/text()')", "xpath('//b', 'doc')", "now()",
    ]
)  # fmt: skip
BINARY = ["+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "&&", "||", "??"]


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    calls = st.tuples(st.sampled_from(sorted(FUNCTIONS)), st.lists(children, max_size=3)).map(
        lambda call: f"{call[0]}({', '.join(call[1])})"
    )
    return st.one_of(
        st.tuples(children, st.sampled_from(BINARY), children).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(st.sampled_from(["-", "!"]), children).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(children, children, children).map(lambda t: f"({t[0]} ? {t[1]} : {t[2]})"),
        st.tuples(children, children).map(lambda t: f"payload.items[?({t[0]} == @.price || {t[1]})].name"),
        st.tuples(children, children).map(lambda t: f"({t[0]})[{t[1]}]"),
        calls,
    )


EXPRESSIONS = st.recursive(LEAVES, _combine, max_leaves=12)


@FUZZ
@given(EXPRESSIONS)
def test_generated_expressions_evaluate_or_raise_expression_error(source: str) -> None:
    expression = compile_or_error(source)
    if expression is not None:
        check_compiled(expression)


@FUZZ
@given(st.lists(st.one_of(st.text(max_size=8), EXPRESSIONS.map(lambda e: "${" + e + "}")), max_size=4))
def test_templates_render_or_raise_expression_error(pieces: list[str]) -> None:
    try:
        template = compile_template("".join(pieces), scope=SCOPE)
    except ExpressionError:
        return
    for ctx in CONTEXTS:
        for render in (template.render, template.render_str):
            try:
                result: Any = render(ctx)
            except ExpressionError:
                continue
            if render is template.render_str:
                assert isinstance(result, str)


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=1, max_value=5000), st.sampled_from(["(", "-", "!", "[", "toUpper("]))
def test_deep_nesting_never_overflows_the_stack(depth: int, opener: str) -> None:
    closer = {"(": ")", "-": "", "!": "", "[": "]", "toUpper(": ")"}[opener]
    source = opener * depth + "1" + closer * depth
    expression = compile_or_error(source)
    if expression is not None:
        check_compiled(expression)
