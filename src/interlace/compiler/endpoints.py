"""Build the endpoints of a project: HTTP endpoints with compiled URL templates (values percent-encoded,
see :mod:`interlace.endpoints.urls`) and header templates, then the
load-balance and failover groups over them (groups of groups allowed, cycles reported)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from interlace.compiler.diagnostics import Diagnostics
from interlace.endpoints import Endpoint, FailoverEndpoint, HttpClient, HttpEndpoint, LoadBalanceEndpoint
from interlace.endpoints.urls import UrlTemplate, compile_url_template, url_of_text
from interlace.errors import ConfigError, ExpressionError, did_you_mean
from interlace.expressions import CompileScope, Template, compile_template
from interlace.model.endpoint import EndpointDefinition

__all__ = ["build_endpoints"]


def _template(
    text: str, definition: EndpointDefinition, key: str, scope: CompileScope, diagnostics: Diagnostics
) -> Template:
    assert definition.http is not None
    location = definition.http.location_of(key)
    try:
        return compile_template(text, location=location, scope=scope)
    except ExpressionError as exc:
        diagnostics.expression(exc, location)
        return compile_template("")


def _url(definition: EndpointDefinition, scope: CompileScope, diagnostics: Diagnostics) -> UrlTemplate:
    assert definition.http is not None
    location = definition.http.location_of("url")
    try:
        return compile_url_template(definition.http.url, location=location, scope=scope)
    except ExpressionError as exc:
        diagnostics.expression(exc, location)
    except ConfigError as exc:
        diagnostics.error(f"endpoint {definition.name}: {exc.message}", location)
    return url_of_text(lambda ctx: "http://invalid")


def _build_http(
    definition: EndpointDefinition, scope: CompileScope, client: HttpClient, diagnostics: Diagnostics
) -> Endpoint:
    http = definition.http
    assert http is not None
    url = _url(definition, scope, diagnostics)
    headers = {
        name: _template(value, definition, "headers", scope, diagnostics)
        for name, value in http.headers.items()
    }
    return HttpEndpoint.from_definition(definition, url=url, headers=headers, client=client)


def build_endpoints(
    definitions: Sequence[EndpointDefinition],
    scope: CompileScope,
    client: HttpClient,
    diagnostics: Diagnostics,
    stand_in: Callable[[Endpoint], Endpoint] | None = None,
) -> dict[str, Endpoint]:
    """Every endpoint by name; unknown members and cycles among groups are recorded as problems.
    ``stand_in`` is given each endpoint as it is built and returns the one to use in its place (a test
    runner's double); groups are built over their members' stand-ins."""
    built: dict[str, Endpoint] = {}
    groups: dict[str, EndpointDefinition] = {}
    use = stand_in or (lambda endpoint: endpoint)
    for definition in definitions:
        if definition.http is not None:
            built[definition.name] = use(_build_http(definition, scope, client, diagnostics))
        else:
            groups[definition.name] = definition
    known = {definition.name for definition in definitions}
    # Groups that could not be built: asked for again (from another group or at the top level) they
    # are not rebuilt, so a cycle or an unknown member is reported once.
    failed: set[str] = set()

    def build_group(name: str, path: tuple[str, ...]) -> Endpoint | None:
        if name in built:
            return built[name]
        if name in failed:
            return None
        definition = groups[name]
        key = "load-balance" if definition.load_balance is not None else "failover"
        members: list[Endpoint] = []
        for member in definition.members:
            if member in path or member == name:
                start = path.index(member) if member in path else len(path)
                cycle = " -> ".join((*path[start:], name, member))
                diagnostics.error(
                    f"endpoint groups refer to each other in a cycle: {cycle}", definition.location_of(key)
                )
                continue
            if member not in known:
                hint = did_you_mean(member, sorted(known)) or f"define it in endpoints/{member}.yaml"
                diagnostics.error(
                    f"endpoint {name}: unknown member endpoint {member!r}", definition.location_of(key), hint
                )
                continue
            resolved = build_group(member, (*path, name))
            if resolved is not None:
                members.append(resolved)
        if not members:
            failed.add(name)
            return None
        endpoint: Endpoint = (
            LoadBalanceEndpoint(name, members)
            if definition.load_balance is not None
            else FailoverEndpoint(name, members)
        )
        built[name] = use(endpoint)
        return built[name]

    for name in groups:
        build_group(name, ())
    return built
