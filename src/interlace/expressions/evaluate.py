"""Compile a parsed expression into nested closures once; evaluate them per message without parsing.

Everything known at load time is folded: literals, ``configs.*`` and ``env.*`` (from the
:class:`CompileScope`) and pure function calls on them, so ``${configs.host}`` costs nothing per message.
A plain path such as ``payload.hospital`` compiles to a couple of dictionary lookups.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from interlace.errors import ExpressionError, PayloadError, SourceLocation, did_you_mean
from interlace.expressions import ast
from interlace.expressions.code import Code, CompileScope, constant_code
from interlace.expressions.functions import FUNCTIONS
from interlace.expressions.operators import BINARY, negate, not_
from interlace.expressions.paths import Evaluator
from interlace.expressions.segments import SegmentCompiler
from interlace.expressions.syntax import parse, quoted_source
from interlace.expressions.values import is_truthy
from interlace.expressions.xml_functions import compile_xpath, run_xpath
from interlace.message import MessageContext

__all__ = ["CompileScope", "Expression", "compile_expression"]

_MAX_TREE_DEPTH: Final = 128
_FOLDING_CONTEXT: Final = MessageContext()  # constant closures never look at the context


@dataclass(frozen=True, slots=True)
class Expression:
    """A compiled ``${...}`` expression: immutable, safe to share between concurrent messages.

    ``evaluate`` runs on the hot path of every message that reaches the expression; it never parses.
    ``is_constant`` means the value does not depend on the message (it can be evaluated with any context).
    Results may share structure with the message (``${payload.items}`` is the payload's list): copy
    before changing them in place.
    """

    source: str
    location: SourceLocation | None
    is_constant: bool
    _run: Evaluator = field(repr=False, compare=False)
    reads_payload: bool = True
    """Whether evaluating it may read the payload: the body of a message is read before it runs."""

    def evaluate(self, ctx: MessageContext) -> Any:
        """The value on this message; raises :class:`ExpressionError` naming the expression and its location.

        A payload that cannot be parsed gives an ``ExpressionError`` with the payload error's code and
        status (``BAD_PAYLOAD``, 400), so the client learns its input was wrong.
        """
        try:
            return self._run(ctx, None)
        except ExpressionError as exc:
            raise self._failure(exc.message) from exc
        except PayloadError as exc:
            raise self._failure(exc.message, code=exc.code, status=exc.status) from exc
        except RecursionError as exc:
            raise self._failure("the value is nested too deeply to evaluate") from exc
        except (ArithmeticError, ValueError, TypeError) as exc:
            raise self._failure(f"{type(exc).__name__}: {exc}") from exc

    def _failure(self, reason: str, **kwargs: Any) -> ExpressionError:
        return ExpressionError(
            f"cannot evaluate ${{{self.source}}}: {reason}", location=self.location, **kwargs
        )

    def __str__(self) -> str:
        return f"${{{self.source}}}"


def compile_expression(
    source: str, *, location: SourceLocation | None = None, scope: CompileScope | None = None
) -> Expression:
    """Compile the text inside ``${...}``.

    Raises :class:`ExpressionError` (with the column, the expression and ``location``) for syntax
    errors, unknown names and functions, wrong numbers of arguments, missing ``configs``/``env`` keys,
    and constant parts that cannot be evaluated (``1/0``).
    """
    node = parse(source, location)
    code = _Compiler(source, location, scope or CompileScope()).compile(node, 0)
    if code.constant:
        return Expression(source, location, True, constant_code(code.value).run, False)
    return Expression(source, location, False, code.run, ast.reads_payload(node))


class _Compiler:
    def __init__(self, source: str, location: SourceLocation | None, scope: CompileScope) -> None:
        self.source = source
        self.location = location
        self.scope = scope
        self.segments = SegmentCompiler(self)

    def fail(self, message: str, column: int) -> ExpressionError:
        return ExpressionError(
            f"{message} at column {column} in {quoted_source(self.source)}", location=self.location
        )

    def fold(self, code: Code, column: int) -> Code:
        """Evaluate a node whose inputs are all constant, once, at load time."""
        try:
            return constant_code(code.run(_FOLDING_CONTEXT, None))
        except (ExpressionError, PayloadError) as exc:
            raise self.fail(exc.message, column) from exc
        except (ArithmeticError, ValueError, TypeError) as exc:
            raise self.fail(f"{type(exc).__name__}: {exc}", column) from exc

    def compile(self, node: ast.Node, depth: int, lenient: bool = False) -> Code:
        if depth > _MAX_TREE_DEPTH:
            raise self.fail(
                f"the expression has more than {_MAX_TREE_DEPTH} levels of operators", node.column
            )
        depth += 1
        if isinstance(node, ast.Literal):
            return constant_code(node.value)
        if isinstance(node, ast.Path):
            return self.segments.compile_path(node, depth, lenient)
        if isinstance(node, ast.Root):
            return self.segments.compile_path(ast.Path(node, (), node.column), depth, lenient)
        if isinstance(node, ast.ArrayLiteral):
            return self._array(node, depth)
        if isinstance(node, ast.Unary):
            return self._unary(node, depth)
        if isinstance(node, ast.Binary):
            return self._binary(node, depth)
        if isinstance(node, ast.Conditional):
            return self._conditional(node, depth)
        return self._call(node, depth)

    def _array(self, node: ast.ArrayLiteral, depth: int) -> Code:
        items = [self.compile(item, depth) for item in node.items]
        runs = tuple(item.run for item in items)
        code = Code(lambda ctx, cur: [run(ctx, cur) for run in runs])
        return self.fold(code, node.column) if all(item.constant for item in items) else code

    def _unary(self, node: ast.Unary, depth: int) -> Code:
        operand = self.compile(node.operand, depth)
        run, apply = operand.run, negate if node.op == "-" else not_
        code = Code(lambda ctx, cur: apply(run(ctx, cur)))
        return self.fold(code, node.column) if operand.constant else code

    def _binary(self, node: ast.Binary, depth: int) -> Code:
        left = self.compile(node.left, depth, lenient=node.op == "??")
        right = self.compile(node.right, depth)
        lrun, rrun = left.run, right.run
        if node.op == "&&":
            code = Code(lambda ctx, cur: is_truthy(lrun(ctx, cur)) and is_truthy(rrun(ctx, cur)))
        elif node.op == "||":
            code = Code(lambda ctx, cur: is_truthy(lrun(ctx, cur)) or is_truthy(rrun(ctx, cur)))
        elif node.op == "??":
            if left.constant:
                return right if left.value is None else left
            code = Code(lambda ctx, cur: value if (value := lrun(ctx, cur)) is not None else rrun(ctx, cur))
        else:
            apply = BINARY[node.op]
            code = Code(lambda ctx, cur: apply(lrun(ctx, cur), rrun(ctx, cur)))
        return self.fold(code, node.column) if left.constant and right.constant else code

    def _conditional(self, node: ast.Conditional, depth: int) -> Code:
        test = self.compile(node.test, depth)
        then = self.compile(node.then, depth)
        otherwise = self.compile(node.otherwise, depth)
        if test.constant:
            return then if is_truthy(test.value) else otherwise
        trun, arun, brun = test.run, then.run, otherwise.run
        return Code(lambda ctx, cur: arun(ctx, cur) if is_truthy(trun(ctx, cur)) else brun(ctx, cur))

    def _call(self, node: ast.Call, depth: int) -> Code:
        spec = FUNCTIONS.get(node.name)
        if spec is None:
            close = did_you_mean(node.name, FUNCTIONS)
            hint = f" ({close})" if close else " (see the list of expression functions)"
            raise self.fail(f"unknown function '{node.name}'{hint}", node.column)
        if not spec.min_args <= len(node.args) <= spec.max_args:
            expected = (
                str(spec.min_args)
                if spec.min_args == spec.max_args
                else f"{spec.min_args} to {spec.max_args}"
            )
            noun = "argument" if expected == "1" else "arguments"
            raise self.fail(
                f"{spec.name}() takes {expected} {noun} (got {len(node.args)}): {spec.signature}", node.column
            )
        lenient = node.name == "exists"
        args = [self.compile(arg, depth, lenient) for arg in node.args]
        runs = tuple(arg.run for arg in args)
        if node.name == "xpath" and args[0].constant and isinstance(args[0].value, str):
            return self._xpath(args[0].value, runs[1:], node.column)
        call = spec.call
        code: Code
        if spec.needs_context:
            code = Code(lambda ctx, cur: call(ctx, *[run(ctx, cur) for run in runs]))
        elif len(runs) == 1:
            only = runs[0]
            code = Code(lambda ctx, cur: call(only(ctx, cur)))
        else:
            code = Code(lambda ctx, cur: call(*[run(ctx, cur) for run in runs]))
        return self.fold(code, node.column) if spec.pure and all(arg.constant for arg in args) else code

    def _xpath(self, expression: str, rest: tuple[Evaluator, ...], column: int) -> Code:
        try:
            xpath = compile_xpath(expression)
        except ExpressionError as exc:
            raise self.fail(exc.message, column) from exc
        if not rest:
            return Code(lambda ctx, cur: run_xpath(xpath, ctx))
        variable = rest[0]

        def run(ctx: MessageContext, cur: Any) -> Any:
            name = variable(ctx, cur)
            if not isinstance(name, str):
                raise ExpressionError(f"xpath() needs the variable name as a string (got {name!r})")
            return run_xpath(xpath, ctx, name)

        return Code(run)
