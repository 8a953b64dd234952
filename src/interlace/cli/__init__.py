"""The ``interlace`` command: thin commands over library functions."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from interlace import __version__
from interlace.cli.importers import import_app
from interlace.cli.lazy import lazy_group
from interlace.cli.output_options import OutputOption, RemoteOption
from interlace.cli.problems import ProblemFormat, internal_error, print_problems, problems_of, render_problems
from interlace.errors import ConfigError, InterlaceError
from interlace.observability.logging import LogFormat

__all__ = ["app", "main"]

T = TypeVar("T")

# The commands of other modules are imported when they run (or help lists them), not by every command.
_COMMANDS = {
    "connector": "interlace.cli.connectors:connector_app",
    "remote": "interlace.cli.remote:remote_app",
    "get": "interlace.cli.server_commands:get",
    "activate": "interlace.cli.server_commands:activate",
    "deactivate": "interlace.cli.server_commands:deactivate",
    "trigger": "interlace.cli.server_commands:trigger",
    "log-level": "interlace.cli.server_commands:log_level",
    "logs": "interlace.cli.log_commands:logs",
    "store": "interlace.cli.store_commands:store_app",
    "api": "interlace.cli.server_commands:api_app",
    "trace": "interlace.cli.trace_commands:trace_app",
    "build": "interlace.cli.bundles:build",
    "deploy": "interlace.cli.bundles:deploy",
    "rollback": "interlace.cli.bundles:rollback",
    "undeploy": "interlace.cli.bundles:undeploy",
    "test": "interlace.cli.test_command:test",
    "diagram": "interlace.cli.diagram_command:diagram",
}
_CONNECTION_COMMANDS = {
    "authorize": "interlace.cli.connection_commands:connection_authorize",
    "status": "interlace.cli.connection_commands:connection_status",
}

app = typer.Typer(
    name="interlace",
    help="Interlace: an integration runtime with connectors.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=lazy_group(_COMMANDS),
)
# soft_wrap: a `file:line: message` stays on one line however narrow the terminal (or log) is.
_out = Console(highlight=False, soft_wrap=True)
_err = Console(stderr=True, highlight=False, soft_wrap=True)

ProjectDir = Annotated[Path, typer.Argument(help="The project folder (holds interlace.toml).")]
ProfileOption = Annotated[
    str | None,
    typer.Option("--profile", "-p", envvar="INTERLACE_PROFILE", help="Configuration profile to use."),
]


@app.command()
def run(
    project: ProjectDir,
    profile: ProfileOption = None,
    host: Annotated[str | None, typer.Option(envvar="INTERLACE_HTTP_HOST", help="Listen address.")] = None,
    port: Annotated[int | None, typer.Option(envvar="INTERLACE_HTTP_PORT", help="Listen port.")] = None,
    log_level: Annotated[str, typer.Option(envvar="INTERLACE_LOG_LEVEL", help="Log level.")] = "INFO",
    log_format: Annotated[
        LogFormat, typer.Option(envvar="INTERLACE_LOG_FORMAT", help="Log lines as text or as JSON objects.")
    ] = "text",
    management_port: Annotated[
        int | None,
        typer.Option(envvar="INTERLACE_MANAGEMENT_PORT", help="The management API's port (0: any free one)."),
    ] = None,
    metrics: Annotated[
        bool,
        typer.Option(
            envvar="INTERLACE_METRICS",
            help="Count requests, calls and operations for GET /metrics on the management port.",
        ),
    ] = True,
    watch: Annotated[
        bool,
        typer.Option(
            "--watch",
            help="Redeploy whenever a project file is saved; a change with problems keeps the last good "
            "version serving and prints them.",
        ),
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            "-w",
            envvar="INTERLACE_WORKERS",
            min=1,
            help="Processes serving the APIs on the same ports, each with its own event loop "
            "(default: one per core; 1: a single process).",
        ),
    ] = None,
) -> None:
    """Serve a project's APIs until interrupted (a Synapse folder or .car is converted first)."""
    from interlace.cli.importers import runnable_project
    from interlace.observability import configure_logging
    from interlace.workers import WORKER_ENV

    configure_logging(log_level, log_format)
    try:
        announce = lambda line: _out.print(line, markup=False)  # noqa: E731
        project = runnable_project(project)
        count = 1 if watch else workers or _cores()  # --watch redeploys in its one process
        if count > 1 and WORKER_ENV not in os.environ:
            from interlace.workers import WorkerPool

            options = {
                "--profile": profile,
                "--host": host,
                "--port": port,
                "--log-level": log_level,
                "--log-format": log_format,
                "--management-port": management_port,
            }
            command = [sys.executable, "-m", "interlace", "run", str(project)]
            command += [
                item for name, value in options.items() if value is not None for item in (name, str(value))
            ]
            command.append("--metrics" if metrics else "--no-metrics")
            pool = WorkerPool(command, count, explicit=workers is not None, announce=announce)
            status = _run_loop(pool.run())
            if status:
                raise typer.Exit(status)
            return
        from interlace.cli.serve import serve  # the parent of several workers serves nothing itself

        _run_loop(
            serve(
                project,
                profile,
                host,
                port,
                announce,
                management_port=management_port,
                metrics=metrics,
                watch=watch,
            )
        )
    except ConfigError as exc:
        print_problems(problems_of(exc))
        raise typer.Exit(1) from None
    except (OSError, InterlaceError) as exc:
        _err.print(f"cannot start: {exc}", style="bold red", markup=False)
        raise typer.Exit(1) from None


def _run_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency where it exists
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


def _cores() -> int:
    """The cores this process may run on (its CPU affinity), or the machine's."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


@app.command()
def check(
    project: ProjectDir,
    profile: ProfileOption = None,
    output: Annotated[
        ProblemFormat,
        typer.Option(
            "--output",
            "-o",
            help="text (for people), json (for tools) or github (annotations in GitHub Actions).",
        ),
    ] = "text",
) -> None:
    """Report every problem of a project (file:line and a hint) without running it."""
    from interlace.compiler.compile import check_project
    from interlace.model.load import load_project

    try:
        loaded = load_project(project, profile)
        problems = check_project(loaded)
    except Exception as exc:  # a defect of the checker, not of the project: say so, without a traceback
        raise internal_error("check", exc) from None
    if output != "text":
        typer.echo(render_problems(problems, project, output), nl=False)
        if problems:
            raise typer.Exit(1)
        return
    if problems:
        print_problems(problems)
        raise typer.Exit(1)
    _out.print(f"{project}: no problems found" + (f" (profile {loaded.profile})" if loaded.profile else ""))


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
    _write_schemas(target)
    _out.print(f"run it with: interlace run {target}", markup=False)
    _out.print(f"test it with: interlace test {target}", markup=False)


def _write_schemas(project: Path, output: Path | None = None, *, editor: bool = True) -> None:
    from interlace.cli.schemas import write_schemas

    try:
        written = write_schemas(project, output, editor=editor)
    except OSError as exc:
        _err.print(f"cannot write the schemas: {exc}", style="bold red", markup=False)
        raise typer.Exit(1) from None
    for problem in written.problems:
        _err.print(f"note: {problem}", markup=False)
    folder = written.files[0].parent
    _out.print(f"wrote {len(written.files)} JSON Schemas to {folder}", markup=False)
    if written.settings is not None:
        _out.print(f"editors: {written.settings} maps them to the project's files", markup=False)
    elif written.entries:
        _err.print(
            f"{project / '.vscode' / 'settings.json'} is not plain JSON, so it was left as it was; add:",
            markup=False,
        )
        typer.echo(json.dumps({"yaml.schemas": written.entries}, indent=2), err=True)


@app.command()
def schema(
    project: Annotated[Path, typer.Argument(help="The project folder (holds interlace.toml).")] = Path(),
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Folder for the schemas (default: PROJECT/.interlace/schemas)."),
    ] = None,
    editor: Annotated[
        bool, typer.Option(help="Point VS Code's YAML extension at them (.vscode/settings.json).")
    ] = True,
) -> None:
    """Write the JSON Schema of every project file kind, with the installed connectors' operations, so
    that editors complete keys and flag mistakes while typing."""
    if not (project / "interlace.toml").is_file() and output is None:
        _err.print(
            f"{project} is not an Interlace project (interlace.toml is missing); "
            "give the project folder, or --output DIR to write the schemas elsewhere",
            style="bold red",
            markup=False,
        )
        raise typer.Exit(1)
    _write_schemas(project, output, editor=editor)


@app.command()
def reference(
    topic: Annotated[
        str,
        typer.Argument(
            help="What to document: project, apis, mediators, endpoints, stores, processors, inbound, tasks, "
            "tests."
        ),
    ],
) -> None:
    """Print a reference page generated from the code (markdown)."""
    from interlace.compiler.reference import REFERENCE_TOPICS

    if topic not in REFERENCE_TOPICS:
        known = ", ".join(REFERENCE_TOPICS)
        _err.print(f"unknown reference topic {topic!r}; known: {known}", style="bold red", markup=False)
        raise typer.Exit(2)
    typer.echo(REFERENCE_TOPICS[topic](), nl=False)


@app.command()
def version() -> None:
    """Print Interlace's version."""
    _out.print(__version__)


connection_app = typer.Typer(
    help="Work with a project's connections.", no_args_is_help=True, cls=lazy_group(_CONNECTION_COMMANDS)
)
app.add_typer(connection_app, name="connection")
app.add_typer(import_app, name="import")
mailbox_app = typer.Typer(help="The local development mailbox.", no_args_is_help=True)
app.add_typer(mailbox_app, name="mailbox")


@connection_app.command("test")
def connection_test(
    name: Annotated[str, typer.Argument(help="The connection's name.")],
    project: Annotated[Path, typer.Option("--project", "-d", help="The project folder.")] = Path(),
    profile: ProfileOption = None,
    server: Annotated[
        bool, typer.Option("--server", help="Ask the running server to ping its connection instead.")
    ] = False,
    output: OutputOption = "table",
    remote: RemoteOption = None,
) -> None:
    """Open a connection and ping it: says whether its settings and credentials work, from this machine
    (a project's connection), or with --server from the running server (the current remote, or --remote)."""
    from interlace.compiler import compile_project
    from interlace.errors import InterlaceError
    from interlace.model import load_project

    if server:
        from interlace.cli.server_commands import ping_server_connection

        ping_server_connection(name, output, remote)
        return

    async def test() -> None:
        artifacts = compile_project(load_project(project, profile))
        pool = artifacts.connections.get(name)
        if pool is None:
            known = ", ".join(sorted(artifacts.connections)) or "none"
            raise InterlaceError(f"no connection named {name!r} in {project} (connections: {known})")
        try:
            await pool.test()
        finally:
            for each in artifacts.connections.values():
                await each.aclose()

    try:
        _run_loop(test())
    except ConfigError as exc:
        print_problems(problems_of(exc))
        raise typer.Exit(1) from None
    except InterlaceError as exc:
        _err.print(f"connection {name}: {exc.message}", style="bold red", markup=False)
        raise typer.Exit(1) from None
    _out.print(f"connection {name}: ok", markup=False)


@mailbox_app.command("list")
def mailbox_list(
    url: Annotated[str, typer.Option(help="The mailbox's address.")] = "http://127.0.0.1:9025",
) -> None:
    """The mail the local development mailbox received, newest first."""
    from rich.table import Table

    from interlace.errors import InterlaceError
    from interlace.samples.mailbox import fetch_messages

    try:
        messages = asyncio.run(fetch_messages(url))
    except InterlaceError as exc:
        _err.print(exc.message, style="bold red", markup=False)
        raise typer.Exit(1) from None
    table = Table("RECEIVED", "FROM", "TO", "SUBJECT")
    for message in messages:
        recipients = message.get("to", [])
        table.add_row(
            str(message.get("receivedAt", "")),
            str(message.get("from", "")),
            ", ".join(map(str, recipients)) if isinstance(recipients, list) else str(recipients),
            str(message.get("subject", "")),
        )
    _out.print(table)
    _out.print(f"{len(messages)} message{'s' if len(messages) != 1 else ''}; web page: {url}/", markup=False)


def main() -> None:
    app()
