"""Routing requests to API resources by context, method and URI template."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from interlace.errors import ConfigError
from interlace.routing import (
    ApiRoutes,
    ResourceRoute,
    RouteConflict,
    RouteMatch,
    RouteMiss,
    RouteTable,
    TemplateError,
)


def resource(template: str | None, *methods: str, target: str | None = None) -> ResourceRoute[str]:
    return ResourceRoute(frozenset(methods), template, target or f"{','.join(methods)} {template}")


def api(resources: Sequence[ResourceRoute[str]], context: str = "/healthcare", **kw: str) -> ApiRoutes[str]:
    return ApiRoutes(kw.get("name", "HealthcareAPI"), context, kw.get("version"), resources)


def table(*apis: ApiRoutes[str]) -> RouteTable[str]:
    return RouteTable.build(apis)


def matched(
    routes: RouteTable[str], method: str, path: str, query: Mapping[str, str] | None = None
) -> RouteMatch[str]:
    result = routes.match(method, path, query or {})
    assert isinstance(result, RouteMatch), result
    return result


def missed(routes: RouteTable[str], method: str, path: str) -> RouteMiss:
    result = routes.match(method, path, {})
    assert isinstance(result, RouteMiss), result
    return result


HEALTHCARE = table(
    api(
        [
            resource("/querydoctor/{category}", "GET"),
            resource("/categories/{category}/reserve", "POST"),
            resource("/categories/surgery/reserve", "POST"),
        ]
    )
)


def test_a_variable_segment_binds_the_path_parameter() -> None:
    found = matched(HEALTHCARE, "GET", "/healthcare/querydoctor/surgery")
    assert (found.target, found.path_params) == ("GET /querydoctor/{category}", {"category": "surgery"})
    assert found.api.name == "HealthcareAPI"


def test_a_literal_segment_beats_a_variable_defined_earlier() -> None:
    assert matched(HEALTHCARE, "POST", "/healthcare/categories/surgery/reserve").target == (
        "POST /categories/surgery/reserve"
    )
    other = matched(HEALTHCARE, "POST", "/healthcare/categories/ent/reserve")
    assert (other.target, other.path_params) == ("POST /categories/{category}/reserve", {"category": "ent"})


def test_segments_are_compared_from_the_left() -> None:
    routes = table(api([resource("/{a}/b", "GET"), resource("/a/{b}", "GET")]))
    assert matched(routes, "GET", "/healthcare/a/b").target == "GET /a/{b}"


def test_a_variable_beats_a_wildcard_tail_and_a_longer_literal_prefix_beats_both() -> None:
    routes = table(
        api(
            [resource("/items/*", "GET"), resource("/items/{id}", "GET"), resource("/items/special/*", "GET")]
        )
    )
    assert matched(routes, "GET", "/healthcare/items/7").target == "GET /items/{id}"
    assert matched(routes, "GET", "/healthcare/items/7/parts").path_params == {"*": "7/parts"}
    assert matched(routes, "GET", "/healthcare/items/special").target == "GET /items/special/*"


def test_equally_specific_templates_keep_definition_order() -> None:
    routes = table(api([resource("/f/{a}.{b}", "GET"), resource("/f/{c}-{d}", "GET")]))
    found = matched(routes, "GET", "/healthcare/f/x-y.z")
    assert (found.target, found.path_params) == ("GET /f/{a}.{b}", {"a": "x-y", "b": "z"})
    assert matched(routes, "GET", "/healthcare/f/x-y").path_params == {"c": "x", "d": "y"}


def test_a_resource_not_accepting_the_method_lets_a_later_one_match() -> None:
    routes = table(api([resource("/x/{a}", "GET", target="first"), resource("/x/*", "*", target="second")]))
    assert matched(routes, "GET", "/healthcare/x/1").target == "first"
    assert matched(routes, "PUT", "/healthcare/x/1").target == "second"


def test_a_mixed_segment_binds_each_variable_and_beats_a_plain_variable() -> None:
    routes = table(api([resource("/files/{path}", "GET"), resource("/files/{name}.{ext}", "GET")]))
    found = matched(routes, "GET", "/healthcare/files/report.2024.pdf")
    assert found.path_params == {"name": "report.2024", "ext": "pdf"}
    assert matched(routes, "GET", "/healthcare/files/README").path_params == {"path": "README"}


def test_a_wildcard_tail_exposes_the_rest_of_the_path_possibly_empty() -> None:
    routes = table(api([resource("/static/*", "GET")]))
    assert matched(routes, "GET", "/healthcare/static/css/site.css").path_params == {"*": "css/site.css"}
    assert matched(routes, "GET", "/healthcare/static").path_params == {"*": ""}
    assert matched(routes, "GET", "/healthcare/static/").path_params == {"*": ""}


def test_a_resource_without_template_serves_the_context_root() -> None:
    routes = table(api([resource(None, "GET", target="root"), resource("/x", "GET")]))
    assert matched(routes, "GET", "/healthcare").target == "root"
    assert matched(routes, "GET", "/healthcare/").target == "root"
    assert missed(routes, "GET", "/healthcare/y").status == 404


def test_path_parameters_are_percent_decoded_and_an_encoded_slash_stays_in_its_segment() -> None:
    routes = table(api([resource("/doctor/{name}/visits", "GET")]))
    found = matched(routes, "GET", "/healthcare/doctor/thomas%20collins%2Fjr/visits")
    assert found.path_params == {"name": "thomas collins/jr"}


def test_template_literals_match_their_encoded_form() -> None:
    routes = table(api([resource("/caf%C3%A9/menu", "GET"), resource("/na%20me", "GET")], context="/shop"))
    assert matched(routes, "GET", "/shop/caf%c3%a9/menu").target == "GET /caf%C3%A9/menu"
    assert matched(routes, "GET", "/shop/na%20me").target == "GET /na%20me"


def test_a_query_template_binds_its_variable_and_is_required() -> None:
    routes = table(api([resource("/search?q={q}", "GET", target="query"), resource("/search", "GET")]))
    found = matched(routes, "GET", "/healthcare/search", {"q": "heart", "page": "2"})
    assert (found.target, found.path_params) == ("query", {"q": "heart"})
    assert matched(routes, "GET", "/healthcare/search", {"page": "2"}).target == "GET /search"


def test_a_query_template_literal_must_match_its_value() -> None:
    routes = table(api([resource("/export?format=csv&from={start}", "GET")]))
    assert matched(routes, "GET", "/healthcare/export", {"format": "csv", "from": "2025"}).path_params == {
        "start": "2025"
    }
    assert routes.match("GET", "/healthcare/export", {"format": "xml", "from": "2025"}) == RouteMiss(404)


def test_the_longest_matching_context_wins() -> None:
    routes = table(
        api([resource("/{anything}/*", "GET", target="root api")], context="/", name="Root"),
        api([resource("/{x}", "GET", target="short")], context="/health", name="Short"),
        api([resource("/{x}", "GET", target="long")], context="/health/care", name="Long"),
    )
    assert matched(routes, "GET", "/health/care/1").target == "long"
    assert matched(routes, "GET", "/health/1").target == "short"
    assert matched(routes, "GET", "/healthcare/1").target == "root api"


def test_the_chosen_api_answers_404_even_if_a_shorter_context_would_match() -> None:
    routes = table(
        api([resource("/health/care/other", "GET")], context="/", name="Root"),
        api([resource("/{x}", "GET")], context="/health/care", name="Long"),
    )
    assert missed(routes, "GET", "/health/care/other/deeper").status == 404


def test_a_versioned_api_is_served_under_its_version() -> None:
    routes = table(
        api([resource("/{category}", "GET", target="v1")], version="1.0"),
        api([resource("/{category}", "GET", target="v2")], version="2.0", name="HealthcareAPIv2"),
    )
    assert matched(routes, "GET", "/healthcare/1.0/surgery").target == "v1"
    assert matched(routes, "GET", "/healthcare/2.0/surgery").target == "v2"
    assert missed(routes, "GET", "/healthcare/surgery").status == 404


def test_a_path_outside_every_context_is_not_found() -> None:
    assert missed(HEALTHCARE, "GET", "/billing/1") == RouteMiss(404, frozenset())
    assert missed(HEALTHCARE, "GET", "/healthcarex/querydoctor/ent").status == 404


def test_a_path_with_another_method_is_refused_with_the_allowed_methods() -> None:
    routes = table(api([resource("/orders/{id}", "GET", "DELETE"), resource("/orders/{n}", "PATCH")]))
    assert missed(routes, "POST", "/healthcare/orders/9") == RouteMiss(
        405, frozenset({"GET", "HEAD", "DELETE", "PATCH"})
    )


def test_methods_are_case_insensitive_and_empty_means_any() -> None:
    routes = table(api([resource("/a", "get"), resource("/b")]))
    assert matched(routes, "GET", "/healthcare/a").target == "get /a"
    assert matched(routes, "OPTIONS", "/healthcare/b").target == " /b"


def test_head_is_served_by_a_get_resource_unless_one_accepts_head() -> None:
    routes = table(api([resource("/a", "GET"), resource("/b", "GET"), resource("/{x}", "HEAD")]))
    assert matched(routes, "HEAD", "/healthcare/a").target == "HEAD /{x}"
    only_get = table(api([resource("/a", "GET")]))
    assert matched(only_get, "HEAD", "/healthcare/a").target == "GET /a"


def test_a_duplicate_resource_is_a_conflict_naming_both() -> None:
    with pytest.raises(RouteConflict) as raised:
        table(
            api(
                [
                    resource("/c/{category}", "GET", "POST", target="A"),
                    resource("/c/{cat}/", "POST", target="B"),
                ]
            )
        )
    conflict = raised.value
    assert (conflict.api, conflict.first_index, conflict.second_index) == ("HealthcareAPI", 0, 1)
    assert (conflict.first, conflict.second) == ("A", "B")
    assert "resource 1 (POST /c/{cat}/)" in str(conflict)
    assert "resource 0 (GET,POST /c/{category})" in str(conflict)
    assert isinstance(conflict, ValueError)
    assert isinstance(conflict, ConfigError)


def test_an_any_method_resource_conflicts_with_every_method() -> None:
    with pytest.raises(RouteConflict):
        table(api([resource("/a", "GET"), resource("/a", "*")]))


def test_same_template_with_disjoint_methods_or_other_query_is_no_conflict() -> None:
    table(api([resource("/a/{x}", "GET"), resource("/a/{y}", "POST"), resource("/a/{z}?q={q}", "GET")]))


def test_two_apis_at_one_context_and_version_conflict() -> None:
    first, second = api([], name="One", version="1"), api([], context="/healthcare/", name="Two", version="1")
    with pytest.raises(RouteConflict) as raised:
        table(first, second)
    assert (raised.value.first, raised.value.second) == (first, second)
    assert "'/healthcare/1'" in str(raised.value)


@pytest.mark.parametrize(
    ("template", "complaint"),
    [
        ("/a/{b", "'{' without a matching '}'"),
        ("/a/b}", "'}' without a matching '{'"),
        ("/a/{}", "needs a name"),
        ("/a/{x}/{x}", "variable 'x' appears twice"),
        ("/a/{x}?x={x}", "variable 'x' appears twice"),
        ("/a/{1x}", "must start with a letter"),
        ("/a/{x}{y}", "separated by literal text"),
        ("/a/*/b", "'*' may only be the whole last segment"),
        ("/a//b", "empty segments"),
        ("a/b", "must start with '/'"),
        ("/s?q", "key={variable} or key=value"),
        ("/s?q={a}&q={b}", "query parameter 'q' appears twice"),
        ("/s?q=x{a}", "one {variable} or plain text"),
    ],
)
def test_a_malformed_template_is_refused_with_where_and_why(template: str, complaint: str) -> None:
    with pytest.raises(TemplateError) as raised:
        table(api([resource("/ok", "GET"), resource(template, "GET", target="bad")]))
    error = raised.value
    assert complaint in str(error)
    assert f"API 'HealthcareAPI', resource 1 ({template!r})" in str(error)
    assert (error.api, error.index, error.target) == ("HealthcareAPI", 1, "bad")
    assert isinstance(error, ValueError)


@pytest.mark.parametrize("context", ["healthcare", "/health/{x}", "/a//b"])
def test_a_malformed_context_is_refused(context: str) -> None:
    with pytest.raises(TemplateError) as raised:
        table(api([], context=context))
    assert (raised.value.api, raised.value.index) == ("HealthcareAPI", None)


def test_matching_many_times_reuses_the_compiled_table() -> None:
    routes = table(api([resource(f"/r{i}/{{id}}", "GET") for i in range(50)] + [resource("/x/*", "GET")]))
    for n in range(1000):
        found = matched(routes, "GET", f"/healthcare/r{n % 50}/{n}")
        assert found.path_params == {"id": str(n)}
    assert routes.match("GET", "/healthcare/r1", {}) == RouteMiss(404)
