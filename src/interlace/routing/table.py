"""Routing inbound HTTP requests to API resources by context path, method and URI template.

Every template is compiled once, when the table is built; a request only splits its path and runs the
precompiled matchers. The rules:

- An API is served at its context path, or at ``{context}/{version}`` when it has a version
  (context ``/healthcare`` and version ``1.0`` serve ``/healthcare/1.0/...``). Of several APIs the one
  with the longest context matching the path's leading segments is chosen, by context alone: when none
  of its resources matches, the answer is 404 even if an API with a shorter context has a match.
- A URI template is a path, optionally followed by a query template:
  ``/categories/{category}/reserve``, ``/files/{name}.{ext}``, ``/items/{id}/*``, ``/search?q={q}``.
  A variable matches a non-empty part of one path segment. A trailing ``/*`` matches the rest of the
  path, possibly nothing, and exposes it (without its leading slash) as the path parameter ``"*"``.
  A resource without a template (``None``, ``""`` or ``"/"``) matches the context root.
- Paths are matched segment by segment after percent-decoding each segment, so ``%2F`` inside a
  segment stays in that segment and arrives decoded in the parameter. Template literals are decoded the
  same way. One trailing slash is ignored: ``/a/b/`` is ``/a/b``.
- A query template ``key={var}`` matches only when the query has ``key``, and binds its value to
  ``var`` next to the path parameters; ``key=literal`` matches only that value. Query parameters the
  template does not name are not bound and stay available to the caller. Query values are taken as
  given (the caller's query mapping is already decoded).
- Precedence, when several resources of an API match: segments are compared from the left, a literal
  beats a segment mixing literals and variables, which beats a variable, which beats a wildcard tail;
  then the template naming more query parameters wins; then definition order.
- Methods: an empty set or one containing ``"*"`` accepts any method. A resource that matches the
  path but not the method is skipped, so a later resource accepting the method can still match. A
  ``HEAD`` request is served by a ``GET`` resource when no resource accepts ``HEAD`` itself (the
  transport sends no body). When resources match the path but none the method, the answer is 405
  with the allowed methods (``HEAD`` included wherever ``GET`` is); when nothing matches, 404.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, Generic, Literal, TypeVar

from interlace.errors import ConfigError
from interlace.routing.templates import (
    TemplateError,
    UriTemplate,
    compile_uri_template,
    parse_context,
    split_path,
)

__all__ = [
    "ApiRoutes",
    "ResourceRoute",
    "RouteConflict",
    "RouteMatch",
    "RouteMiss",
    "RouteTable",
    "TemplateError",
]

T = TypeVar("T")

_ANY_METHOD: Final = "*"
_NO_QUERY: Final[Mapping[str, str]] = MappingProxyType({})


class RouteConflict(ConfigError, ValueError):  # noqa: N818 - the name says what it is; "Error" adds nothing
    """Two definitions claim the same requests, so one of them could never be reached.

    For two resources of one API (same template shape, overlapping methods) ``first``/``second``
    are their targets and ``first_index``/``second_index`` their positions in the API's resources.
    For two APIs at the same context path and version they are the ``ApiRoutes`` and their positions
    in the sequence given to ``RouteTable.build``. ``api`` names the API of the second definition.
    """

    def __init__(
        self,
        message: str,
        *,
        api: str,
        first_index: int,
        second_index: int,
        first: object,
        second: object,
    ) -> None:
        super().__init__(message)
        self.api = api
        self.first_index = first_index
        self.second_index = second_index
        self.first = first
        self.second = second


@dataclass(frozen=True, slots=True)
class ResourceRoute(Generic[T]):
    """One resource: the methods it accepts (empty or ``"*"``: any), its URI template and its target."""

    methods: frozenset[str]
    template: str | None
    target: T


@dataclass(frozen=True, slots=True)
class ApiRoutes(Generic[T]):
    """An API: its name, context path, optional version and resources in definition order."""

    name: str
    context: str
    version: str | None
    resources: Sequence[ResourceRoute[T]]


@dataclass(frozen=True, slots=True)
class RouteMatch(Generic[T]):
    """The resource a request goes to, with its path (and query-template) parameters."""

    api: ApiRoutes[T]
    target: T
    path_params: dict[str, str]


@dataclass(frozen=True, slots=True)
class RouteMiss:
    """No resource takes the request: 404 (nothing matches the path) or 405 (``allowed`` for Allow)."""

    status: Literal[404, 405]
    allowed: frozenset[str] = frozenset()


_NOT_FOUND: Final = RouteMiss(404)


@dataclass(frozen=True, slots=True)
class _Resource(Generic[T]):
    route: ResourceRoute[T]
    index: int
    methods: frozenset[str] | None  # None: any method
    template: UriTemplate


@dataclass(frozen=True, slots=True)
class _Api(Generic[T]):
    routes: ApiRoutes[T]
    context: tuple[str, ...]
    resources: tuple[_Resource[T], ...]  # in precedence order


@dataclass(frozen=True, slots=True)
class RouteTable(Generic[T]):
    """Every API of a server, compiled for matching; immutable, so safe to share between requests.

    Built once per deployment with ``build`` (which raises ``TemplateError`` or ``RouteConflict``);
    ``match`` is then called for every request and never compiles anything.
    """

    apis: tuple[ApiRoutes[T], ...]
    _by_context: Mapping[tuple[str, ...], _Api[T]] = field(repr=False)
    _depth: int = field(repr=False)

    @classmethod
    def build(cls, apis: Sequence[ApiRoutes[T]]) -> RouteTable[T]:
        """Compile *apis*; raise ``TemplateError`` for a malformed context or template and
        ``RouteConflict`` for two APIs at one context or two resources claiming the same requests."""
        by_context: dict[tuple[str, ...], tuple[int, _Api[T]]] = {}
        for position, routes in enumerate(apis):
            api = _compile_api(routes)
            if api.context in by_context:
                earlier_position, earlier = by_context[api.context]
                raise RouteConflict(
                    f"API {routes.name!r} is served at {_context_text(api.context)!r}, where API "
                    f"{earlier.routes.name!r} already is: give one of them another context or version",
                    api=routes.name,
                    first_index=earlier_position,
                    second_index=position,
                    first=earlier.routes,
                    second=routes,
                )
            by_context[api.context] = (position, api)
        compiled = MappingProxyType({context: api for context, (_, api) in by_context.items()})
        depth = max((len(context) for context in compiled), default=0)
        return cls(tuple(apis), compiled, depth)

    def match(
        self, method: str, path: str, query: Mapping[str, str] = _NO_QUERY
    ) -> RouteMatch[T] | RouteMiss:
        """The resource for *method* on *path* (still percent-encoded, without the query string)."""
        segments = split_path(path)
        api = self._api_for(segments)
        if api is None:
            return _NOT_FOUND
        rest = segments[len(api.context) :]
        method = method.upper()
        allowed: set[str] = set()
        head_fallback: RouteMatch[T] | None = None
        for resource in api.resources:
            params = resource.template.bind(rest, query)
            if params is None:
                continue
            if resource.methods is None or method in resource.methods:
                return RouteMatch(api.routes, resource.route.target, params)
            if head_fallback is None and method == "HEAD" and "GET" in resource.methods:
                head_fallback = RouteMatch(api.routes, resource.route.target, params)
            allowed |= resource.methods
        if head_fallback is not None:
            return head_fallback
        if not allowed:
            return _NOT_FOUND
        if "GET" in allowed:
            allowed.add("HEAD")
        return RouteMiss(405, frozenset(allowed))

    def _api_for(self, segments: list[str]) -> _Api[T] | None:
        for depth in range(min(len(segments), self._depth), -1, -1):
            api = self._by_context.get(tuple(segments[:depth]))
            if api is not None:
                return api
        return None


def _context_text(context: tuple[str, ...]) -> str:
    return "/" + "/".join(context)


def _compile_api(routes: ApiRoutes[T]) -> _Api[T]:
    try:
        context = parse_context(routes.context, routes.version)
    except TemplateError as exc:
        raise TemplateError(f"API {routes.name!r}: {exc.message}", api=routes.name) from exc
    resources: list[_Resource[T]] = []
    for index, route in enumerate(routes.resources):
        try:
            template = compile_uri_template(route.template)
        except TemplateError as exc:
            raise TemplateError(
                f"API {routes.name!r}, resource {index} ({route.template!r}): {exc.message}",
                api=routes.name,
                index=index,
                target=route.target,
            ) from exc
        methods = frozenset(method.upper() for method in route.methods)
        resource = _Resource(
            route, index, None if not methods or _ANY_METHOD in methods else methods, template
        )
        for earlier in resources:
            if earlier.template.shape == template.shape and _overlap(earlier.methods, resource.methods):
                raise RouteConflict(
                    f"API {routes.name!r}: resource {index} ({_describe(resource)}) claims the same "
                    f"requests as resource {earlier.index} ({_describe(earlier)}): change its URI "
                    "template or methods, or remove one",
                    api=routes.name,
                    first_index=earlier.index,
                    second_index=index,
                    first=earlier.route.target,
                    second=route.target,
                )
        resources.append(resource)
    resources.sort(key=lambda resource: (resource.template.ranks, resource.index))
    return _Api(routes, context, tuple(resources))


def _overlap(first: frozenset[str] | None, second: frozenset[str] | None) -> bool:
    return first is None or second is None or bool(first & second)


def _describe(resource: _Resource[T]) -> str:
    methods = "any method" if resource.methods is None else ",".join(sorted(resource.methods))
    return f"{methods} {resource.template.source}"
