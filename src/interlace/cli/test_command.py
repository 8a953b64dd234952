"""`interlace test [DIR]`: run a project's test suites in-process and report what failed and what no
case reached."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from interlace.cli.problems import internal_error, print_problems, problems_of
from interlace.errors import ConfigError, InterlaceError

__all__ = ["test"]


def test(
    project: Annotated[Path, typer.Argument(help="The project folder (holds interlace.toml).")] = Path(),
    profile: Annotated[
        str | None,
        typer.Option("--profile", "-p", envvar="INTERLACE_PROFILE", help="Configuration profile to use."),
    ] = None,
    suites: Annotated[
        Path | None, typer.Option("--suites", help="The folder of suites (default: the project's tests/).")
    ] = None,
    junit: Annotated[
        Path | None, typer.Option("--junit", help="Also write the results as JUnit XML.")
    ] = None,
    record: Annotated[
        bool,
        typer.Option(
            "--record",
            help="Run the cases once against the real endpoints and connectors instead, and write their"
            " answers as mocks into tests/NAME.recorded.yaml.",
        ),
    ] = False,
    redact: Annotated[
        list[str] | None,
        typer.Option(
            "--redact", help="With --record: a JSON path of recorded answers to redact (repeatable)."
        ),
    ] = None,
) -> None:
    """Run the project's test suites (tests/*.yaml) with endpoints and operations mocked; exit status 1
    when a case fails. With --record, record the real answers as mocks instead."""
    import asyncio

    from interlace.testing import coverage_lines, report_lines, run_project_suites, write_junit

    out = Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        if record:
            from interlace.testing.record import record_project_suites

            written = asyncio.run(record_project_suites(project, profile, suites, redact or ()))
            for path in written:
                out.print(f"recorded {path}", markup=False)
            return
        run = asyncio.run(run_project_suites(project, profile, suites))
    except ConfigError as exc:
        print_problems(problems_of(exc))
        raise typer.Exit(1) from None
    except InterlaceError as exc:
        err.print(f"cannot run the tests: {exc}", style="bold red", markup=False)
        raise typer.Exit(1) from None
    except Exception as exc:  # a defect of the runner, not of the project: say so, without a traceback
        raise internal_error("test", exc) from None
    for line in report_lines(run):
        out.print(line, markup=False)
    for line in coverage_lines(run):
        out.print(line, markup=False)
    if junit is not None:
        write_junit(run, junit)
    if not run.results:
        err.print(f"no test cases found in {suites or project / 'tests'}", style="bold red", markup=False)
        raise typer.Exit(1)
    if run.failed:
        raise typer.Exit(1)
