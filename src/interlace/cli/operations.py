"""The operations commands: see and change what a running server runs, through its management API.

Verb first, then the kind: `interlace get KIND [NAME]`, `activate|deactivate KIND NAME`, `trigger
task NAME`, `test connection NAME`, `store browse|show|replay|delete|purge`, `log-level LOGGER
[LEVEL]`, and `api show` as WSO2 `mi` users know it. Each talks to the current remote (`--remote`
picks another) with its login token. Tables by default; `-o json|yaml` prints the server's answer
(a list's items) for scripts."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.console import Console
from rich.table import Table

from interlace.cli.client import ManagementClient, RouteMissingError
from interlace.cli.remote import fail, remote_client, run_remote

__all__ = ["KINDS", "register_operations", "show_answer"]


def _out() -> Console:
    # Made per use, so the width is the terminal's (or $COLUMNS) at the time of printing.
    return Console(highlight=False, soft_wrap=True)


RemoteOption = Annotated[
    str | None, typer.Option("--remote", "-r", help="The remote to talk to (default: the current one).")
]
OutputOption = Annotated[str, typer.Option("--output", "-o", help="table, json or yaml.")]
_OUTPUTS = ("table", "json", "yaml")

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
    "stores": Kind("/stores", "message stores", (("NAME", _key("name")), ("SIZE", _key("size")))),
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


def _text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_text(each.get("name", each) if isinstance(each, dict) else each) for each in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    return str(value)


def show_answer(data: Any, output: str, render: Callable[[], None]) -> None:
    """Print `data` as JSON or YAML, or call `render` for the table."""
    if output == "json":
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
    elif output == "yaml":
        typer.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), nl=False)
    else:
        render()


def _header(key: str) -> str:
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", key).upper()  # uriTemplate -> URI TEMPLATE


def _fields_table(item: dict[str, Any]) -> None:
    table = Table("FIELD", "VALUE")
    for key, value in item.items():
        if not (isinstance(value, list) and value and isinstance(value[0], dict)):
            table.add_row(key, _text(value))
    _out().print(table)
    for key, value in item.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            keys = [k for k in value[0] if not isinstance(value[0][k], dict)]
            nested = Table(*(_header(k) for k in keys), title=key)
            for each in value:
                nested.add_row(*(_text(each.get(k)) for k in keys))
            _out().print(nested)


def _check_output(output: str) -> None:
    if output not in _OUTPUTS:
        raise fail(f"unknown output {output!r}; one of: {', '.join(_OUTPUTS)}")


def _request(
    remote: str | None,
    label: str,
    method: str,
    path: str,
    *,
    body: Any = None,
    params: dict[str, str] | None = None,
) -> Any:
    """One request to the remote; a server without the route says it does not expose `label`."""
    chosen, client = remote_client(remote)

    async def send(client: ManagementClient) -> Any:
        try:
            return await client.request(method, path, json=body, params=params)
        except RouteMissingError as exc:
            raise RouteMissingError(f"this server does not expose {label} ({exc.message})") from exc

    return run_remote(chosen, client, send(client))


def get(
    kind: Annotated[str, typer.Argument(help=f"What to show: {', '.join(KINDS)}.")],
    name: Annotated[str | None, typer.Argument(help="One of them, in detail.")] = None,
    output: OutputOption = "table",
    remote: RemoteOption = None,
) -> None:
    """Show the artifacts of one kind on the server, or one of them in detail."""
    _check_output(output)
    _, found = _kind(kind)
    path = found.path if name is None else f"{found.path}/{name}"
    answer = _request(remote, found.label, "GET", path)
    if name is not None:
        show_answer(answer, output, lambda: _fields_table(answer))
        return
    items: list[dict[str, Any]] = answer.get("items", []) if isinstance(answer, dict) else []

    def render() -> None:
        columns = found.columns
        if not items:
            _out().print(f"no {found.label}", markup=False)
            return
        table = Table(*(header for header, _ in columns))
        for item in items:
            table.add_row(*(_text(cell(item)) for _, cell in columns))
        _out().print(table)

    show_answer(items, output, render)


def _switch(action: str, kind: str, name: str, output: str, remote: str | None) -> None:
    _check_output(output)
    plural, found = _kind(kind, switchable=True)
    answer = _request(remote, found.label, "POST", f"{found.path}/{name}/{action}")
    state = answer.get("state", answer.get("status")) if isinstance(answer, dict) else None
    show_answer(
        answer,
        output,
        lambda: _out().print(f"{plural.removesuffix('s')} {name}: {_text(state)}", markup=False),
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
    _check_output(output)
    if _kind(kind)[0] != "tasks":
        raise fail(f"only tasks can be triggered (got {kind!r}): interlace trigger task NAME")
    answer = _request(remote, "tasks", "POST", f"/tasks/{name}/trigger")
    summary = f"task {name}: triggered (runs: {answer.get('runs')}, status: {answer.get('status')})"
    show_answer(answer, output, lambda: _out().print(summary, markup=False))


def test(
    kind: Annotated[str, typer.Argument(help="connection")],
    name: Annotated[str, typer.Argument(help="The connection's name.")],
    output: OutputOption = "table",
    remote: RemoteOption = None,
) -> None:
    """Open a connection of the running server and ping it (`interlace connection test` tries a
    project's connection from this machine instead)."""
    _check_output(output)
    if _kind(kind)[0] != "connections":
        raise fail(f"only connections can be tested (got {kind!r}): interlace test connection NAME")
    answer = _request(remote, "connections", "POST", f"/connections/{name}/test")
    ok = bool(answer.get("ok"))
    show_answer(
        answer,
        output,
        lambda: _out().print(
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
    _check_output(output)
    path = f"/logging/{logger}"
    if level is None:
        answer = _request(remote, "logging", "GET", path)
    else:
        answer = _request(remote, "logging", "PUT", path, body={"level": level.upper()})
    show_answer(
        answer,
        output,
        lambda: _out().print(
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
    answer = _request(remote, "APIs", "GET", "/apis" if name is None else f"/apis/{name}")
    apis = answer.get("items", []) if name is None else [answer]
    for index, api in enumerate(apis):
        if index:
            typer.echo("")
        typer.echo(f"NAME : {api.get('name')}")
        typer.echo(f"URL : {api.get('url')}")


store_app = typer.Typer(
    help="The message stores of the running server and their messages.", no_args_is_help=True
)
StoreArgument = Annotated[str, typer.Argument(help="The message store.")]
MessageArgument = Annotated[str, typer.Argument(help="The message's id (see `interlace store browse`).")]
_STORES = "message stores"


@store_app.command("browse")
def store_browse(
    store: StoreArgument,
    offset: Annotated[int, typer.Option(help="How many of the oldest messages to skip.")] = 0,
    limit: Annotated[int, typer.Option(help="The most messages to show (at most 500).")] = 50,
    output: OutputOption = "table",
    remote: RemoteOption = None,
) -> None:
    """The messages of a store, oldest first, without their payloads."""
    _check_output(output)
    params = {"offset": str(offset), "limit": str(limit)}
    page = _request(remote, _STORES, "GET", f"/stores/{store}/messages", params=params)

    def render() -> None:
        table = Table("ID", "CREATED", "ATTEMPTS", "ORIGIN", "CONTENT TYPE", "SIZE", "LAST ERROR")
        for item in page["items"]:
            created = datetime.fromtimestamp(float(item["created"]), UTC).isoformat(timespec="seconds")
            table.add_row(
                *(_text(item.get(key)) for key in ("id",)),
                created,
                *(_text(item.get(key)) for key in ("attempts", "origin", "contentType", "size", "lastError")),
            )
        shown = len(page["items"])
        if not shown:
            _out().print(
                f"{store}: no messages from {page['offset'] + 1} on (it holds {page['size']})", markup=False
            )
            return
        _out().print(table)
        first = page["offset"] + 1
        _out().print(f"{store}: messages {first}-{page['offset'] + shown} of {page['size']}", markup=False)

    show_answer(page, output, render)


@store_app.command("show")
def store_show(
    store: StoreArgument,
    message: MessageArgument,
    output: OutputOption = "table",
    remote: RemoteOption = None,
) -> None:
    """One stored message with its headers, variables and payload."""
    _check_output(output)
    answer = _request(remote, _STORES, "GET", f"/stores/{store}/messages/{message}")

    def render() -> None:
        _fields_table(
            {key: value for key, value in answer.items() if key not in ("payload", "payloadBase64")}
        )
        if answer.get("payload") is not None:
            _out().print(answer["payload"], markup=False)
        else:
            _out().print(f"(binary payload, base64) {answer.get('payloadBase64', '')}", markup=False)

    show_answer(answer, output, render)


@store_app.command("replay")
def store_replay(
    store: StoreArgument,
    message: MessageArgument,
    payload_file: Annotated[
        Path | None, typer.Option("--payload-file", help="Replace the payload by this file's content.")
    ] = None,
    content_type: Annotated[str | None, typer.Option("--content-type", help="A new content type.")] = None,
    into: Annotated[str | None, typer.Option("--into", help="Another store than its origin.")] = None,
    new_id: Annotated[bool, typer.Option("--new-id", help="Give the message a new id.")] = False,
    output: OutputOption = "table",
    remote: RemoteOption = None,
) -> None:
    """Move a message (from a dead-letter store, say) back into its origin store or another one."""
    _check_output(output)
    body: dict[str, Any] = {}
    if payload_file is not None:
        try:
            content = payload_file.read_bytes()
        except OSError as exc:
            raise fail(f"cannot read the payload file: {exc}") from None
        try:
            body["payload"] = content.decode("utf-8")
        except UnicodeDecodeError:
            body["payloadBase64"] = base64.b64encode(content).decode("ascii")
    if content_type:
        body["contentType"] = content_type
    if into:
        body["into"] = into
    if new_id:
        body["newId"] = True
    answer = _request(remote, _STORES, "POST", f"/stores/{store}/messages/{message}/replay", body=body)
    replayed = answer["message"]["id"]
    show_answer(
        answer,
        output,
        lambda: _out().print(f"replayed message {replayed} into {answer['store']}", markup=False),
    )


@store_app.command("delete")
def store_delete(
    store: StoreArgument,
    message: MessageArgument,
    output: OutputOption = "table",
    remote: RemoteOption = None,
) -> None:
    """Delete one stored message."""
    _check_output(output)
    answer = _request(remote, _STORES, "DELETE", f"/stores/{store}/messages/{message}")
    show_answer(answer, output, lambda: _out().print(f"deleted message {message} of {store}", markup=False))


@store_app.command("purge")
def store_purge(
    store: StoreArgument,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    output: OutputOption = "table",
    remote: RemoteOption = None,
) -> None:
    """Delete every message of a store (asks first unless --yes)."""
    _check_output(output)
    if not yes:
        chosen, client = remote_client(remote)
        if not typer.confirm(f"delete every message of store {store} at {chosen} ({client.base_url})?"):
            raise fail("nothing was purged")
    answer = _request(remote, _STORES, "POST", f"/stores/{store}/purge")
    show_answer(
        answer, output, lambda: _out().print(f"purged {answer['purged']} messages of {store}", markup=False)
    )


def register_operations(app: typer.Typer) -> None:
    """Add the operations commands to the `interlace` command."""
    from interlace.cli.remote import remote_app

    app.add_typer(remote_app, name="remote")
    app.command("get")(get)
    app.command("activate")(activate)
    app.command("deactivate")(deactivate)
    app.command("trigger")(trigger)
    app.command("test")(test)
    app.command("log-level")(log_level)
    app.add_typer(store_app, name="store")
    app.add_typer(api_app, name="api")
