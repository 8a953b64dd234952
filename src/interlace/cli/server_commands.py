"""The server commands: see and change what a running server runs, through its management API.

Verb first, then the kind: `interlace get KIND [NAME]`, `activate|deactivate KIND NAME`, `trigger
task NAME`, `store browse|show|replay|delete|purge`, `log-level LOGGER [LEVEL]`, `logs [-f]`, and
`api show` as WSO2 `mi` users know it (and `connection test NAME --server`). Each talks to the current
remote (`--remote` picks another) with its login token. Tables by default; `-o json|yaml` prints the
server's answer (a list's items) for scripts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import typer
from rich.table import Table

from interlace.cli.log_commands import logs
from interlace.cli.output import (
    OutputOption,
    RemoteOption,
    cell_text,
    check_output,
    console,
    fields_table,
    request,
    show_answer,
)
from interlace.cli.remote import fail
from interlace.cli.store_commands import STORE_COLUMNS, store_app
from interlace.cli.trace_commands import trace_app

__all__ = ["KINDS", "ping_server_connection", "register_server_commands", "show_answer"]


Cell = Callable[[dict[str, Any]], Any]


def _key(name: str) -> Cell:
    return lambda item: item.get(name)


def _count(name: str) -> Cell:
    return lambda item: len(item.get(name) or [])


@dataclass(frozen=True, slots=True)
class Kind:
    """A kind of artifact the management API shows: its path, its name in messages, its table's
    columns, and whether it can be activated and deactivated."""

    path: str
    label: str
    columns: tuple[tuple[str, Cell], ...]
    switchable: bool = False


KINDS: dict[str, Kind] = {
    "apis": Kind(
        "/apis",
        "APIs",
        (("NAME", _key("name")), ("URL", _key("url")), ("RESOURCES", _count("resources"))),
    ),
    "sequences": Kind(
        "/sequences",
        "sequences",
        (("NAME", _key("name")), ("MEDIATORS", _key("mediators")), ("ON-ERROR", _key("onError"))),
    ),
    "endpoints": Kind(
        "/endpoints",
        "endpoints",
        (
            ("NAME", _key("name")),
            ("KIND", _key("kind")),
            ("STATE", _key("state")),
            ("DEACTIVATED", _key("deactivated")),
            ("FAILURES", _key("consecutiveFailures")),
            ("URL", _key("url")),
        ),
        switchable=True,
    ),
    "connectors": Kind(
        "/connectors",
        "connectors",
        (
            ("NAME", _key("name")),
            ("VERSION", _key("version")),
            ("PACKAGE", _key("package")),
            ("OPERATIONS", _count("operations")),
            ("TRIGGERS", _count("triggers")),
        ),
    ),
    "connections": Kind(
        "/connections",
        "connections",
        (
            ("NAME", _key("name")),
            ("CONNECTOR", _key("connector")),
            ("STATE", _key("state")),
            ("LAST ERROR", _key("lastError")),
        ),
    ),
    "stores": Kind("/stores", "message stores", STORE_COLUMNS),
    "processors": Kind(
        "/processors",
        "message processors",
        (
            ("NAME", _key("name")),
            ("KIND", _key("kind")),
            ("STATUS", _key("status")),
            ("STORE", _key("store")),
            ("TARGET", lambda item: f"{item.get('targetKind')} {item.get('target')}"),
            ("DELIVERED", _key("delivered")),
            ("FAILED", _key("failedAttempts")),
            ("DEAD-LETTERED", _key("deadLettered")),
            ("LAST ERROR", _key("lastError")),
        ),
        switchable=True,
    ),
    "inbound": Kind(
        "/inbound",
        "inbound endpoints",
        (
            ("NAME", _key("name")),
            ("KIND", _key("kind")),
            ("STATUS", _key("status")),
            ("SOURCE", _key("source")),
            ("TARGET", _key("target")),
            ("RECEIVED", _key("received")),
            ("PROCESSED", _key("processed")),
            ("FAILED", _key("failed")),
            ("LAST ERROR", _key("lastError")),
        ),
        switchable=True,
    ),
    "tasks": Kind(
        "/tasks",
        "tasks",
        (
            ("NAME", _key("name")),
            ("SCHEDULE", _key("schedule")),
            ("STATUS", _key("status")),
            ("TARGET", _key("target")),
            ("RUNS", _key("runs")),
            ("FAILURES", _key("failures")),
            ("LAST RUN", _key("lastRun")),
            ("NEXT RUN", _key("nextRun")),
            ("LAST ERROR", _key("lastError")),
        ),
        switchable=True,
    ),
    "deployments": Kind(
        "/deployments",
        "deployments",
        (
            ("NAME", _key("name")),
            ("VERSION", _key("version")),
            ("ACTIVE", _key("active")),
            ("BUNDLE", _key("bundle")),
            ("DEPLOYED AT", _key("deployedAt")),
        ),
    ),
}
_SINGULAR = {"api": "apis", "sequence": "sequences", "endpoint": "endpoints", "connector": "connectors"}
_SINGULAR |= {"connection": "connections", "store": "stores", "processor": "processors"}
_SINGULAR |= {"task": "tasks", "deployment": "deployments", "inbound-endpoint": "inbound"}


def _kind(word: str, *, switchable: bool = False) -> tuple[str, Kind]:
    name = _SINGULAR.get(word.lower(), word.lower())
    kind = KINDS.get(name)
    if kind is None or (switchable and not kind.switchable):
        allowed = [each for each, k in KINDS.items() if k.switchable or not switchable]
        shown = [each.removesuffix("s") if switchable else each for each in allowed]
        raise fail(f"unknown kind {word!r}; one of: {', '.join(shown)}")
    return name, kind


def get(
    kind: Annotated[str, typer.Argument(help=f"What to show: {', '.join(KINDS)}.")],
    name: Annotated[str | None, typer.Argument(help="One of them, in detail.")] = None,
    output: OutputOption = "table",
    remote: RemoteOption = None,
) -> None:
    """Show the artifacts of one kind on the server, or one of them in detail."""
    check_output(output)
    _, found = _kind(kind)
    path = found.path if name is None else f"{found.path}/{name}"
    answer = request(remote, found.label, "GET", path)
    if name is not None:
        show_answer(answer, output, lambda: fields_table(answer))
        return
    items: list[dict[str, Any]] = answer.get("items", []) if isinstance(answer, dict) else []

    def render() -> None:
        columns = found.columns
        if not items:
            console().print(f"no {found.label}", markup=False)
            return
        table = Table(*(header for header, _ in columns))
        for item in items:
            table.add_row(*(cell_text(cell(item)) for _, cell in columns))
        console().print(table)

    show_answer(items, output, render)


def _switch(action: str, kind: str, name: str, output: str, remote: str | None) -> None:
    check_output(output)
    plural, found = _kind(kind, switchable=True)
    answer = request(remote, found.label, "POST", f"{found.path}/{name}/{action}")
    state = answer.get("state", answer.get("status")) if isinstance(answer, dict) else None
    show_answer(
        answer,
        output,
        lambda: console().print(f"{plural.removesuffix('s')} {name}: {cell_text(state)}", markup=False),
    )


def activate(
    kind: Annotated[str, typer.Argument(help="endpoint, processor, inbound or task.")],
    name: Annotated[str, typer.Argument(help="Its name.")],
    output: OutputOption = "table",
    remote: RemoteOption = None,
) -> None:
    """Switch an endpoint, processor, inbound endpoint or task on."""
    _switch("activate", kind, name, output, remote)


def deactivate(
    kind: Annotated[str, typer.Argument(help="endpoint, processor, inbound or task.")],
    name: Annotated[str, typer.Argument(help="Its name.")],
    output: OutputOption = "table",
    remote: RemoteOption = None,
) -> None:
    """Switch an endpoint, processor, inbound endpoint or task off until it is activated."""
    _switch("deactivate", kind, name, output, remote)


def trigger(
    kind: Annotated[str, typer.Argument(help="task")],
    name: Annotated[str, typer.Argument(help="The task's name.")],
    output: OutputOption = "table",
    remote: RemoteOption = None,
) -> None:
    """Run a scheduled task now, once, besides its schedule."""
    check_output(output)
    if _kind(kind)[0] != "tasks":
        raise fail(f"only tasks can be triggered (got {kind!r}): interlace trigger task NAME")
    answer = request(remote, "tasks", "POST", f"/tasks/{name}/trigger")
    summary = f"task {name}: triggered (runs: {answer.get('runs')}, status: {answer.get('status')})"
    show_answer(answer, output, lambda: console().print(summary, markup=False))


def ping_server_connection(name: str, output: str, remote: str | None) -> None:
    """Open a connection of the running server and ping it (`interlace connection test NAME --server`)."""
    check_output(output)
    answer = request(remote, "connections", "POST", f"/connections/{name}/test")
    ok = bool(answer.get("ok"))
    show_answer(
        answer,
        output,
        lambda: console().print(
            f"connection {name}: ok ({answer.get('elapsed')}s)"
            if ok
            else f"connection {name}: {answer.get('error')}",
            markup=False,
        ),
    )
    if not ok:
        raise typer.Exit(1)


def log_level(
    logger: Annotated[str, typer.Argument(help="The logger (root: the root logger).")],
    level: Annotated[
        str | None, typer.Argument(help="DEBUG, INFO, WARNING, ERROR, CRITICAL or NOTSET.")
    ] = None,
    output: OutputOption = "table",
    remote: RemoteOption = None,
) -> None:
    """Change a logger's level on the running server now (without LEVEL: show it)."""
    check_output(output)
    path = f"/logging/{logger}"
    if level is None:
        answer = request(remote, "logging", "GET", path)
    else:
        answer = request(remote, "logging", "PUT", path, body={"level": level.upper()})
    show_answer(
        answer,
        output,
        lambda: console().print(
            f"logger {logger}: {answer.get('level')} (effective {answer.get('effectiveLevel')})", markup=False
        ),
    )


api_app = typer.Typer(help="The APIs of the running server, as `mi api` shows them.", no_args_is_help=True)


@api_app.command("show")
def api_show(
    name: Annotated[str | None, typer.Argument(help="One API (default: all).")] = None,
    remote: RemoteOption = None,
) -> None:
    """`NAME : ...` and `URL : ...` of each API (or of one)."""
    answer = request(remote, "APIs", "GET", "/apis" if name is None else f"/apis/{name}")
    apis = answer.get("items", []) if name is None else [answer]
    for index, api in enumerate(apis):
        if index:
            typer.echo("")
        typer.echo(f"NAME : {api.get('name')}")
        typer.echo(f"URL : {api.get('url')}")


def register_server_commands(app: typer.Typer) -> None:
    """Add the server commands to the `interlace` command."""
    from interlace.cli.remote import remote_app

    app.add_typer(remote_app, name="remote")
    app.command("get")(get)
    app.command("activate")(activate)
    app.command("deactivate")(deactivate)
    app.command("trigger")(trigger)
    app.command("log-level")(log_level)
    app.command("logs")(logs)
    app.add_typer(store_app, name="store")
    app.add_typer(api_app, name="api")
    app.add_typer(trace_app, name="trace")
