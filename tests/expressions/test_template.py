"""String templates and nested value templates."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree

from interlace.errors import ExpressionError, SourceLocation
from interlace.expressions import compile_template, compile_value
from interlace.message import MessageContext
from interlace.model.yamlsource import load_yaml

from .messages import SCOPE, json_message


class TestTypePreservation:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("${payload.patient}", {"name": "John", "age": 42, "first name": "Johnny"}),
            ("${payload.tags}", ["urgent", "adult"]),
            ("${payload.count}", 3),
            ("${payload.paid}", False),
            ("${payload.missing}", None),
            ("${payload.items[1].price}", 30),
        ],
    )
    def test_a_whole_string_expression_keeps_the_value_type(self, text: str, expected: Any) -> None:
        assert compile_template(text).render(json_message()) == expected

    def test_render_str_always_gives_text(self) -> None:
        ctx = json_message()
        assert compile_template("${payload.count}").render_str(ctx) == "3"
        assert compile_template("${payload.paid}").render_str(ctx) == "false"
        assert compile_template("${payload.missing}").render_str(ctx) == ""
        assert compile_template("${payload.tags}").render_str(ctx) == '["urgent","adult"]'
        assert compile_template("plain").render_str(ctx) == "plain"


class TestMixedText:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("Hello ${vars.name}!", "Hello Ann!"),
            ("${vars.name}${vars.name}", "AnnAnn"),
            ("n=${payload.count}, paid=${payload.paid}", "n=3, paid=false"),
            ("price ${payload.items[0].price}", "price 120.5"),
            ("missing:[${payload.missing}]", "missing:[]"),
            ("tags ${payload.tags}", 'tags ["urgent","adult"]'),
            ("obj ${payload.patient}", 'obj {"name":"John","age":42,"first name":"Johnny"}'),
            ("${payload.count} ", "3 "),
            ("brace } and ${'}'} and ${\"a}b\"}", "brace } and } and a}b"),
            ("no expressions", "no expressions"),
            ("", ""),
        ],
    )
    def test_text_around_expressions_makes_a_string(self, text: str, expected: str) -> None:
        assert compile_template(text).render(json_message()) == expected

    def test_xml_values_are_written_as_xml(self, xml_ctx: MessageContext) -> None:
        rendered = compile_template("body: ${xpath('//patient')}").render(xml_ctx)
        assert rendered == "body: <patient>John</patient>"
        assert compile_template("doc ${payload}").render(xml_ctx).startswith('doc <order id="7">')
        assert isinstance(compile_template("${payload}").render(xml_ctx), etree._Element)

    def test_escaped_dollar_brace_is_literal(self) -> None:
        template = compile_template(r"cost \${price} is ${payload.count}")
        assert template.render(json_message()) == "cost ${price} is 3"
        only = compile_template(r"\${vars.name}")
        assert only.is_constant
        assert only.render(json_message()) == "${vars.name}"


class TestTemplateCompilation:
    def test_constant_templates_are_folded(self) -> None:
        template = compile_template("http://${configs.host}:${configs.db.port}/api", scope=SCOPE)
        assert template.is_constant
        assert template.expressions == ()
        assert template.render(MessageContext()) == "http://db.local:5432/api"

    def test_dynamic_templates_list_their_expressions(self) -> None:
        template = compile_template("${configs.host}/${vars.name}/${payload.count}", scope=SCOPE)
        assert not template.is_constant
        assert [expression.source for expression in template.expressions] == ["vars.name", "payload.count"]
        assert template.render(json_message()) == "db.local/Ann/3"

    def test_unclosed_expression_is_a_compile_error(self) -> None:
        with pytest.raises(ExpressionError) as caught:
            compile_template("Hello ${vars.name", location=SourceLocation("apis/a.yaml", 4))
        assert "unclosed '${' at column 7" in str(caught.value)
        assert str(caught.value).endswith("at apis/a.yaml:4")

    def test_invalid_expression_in_a_template_names_it(self) -> None:
        with pytest.raises(ExpressionError, match=r"in \$\{vars.name \+\} at apis/a.yaml:4"):
            compile_template("Hi ${vars.name +}", location=SourceLocation("apis/a.yaml", 4))

    def test_runtime_errors_name_the_failing_expression(self) -> None:
        template = compile_template("Hi ${toUpper(payload.count)}", location=SourceLocation("apis/a.yaml", 4))
        with pytest.raises(ExpressionError, match=r"cannot evaluate \$\{toUpper\(payload.count\)\}"):
            template.render(json_message())


class TestValueTemplates:
    def test_nested_values_substitute_with_types(self) -> None:
        value = {
            "patient": "${payload.patient.name}",
            "age": "${payload.patient.age}",
            "tags": "${payload.tags}",
            "note": "for ${vars.name}",
            "list": ["a", "${payload.count}", {"deep": "${payload.paid}"}],
            "n": 1,
            "flag": True,
            "none": None,
            "${vars.name}": "dynamic key",
        }
        template = compile_value(value)
        assert not template.is_constant
        assert template.render(json_message()) == {
            "patient": "John",
            "age": 42,
            "tags": ["urgent", "adult"],
            "note": "for Ann",
            "list": ["a", 3, {"deep": False}],
            "n": 1,
            "flag": True,
            "none": None,
            "Ann": "dynamic key",
        }

    def test_dynamic_keys_are_rendered_as_strings(self) -> None:
        template = compile_value({"${vars.key}": 1, "n-${payload.count}": 2})
        assert template.render(json_message()) == {"patient": 1, "n-3": 2}

    def test_constant_values_are_built_once_and_copied(self) -> None:
        template = compile_value({"a": [1, {"b": "${configs.host}"}], "c": "x"}, scope=SCOPE)
        assert template.is_constant
        first = template.render(MessageContext())
        assert first == {"a": [1, {"b": "db.local"}], "c": "x"}
        first["a"][1]["b"] = "changed"
        assert template.render(MessageContext())["a"][1]["b"] == "db.local"

    def test_constant_subtrees_of_dynamic_values_are_copied(self) -> None:
        template = compile_value({"fixed": {"k": [1]}, "live": "${vars.name}"})
        first = template.render(json_message())
        first["fixed"]["k"].append(2)
        assert template.render(json_message()) == {"fixed": {"k": [1]}, "live": "Ann"}

    @pytest.mark.parametrize("value", [1, 2.5, True, None, "text", [], {}])
    def test_scalars_and_empty_containers_are_constant(self, value: Any) -> None:
        template = compile_value(value)
        assert template.is_constant
        assert template.render(MessageContext()) == value
        assert template.source == value

    def test_errors_name_the_yaml_line_of_the_offending_key(self) -> None:
        tree = load_yaml("json:\n  ok: fine\n  bad: ${payload.}\n", "apis/a.yaml")
        with pytest.raises(ExpressionError) as caught:
            compile_value(tree["json"], location=SourceLocation("apis/a.yaml", 1))
        assert caught.value.location == SourceLocation("apis/a.yaml", 3)

    def test_errors_name_the_yaml_line_of_the_offending_item(self) -> None:
        tree = load_yaml("items:\n  - fine\n  - ok\n  - ${vars.}\n", "apis/a.yaml")
        with pytest.raises(ExpressionError) as caught:
            compile_value(tree["items"], location=SourceLocation("apis/a.yaml", 1))
        assert caught.value.location == SourceLocation("apis/a.yaml", 4)

    def test_rendered_values_are_plain_dicts_and_lists(self) -> None:
        tree = load_yaml("a: [1, {b: c}]\n", "apis/a.yaml")
        rendered = compile_value(tree).render(MessageContext())
        assert type(rendered) is dict
        assert type(rendered["a"]) is list
        assert type(rendered["a"][1]) is dict


def test_an_escaping_template_escapes_inserted_values_but_not_its_own_text() -> None:
    from xml.sax.saxutils import escape

    from interlace.expressions import CompileScope, compile_template
    from interlace.message import MessageContext, Payload

    template = compile_template(
        "<a n='${payload.n}' c='${configs.c}'>${payload.v}</a>",
        scope=CompileScope(configs={"c": "<&>"}),
        escape=lambda text: escape(text, {"'": "&apos;"}),
    )
    ctx = MessageContext(Payload.of_json({"n": "x'y", "v": "<b>&"}))
    assert template.render(ctx) == "<a n='x&apos;y' c='&lt;&amp;&gt;'>&lt;b&gt;&amp;</a>"
