"""How the commands that load a project report what stops them: its problems (file:line and a hint),
or a defect of Interlace itself (without a traceback)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import orjson
import typer
from rich.console import Console

from interlace.errors import ConfigError

__all__ = ["ProblemFormat", "internal_error", "print_problems", "problems_of", "render_problems"]

ProblemFormat = Literal["text", "json", "github"]
"""How ``interlace check`` reports: lines for people, a JSON document, or GitHub Actions annotations."""


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


def _escape_github(text: str, *, property_value: bool = False) -> str:
    # The workflow-command format: %, CR and LF are escaped in the message; ':' and ',' in properties too.
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property_value else text


def render_problems(problems: list[ConfigError], root: Path, output: ProblemFormat) -> str:
    """``problems`` as a machine-readable document: ``json`` is an object with the problem count and
    each problem's file (relative to the project and as a path from here), line, message, hint and code;
    ``github`` is one ``::error file=...,line=...::message`` workflow command per problem, which GitHub
    Actions shows on the changed lines. (``text`` goes through :func:`print_problems`.)"""
    if output == "github":
        lines = []
        for problem in problems:
            message = problem.message + (f" (hint: {problem.hint})" if problem.hint else "")
            where = ""
            if problem.location is not None:
                file = _escape_github(str(root / problem.location.file), property_value=True)
                where = f" file={file},line={problem.location.line}"
            lines.append(f"::error{where}::{_escape_github(message)}\n")
        return "".join(lines)
    documents = [
        {
            "file": problem.location.file if problem.location else None,
            "path": str(root / problem.location.file) if problem.location else None,
            "line": problem.location.line if problem.location else None,
            "message": problem.message,
            "hint": problem.hint,
            "code": problem.code,
        }
        for problem in problems
    ]
    return (
        orjson.dumps(
            {"project": str(root), "problems": documents, "count": len(documents)}, option=orjson.OPT_INDENT_2
        ).decode()
        + "\n"
    )


def internal_error(command: str, exc: Exception) -> typer.Exit:
    """Say that ``command`` stopped on a defect of its own (not of the project); the exit to raise."""
    _stderr().print(
        f"interlace {command} stopped on an internal error ({exc!r}); "
        "please report it with the project files that caused it",
        style="bold red",
        markup=False,
    )
    return typer.Exit(2)
