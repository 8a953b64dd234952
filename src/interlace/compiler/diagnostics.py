"""Problems found while compiling a project, collected so that all of them are reported at once."""

from __future__ import annotations

import re
from collections.abc import Iterable

from interlace.errors import ConfigError, ExpressionError, SourceLocation

__all__ = ["Diagnostics", "format_problem"]


class Diagnostics:
    """A list of :class:`ConfigError` in the order found; ``raise_if_any`` ends a compilation."""

    __slots__ = ("problems",)

    def __init__(self, problems: Iterable[ConfigError] = ()) -> None:
        self.problems: list[ConfigError] = list(problems)

    def __bool__(self) -> bool:
        return bool(self.problems)

    def error(self, message: str, location: SourceLocation, hint: str | None = None) -> None:
        self.problems.append(ConfigError(message, location=location, hint=hint))

    def expression(self, exc: ExpressionError, location: SourceLocation) -> None:
        """Record an expression that failed to compile, at the line of the key holding it."""
        where = exc.location or location
        message = exc.message
        suffix = f" at {where}"
        if message.endswith(suffix):
            message = message[: -len(suffix)]
        hint = getattr(exc, "hint", None)
        self.problems.append(
            ConfigError(message, location=where, hint=hint if isinstance(hint, str) else None)
        )

    def raise_if_any(self) -> None:
        if self.problems:
            ordered = sorted(
                self.problems, key=lambda p: (p.location.file, p.location.line) if p.location else ("", 0)
            )
            count = len(ordered)
            summary = f"{count} problem{'s' if count != 1 else ''} in the project:\n" + "\n".join(
                format_problem(problem) for problem in ordered
            )
            raise ConfigError(summary, detail=ordered)


_UNPRINTABLE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _printable(text: str) -> str:
    """``text`` with control characters and lone surrogates (from a hostile file) escaped, so that any
    terminal or log shows it."""
    return _UNPRINTABLE.sub(lambda match: repr(match.group())[1:-1], text)


def format_problem(problem: ConfigError) -> str:
    """``apis/x.yaml:7: unknown mediator 'lgo'`` and, when there is one, an indented hint line."""
    where = f"{problem.location}: " if problem.location else ""
    message = problem.message
    if problem.location and message.endswith(f" at {problem.location}"):
        message = message[: -len(f" at {problem.location}")]
    text = f"{where}{message}"
    if problem.hint:
        text += f"\n    hint: {problem.hint}"
    return _printable(text)
