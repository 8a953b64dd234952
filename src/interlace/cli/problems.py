"""How the commands that load a project report what stops them: its problems (file:line and a hint),
or a defect of Interlace itself (without a traceback)."""

from __future__ import annotations

import typer
from rich.console import Console

from interlace.errors import ConfigError

__all__ = ["internal_error", "print_problems", "problems_of"]


def _stderr() -> Console:
    # soft_wrap: a `file:line: message` stays on one line however narrow the terminal (or log) is.
    return Console(stderr=True, highlight=False, soft_wrap=True)


def problems_of(exc: ConfigError) -> list[ConfigError]:
    """Every problem a ConfigError carries (its ``detail``), or itself."""
    return list(exc.detail) if isinstance(exc.detail, list) else [exc]


def print_problems(problems: list[ConfigError]) -> None:
    """Each problem at its file:line with its hint, then how many there are."""
    from interlace.compiler.diagnostics import format_problem

    err = _stderr()
    for problem in problems:
        err.print(format_problem(problem), markup=False)
    count = len(problems)
    err.print(f"{count} problem{'s' if count != 1 else ''} found", style="bold red")


def internal_error(command: str, exc: Exception) -> typer.Exit:
    """Say that ``command`` stopped on a defect of its own (not of the project); the exit to raise."""
    _stderr().print(
        f"interlace {command} stopped on an internal error ({exc!r}); "
        "please report it with the project files that caused it",
        style="bold red",
        markup=False,
    )
    return typer.Exit(2)
