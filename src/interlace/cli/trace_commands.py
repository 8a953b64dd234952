"""`interlace trace on|off|list|show`: message tracing on the running server, per artifact."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from interlace.cli.output import (
    OutputOption,
    RemoteOption,
    cell_text,
    check_output,
    console,
    request,
    show_answer,
)
from interlace.cli.remote import fail

__all__ = ["trace_app"]

trace_app = typer.Typer(
    help="Message tracing: the path of each message through a flow, with redacted snapshots per mediator.",
    no_args_is_help=True,
)
_KINDS = ("api", "sequence", "processor", "inbound", "task")
_LABEL = "message tracing"
KindArgument = Annotated[str, typer.Argument(help="api, sequence, processor, inbound or task.")]
NameArgument = Annotated[str, typer.Argument(help="The artifact's name.")]


def _kind(kind: str) -> str:
    if kind not in _KINDS:
        fail(f"the kind must be one of {', '.join(_KINDS)} (got {kind!r})")
    return kind


def _switch(kind: str, name: str, enabled: bool, output: str, remote: str | None) -> None:
    check_output(output)
    path = f"/tracing/{_kind(kind)}/{name}"
    answer = request(remote, _LABEL, "PUT", path, body={"enabled": enabled})
    show_answer(
        answer,
        output,
        lambda: console().print(
            f"message tracing {'on' if enabled else 'off'} for {kind} {name}", markup=False
        ),
    )


@trace_app.command("on")
def trace_on(
    kind: KindArgument, name: NameArgument, output: OutputOption = "table", remote: RemoteOption = None
) -> None:
    """Trace the messages of an artifact from now on (until the server stops or `trace off`)."""
    _switch(kind, name, True, output, remote)


@trace_app.command("off")
def trace_off(
    kind: KindArgument, name: NameArgument, output: OutputOption = "table", remote: RemoteOption = None
) -> None:
    """Stop tracing an artifact's messages; its traces so far stay readable."""
    _switch(kind, name, False, output, remote)


@trace_app.command("list")
def trace_list(output: OutputOption = "table", remote: RemoteOption = None) -> None:
    """The artifacts whose messages are traced now."""
    check_output(output)
    items: list[dict[str, Any]] = request(remote, _LABEL, "GET", "/tracing").get("items", [])

    def render() -> None:
        if not items:
            console().print("no artifact is traced", markup=False)
            return
        table = Table("KIND", "NAME")
        for item in items:
            table.add_row(item["kind"], item["name"])
        console().print(table)

    show_answer(items, output, render)


def _steps_table(trace: dict[str, Any]) -> Table:
    table = Table("#", "MEDIATOR", "NAME", "AT", "MS", "OUTCOME", "PAYLOAD AFTER")
    depth: dict[int, int] = {}
    for step in trace.get("steps", []):
        parent = step.get("parent")
        depth[step["index"]] = depth.get(parent, -1) + 1 if parent is not None else 0
        after = (step.get("after") or {}).get("payload", {}).get("body")
        table.add_row(
            str(step["index"]),
            "  " * depth[step["index"]] + step["kind"],
            cell_text(step.get("name")),
            step["location"],
            cell_text(step.get("durationMs")),
            step["outcome"] + (f": {step['error']}" if step.get("error") else ""),
            cell_text(after)[:60],
        )
    return table


@trace_app.command("show")
def trace_show(
    kind: Annotated[str | None, typer.Argument(help="api, sequence, processor, inbound or task.")] = None,
    name: Annotated[str | None, typer.Argument(help="The artifact's name.")] = None,
    correlation_id: Annotated[
        str | None, typer.Option("--correlation-id", "-c", help="Only the traces of this message.")
    ] = None,
    limit: Annotated[int, typer.Option(help="The most traces to show (at most 1000).")] = 20,
    output: OutputOption = "table",
    remote: RemoteOption = None,
) -> None:
    """The message traces kept on the server, newest first, each with its mediators: of an artifact
    (KIND NAME), of a message (--correlation-id), or all. `-o json` shows the redacted snapshots."""
    check_output(output)
    params = {"limit": str(limit)}
    if kind is not None:
        params["kind"] = _kind(kind)
    if name is not None:
        params["name"] = name
    if correlation_id is not None:
        params["correlationId"] = correlation_id
    summaries: list[dict[str, Any]] = request(remote, _LABEL, "GET", "/traces", params=params)["items"]
    traces = [request(remote, _LABEL, "GET", f"/traces/{summary['id']}") for summary in summaries]

    def render() -> None:
        if not traces:
            console().print("no message traces kept", markup=False)
            return
        for trace in traces:
            took = cell_text(trace.get("durationMs"))
            console().print(
                f"trace {trace['id']}: {trace['kind']} {trace['name']}, correlation id "
                f"{trace['correlationId']}, {trace['startedAt']}, {took} ms, {trace['outcome']}",
                markup=False,
            )
            console().print(_steps_table(trace))

    show_answer(traces, output, render)
