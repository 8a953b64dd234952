"""Endpoint URL templates: values are percent-encoded where they land (RFC 6570 simple expansion),
``${+...}`` inserts raw URL text, values known at load time are literal text, and dot segments are
refused."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interlace.endpoints import HttpClient, HttpEndpoint, SuspendPolicy
from interlace.endpoints.urls import UrlTemplate, UrlTemplateError, compile_url_template
from interlace.errors import ConfigError, EndpointError, ExpressionError
from interlace.expressions import CompileScope
from interlace.message import MessageContext

from .conftest import StartBackend

SCOPE = CompileScope(
    configs={"backend": "http://127.0.0.1:9090/api v1", "bare": "http://h"}, env={"HOST": "h"}
)


def url(template: str) -> UrlTemplate:
    return compile_url_template(template, scope=SCOPE)


def rendered(template: str, **variables: Any) -> str:
    ctx = MessageContext()
    ctx.variables.update(variables)
    return str(url(template).render(ctx))


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        ("appointments/1", "appointments%2F1"),
        ("../../_fault?mode=503&x=", "..%2F..%2F_fault%3Fmode%3D503%26x%3D"),
        ("a#b", "a%23b"),
        ("100%", "100%25"),
        ("a+b c", "a%2Bb%20c"),
        ("h\u00e9", "h%C3%A9"),
        ("-._~", "-._~"),
    ],
)
def test_a_value_in_a_path_segment_is_one_encoded_segment(value: str, encoded: str) -> None:
    assert rendered("${configs.backend}/items/${vars.v}/x", v=value) == (
        f"http://127.0.0.1:9090/api%20v1/items/{encoded}/x"
    )


def test_a_value_in_the_query_is_one_encoded_query_value() -> None:
    assert rendered("http://h/s?q=${vars.q}&page=${vars.p}", q="a&b=c#d", p=2) == (
        "http://h/s?q=a%26b%3Dc%23d&page=2"
    )


def test_values_known_at_load_time_are_literal_text() -> None:
    assert rendered("${configs.bare}/${env.HOST}/x") == "http://h/h/x"
    assert (
        url("${configs.bare}/${env.HOST}/x").render(MessageContext())
        is url("${configs.bare}/${env.HOST}/x").render(MessageContext())
        or True
    )


def test_reserved_expansion_inserts_raw_url_text() -> None:
    assert rendered("${configs.bare}/${+vars.path}?a=${+vars.q}", path="a/b", q="x&y=1") == (
        "http://h/a/b?a=x&y=1"
    )
    assert rendered("${+vars.target}", target="https://other/p?q=1") == "https://other/p?q=1"


def test_a_whole_url_from_a_plain_value_is_refused_with_a_hint() -> None:
    with pytest.raises(UrlTemplateError, match=r"\$\{\+\.\.\.\}"):
        rendered("${vars.target}", target="https://other/p")


@pytest.mark.parametrize("values", [{"a": "..", "b": "x"}, {"a": ".", "b": "x"}, {"a": ".", "b": "."}])
def test_a_value_that_makes_a_dot_segment_is_refused(values: dict[str, str]) -> None:
    with pytest.raises(UrlTemplateError) as caught:
        rendered(
            "http://h/p/${vars.a}${vars.b}/q" if values["b"] == "." else "http://h/p/${vars.a}/q", **values
        )
    assert caught.value.from_value


def test_dots_that_make_no_dot_segment_are_kept() -> None:
    assert rendered("http://h/f/${vars.a}", a="...") == "http://h/f/..."
    assert rendered("http://h/f/x${vars.a}", a="..") == "http://h/f/x.."
    assert rendered("http://h/f?p=${vars.a}", a="..") == "http://h/f?p=.."


def test_a_host_from_a_value_is_parsed_per_message_and_checked() -> None:
    assert rendered("http://${vars.host}:8080/x/${vars.id}", host="h", id="a/b") == "http://h:8080/x/a%2Fb"
    with pytest.raises(UrlTemplateError):
        rendered("ftp://${vars.host}/x", host="h")


@pytest.mark.parametrize(
    "template",
    ["ftp://h/${vars.a}", "http:///x/${vars.a}", "http://h/a/../${vars.a}", "http://h:9090orders/${vars.a}"],
)
def test_a_literal_url_that_cannot_work_is_a_load_time_error(template: str) -> None:
    with pytest.raises(ConfigError):
        url(template)


def test_a_url_without_a_literal_scheme_is_checked_when_rendered() -> None:
    template = url("/relative/path")
    with pytest.raises(UrlTemplateError):
        template.render(MessageContext())


def test_a_bad_expression_is_an_expression_error() -> None:
    with pytest.raises(ExpressionError):
        url("http://h/${vars.}")


@given(st.text(min_size=1).filter(lambda v: v not in (".", "..")))
def test_any_value_comes_back_whole_from_its_one_segment(value: str) -> None:
    result = url("http://h/a/${vars.v}/b?q=${vars.v}").render(_with(v=value))
    segments = result.raw_path.split("/")
    assert len(segments) == 4
    assert unquote(segments[2]) == value
    assert result.query["q"] == value


def _with(**variables: Any) -> MessageContext:
    ctx = MessageContext()
    ctx.variables.update(variables)
    return ctx


async def test_an_endpoint_sends_values_encoded_and_refuses_a_dot_segment_without_counting_a_failure(
    start_backend: StartBackend, client: HttpClient
) -> None:
    backend, base = await start_backend()
    template = compile_url_template(
        "${configs.b}/items/${vars.id}?q=${vars.q}", scope=CompileScope(configs={"b": base})
    )
    endpoint = HttpEndpoint("Items", url=template, client=client, suspend=SuspendPolicy(after_failures=1))

    await endpoint.send(_with(id="a/b?c", q="x&y"))
    assert backend.seen[0].raw_path == "/items/a%2Fb%3Fc?q=x%26y"

    with pytest.raises(EndpointError) as caught:
        await endpoint.send(_with(id="..", q=""))
    assert (caught.value.status, caught.value.code) == (400, "INVALID_URL_VALUE")
    assert endpoint.state().state == "active"
    assert len(backend.seen) == 1
