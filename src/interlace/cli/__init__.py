"""The ``interlace`` command: thin commands over library functions."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from interlace import __version__
from interlace.errors import ConfigError

__all__ = ["app", "main"]

app = typer.Typer(
    name="interlace",
    help="Interlace: an integration runtime with connectors.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# soft_wrap: a `file:line: message` stays on one line however narrow the terminal (or log) is.
_out = Console(highlight=False, soft_wrap=True)
_err = Console(stderr=True, highlight=False, soft_wrap=True)

ProjectDir = Annotated[Path, typer.Argument(help="The project folder (holds interlace.toml).")]
ProfileOption = Annotated[
    str | None,
    typer.Option("--profile", "-p", envvar="INTERLACE_PROFILE", help="Configuration profile to use."),
]


def _print_problems(problems: list[ConfigError]) -> None:
    from interlace.compiler.diagnostics import format_problem

    for problem in problems:
        _err.print(format_problem(problem), markup=False)
    count = len(problems)
    _err.print(f"{count} problem{'s' if count != 1 else ''} found", style="bold red")


@app.command()
def run(
    project: ProjectDir,
    profile: ProfileOption = None,
    host: Annotated[str | None, typer.Option(envvar="INTERLACE_HTTP_HOST", help="Listen address.")] = None,
    port: Annotated[int | None, typer.Option(envvar="INTERLACE_HTTP_PORT", help="Listen port.")] = None,
    log_level: Annotated[str, typer.Option(envvar="INTERLACE_LOG_LEVEL", help="Log level.")] = "INFO",
) -> None:
    """Serve a project's APIs until interrupted."""
    from interlace.cli.serve import serve
    from interlace.observability import configure_logging

    configure_logging(log_level)
    try:
        _run_loop(serve(project, profile, host, port, lambda line: _out.print(line, markup=False)))
    except ConfigError as exc:
        _print_problems(list(exc.detail) if isinstance(exc.detail, list) else [exc])
        raise typer.Exit(1) from None
    except OSError as exc:
        _err.print(f"cannot start: {exc}", style="bold red", markup=False)
        raise typer.Exit(1) from None


def _run_loop(coroutine: object) -> None:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency where it exists
        asyncio.run(coroutine)  # type: ignore[arg-type]
    else:
        uvloop.run(coroutine)  # type: ignore[arg-type]


@app.command()
def check(project: ProjectDir, profile: ProfileOption = None) -> None:
    """Report every problem of a project (file:line and a hint) without running it."""
    from interlace.compiler.compile import check_project
    from interlace.model.load import load_project

    problems = check_project(load_project(project, profile))
    if problems:
        _print_problems(problems)
        raise typer.Exit(1)
    _out.print(f"{project}: no problems found")


@app.command()
def new(target: Annotated[Path, typer.Argument(help="Folder to create.")]) -> None:
    """Create a new project that runs as it is."""
    from interlace.cli.scaffold import scaffold_project

    try:
        files = scaffold_project(target)
    except FileExistsError as exc:
        _err.print(str(exc), style="bold red", markup=False)
        raise typer.Exit(1) from None
    for path in files:
        _out.print(f"created {path}", markup=False)
    _out.print(f"run it with: interlace run {target} --profile dev", markup=False)


@app.command()
def reference(topic: Annotated[str, typer.Argument(help="What to document: mediators.")]) -> None:
    """Print a reference page generated from the code (markdown)."""
    if topic != "mediators":
        _err.print(f"unknown reference topic {topic!r}; known: mediators", style="bold red", markup=False)
        raise typer.Exit(2)
    from interlace.compiler.reference import render_mediator_reference

    typer.echo(render_mediator_reference(), nl=False)


@app.command()
def version() -> None:
    """Print Interlace's version."""
    _out.print(__version__)


def main() -> None:
    app()
