"""Compile path nodes: the roots (``payload``, ``vars``, ``headers``, ``params``, ``props``, ``error``,
``configs``, ``env``, ``@``) and the segments that navigate from them.

``configs.*`` and ``env.*`` are resolved here at load time; a missing key is an error unless the path is
the argument of ``exists()`` or the left side of ``??`` (then it is null). ``params`` and ``error`` check
their first key at load time. Paths made only of ``.name`` steps get a dedicated loop of dict lookups.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final, Protocol

from interlace.errors import ExpressionError, did_you_mean
from interlace.expressions import ast
from interlace.expressions.code import Code, CompileScope, constant_code
from interlace.expressions.paths import (
    Evaluator,
    Step,
    chain_steps,
    descendants,
    field_of,
    index_of,
    members_of,
    slice_of,
)
from interlace.expressions.registry import describe
from interlace.expressions.values import is_truthy
from interlace.message import MessageContext

__all__ = ["NodeCompiler", "SegmentCompiler"]


class NodeCompiler(Protocol):
    """What the path compiler needs from the expression compiler."""

    scope: CompileScope

    def compile(self, node: ast.Node, depth: int, lenient: bool = False) -> Code: ...
    def fail(self, message: str, column: int) -> ExpressionError: ...
    def fold(self, code: Code, column: int) -> Code: ...


_ROOTS: Final[dict[str, Evaluator]] = {
    "payload": lambda ctx, cur: ctx.payload.value(),
    "vars": lambda ctx, cur: ctx.variables,
    "props": lambda ctx, cur: ctx.properties,
    "headers": lambda ctx, cur: ctx.headers,
    "@": lambda ctx, cur: cur,
}
_PARAMS: Final[dict[str, Evaluator]] = {
    "pathParams": lambda ctx, cur: ctx.params.path,
    "queryParams": lambda ctx, cur: ctx.params.query,
    "functionParams": lambda ctx, cur: ctx.params.function,
}
_ERROR_FIELDS: Final = ("code", "message", "detail", "status")


def _all_params(ctx: MessageContext, cur: Any) -> Any:
    params = ctx.params
    return {"pathParams": params.path, "queryParams": params.query, "functionParams": params.function}


def _all_headers(ctx: MessageContext, cur: Any) -> Any:
    headers: dict[str, str] = {}
    seen: set[str] = set()
    for key, value in ctx.headers.items():
        if key.lower() not in seen:  # the first of repeated headers, as headers.Name reads
            seen.add(key.lower())
            headers[str(key)] = value
    return headers


def _whole_error(ctx: MessageContext, cur: Any) -> Any:
    return None if ctx.error is None else ctx.error.as_dict()


def _error_field(name: str) -> Evaluator:
    return lambda ctx, cur: None if ctx.error is None else getattr(ctx.error, name)


def _slice_bound(value: Any, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if type(value) is not int:
        raise ExpressionError(f"a slice {what} must be a whole number (got {describe(value)})")
    return value


class SegmentCompiler:
    """Compiles :class:`ast.Path` nodes for a :class:`NodeCompiler`."""

    def __init__(self, compiler: NodeCompiler) -> None:
        self._compiler = compiler

    def compile_path(self, node: ast.Path, depth: int, lenient: bool) -> Code:
        segments = list(node.segments)
        base = node.base
        if isinstance(base, ast.Root):
            base_code, segments = self._root(base, segments, lenient)
        else:
            base_code = self._compiler.compile(base, depth)
        if not segments:
            return base_code
        steps = [self._segment(segment, depth) for segment in segments]
        if base_code.constant and all(constant for _, _, constant in steps):
            return self._compiler.fold(Code(chain_steps(base_code.run, [s[:2] for s in steps])), node.column)
        if all(isinstance(segment, ast.Field) for segment in segments):
            return Code(
                _field_chain(base_code.run, tuple(s.name for s in segments if isinstance(s, ast.Field)))
            )
        return Code(chain_steps(base_code.run, [(many, step) for many, step, _ in steps]))

    def _root(
        self, root: ast.Root, segments: list[ast.Segment], lenient: bool
    ) -> tuple[Code, list[ast.Segment]]:
        name = root.name
        first = segments[0] if segments and isinstance(segments[0], ast.Field) else None
        if name in ("configs", "env"):
            return self._static(root, segments, lenient)
        if name == "params":
            if first is None:
                return Code(_all_params), segments
            if first.name not in _PARAMS:
                raise self._compiler.fail(
                    f"params has pathParams, queryParams and functionParams (got '{first.name}')",
                    first.column,
                )
            return Code(_PARAMS[first.name]), segments[1:]
        if name == "error":
            if first is None:
                return Code(_whole_error), segments
            if first.name not in _ERROR_FIELDS:
                raise self._compiler.fail(
                    f"error has {', '.join(_ERROR_FIELDS)} (got '{first.name}')", first.column
                )
            return Code(_error_field(first.name)), segments[1:]
        if name == "headers" and not segments:
            return Code(_all_headers), segments
        return Code(_ROOTS[name]), segments

    def _static(
        self, root: ast.Root, segments: list[ast.Segment], lenient: bool
    ) -> tuple[Code, list[ast.Segment]]:
        scope = self._compiler.scope
        value: Any = dict(scope.configs if root.name == "configs" else scope.env)
        path = root.name
        while segments:
            field = segments[0]
            if not isinstance(field, ast.Field):
                break
            segments = segments[1:]
            if isinstance(value, Mapping) and field.name in value:
                value = value[field.name]
                path = f"{path}.{field.name}"
                continue
            if lenient or (root.name == "configs" and not scope.configs_known):
                return constant_code(None), []
            raise self._compiler.fail(self._missing(root.name, path, field.name, value), field.column)
        return constant_code(value), segments

    @staticmethod
    def _missing(root: str, path: str, name: str, value: Any) -> str:
        known = [str(key) for key in value] if isinstance(value, Mapping) else []
        close = did_you_mean(name, known)
        hint = f" ({close})" if close else ""
        if root == "env":
            default = f"${{env.{name} ?? '...'}}"
            return f"environment variable '{name}' is not set{hint}; give a default with {default}"
        if not isinstance(value, Mapping):
            return f"configuration value '{path}' is {describe(value)}, which has no key '{name}'"
        return f"unknown configuration key '{path}.{name}'{hint}"

    def _segment(self, segment: ast.Segment, depth: int) -> tuple[bool, Step, bool]:
        if isinstance(segment, ast.Field):
            name = segment.name
            return False, lambda ctx, cur, value: field_of(value, name), True
        if isinstance(segment, ast.Index):
            key = self._compiler.compile(segment.key, depth)
            if key.constant:
                fixed = key.value
                return False, lambda ctx, cur, value: index_of(value, fixed), True
            run = key.run
            return False, lambda ctx, cur, value: index_of(value, run(ctx, cur)), False
        if isinstance(segment, ast.Wildcard):
            return True, lambda ctx, cur, value: members_of(value), True
        if isinstance(segment, ast.Descendant):
            wanted = segment.name
            return True, lambda ctx, cur, value: descendants(value, wanted), True
        if isinstance(segment, ast.Slice):
            return self._slice(segment, depth)
        predicate = self._compiler.compile(segment.predicate, depth).run

        def select(ctx: MessageContext, cur: Any, value: Any) -> Any:
            return [item for item in members_of(value) if is_truthy(predicate(ctx, item))]

        return True, select, False

    def _slice(self, segment: ast.Slice, depth: int) -> tuple[bool, Step, bool]:
        bounds = [
            None if node is None else self._compiler.compile(node, depth)
            for node in (segment.start, segment.end, segment.step)
        ]
        runs: list[Callable[[MessageContext, Any], Any]] = [
            (lambda ctx, cur: None) if code is None else code.run for code in bounds
        ]
        start, end, step = runs

        def select(ctx: MessageContext, cur: Any, value: Any) -> Any:
            stride = _slice_bound(step(ctx, cur), "step")
            if stride == 0:
                raise ExpressionError("a slice step must not be 0")
            return slice_of(
                value, _slice_bound(start(ctx, cur), "start"), _slice_bound(end(ctx, cur), "end"), stride
            )

        return True, select, all(code is None or code.constant for code in bounds)


def _field_chain(base: Evaluator, names: tuple[str, ...]) -> Evaluator:
    if len(names) == 1:
        (name,) = names

        def one(ctx: MessageContext, cur: Any) -> Any:
            value = base(ctx, cur)
            return value.get(name) if type(value) is dict else field_of(value, name)

        return one

    def many(ctx: MessageContext, cur: Any) -> Any:
        value = base(ctx, cur)
        for name in names:
            value = value.get(name) if type(value) is dict else field_of(value, name)
        return value

    return many
