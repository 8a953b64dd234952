"""`interlace store list|browse|show|replay|delete|purge`: the message stores of a running server."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

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
from interlace.cli.remote import fail, remote_client

__all__ = ["STORE_COLUMNS", "store_app"]


store_app = typer.Typer(
    help="The message stores of the running server and their messages.", no_args_is_help=True
)
StoreArgument = Annotated[str, typer.Argument(help="The message store.")]
MessageArgument = Annotated[str, typer.Argument(help="The message's id (see `interlace store browse`).")]
_STORES = "message stores"


def _bound(count: str, limit: str) -> Callable[[dict[str, Any]], str]:
    def cell(item: dict[str, Any]) -> str:
        held, most = item.get(count), item.get(limit)
        shown = "?" if held is None else str(held)
        return shown if most is None else f"{shown} / {most}"

    return cell


STORE_COLUMNS: tuple[tuple[str, Callable[[dict[str, Any]], Any]], ...] = (
    ("NAME", lambda item: item.get("name")),
    ("MESSAGES", _bound("size", "maxMessages")),
    ("BYTES", _bound("bytes", "maxBytes")),
    ("WHEN FULL", lambda item: item.get("whenFull")),
    ("ERROR", lambda item: item.get("error")),
)
"""The columns of a table of stores: depth against bound (``held / most``), what a full store does."""


@store_app.command("list")
def store_list(output: OutputOption = "table", remote: RemoteOption = None) -> None:
    """The message stores: messages and bytes held, against their bound."""
    check_output(output)
    items: list[dict[str, Any]] = request(remote, _STORES, "GET", "/stores").get("items", [])

    def render() -> None:
        if not items:
            console().print("no message stores", markup=False)
            return
        table = Table(*(header for header, _ in STORE_COLUMNS))
        for item in items:
            table.add_row(*(cell_text(cell(item)) for _, cell in STORE_COLUMNS))
        console().print(table)

    show_answer(items, output, render)


@store_app.command("browse")
def store_browse(
    store: StoreArgument,
    offset: Annotated[int, typer.Option(help="How many of the oldest messages to skip.")] = 0,
    limit: Annotated[int, typer.Option(help="The most messages to show (at most 500).")] = 50,
    output: OutputOption = "table",
    remote: RemoteOption = None,
) -> None:
    """The messages of a store, oldest first, without their payloads."""
    check_output(output)
    params = {"offset": str(offset), "limit": str(limit)}
    page = request(remote, _STORES, "GET", f"/stores/{store}/messages", params=params)

    def render() -> None:
        table = Table("ID", "CREATED", "ATTEMPTS", "ORIGIN", "CONTENT TYPE", "SIZE", "LAST ERROR")
        for item in page["items"]:
            created = datetime.fromtimestamp(float(item["created"]), UTC).isoformat(timespec="seconds")
            table.add_row(
                *(cell_text(item.get(key)) for key in ("id",)),
                created,
                *(
                    cell_text(item.get(key))
                    for key in ("attempts", "origin", "contentType", "size", "lastError")
                ),
            )
        shown = len(page["items"])
        if not shown:
            console().print(
                f"{store}: no messages from {page['offset'] + 1} on (it holds {page['size']})", markup=False
            )
            return
        console().print(table)
        first = page["offset"] + 1
        console().print(f"{store}: messages {first}-{page['offset'] + shown} of {page['size']}", markup=False)

    show_answer(page, output, render)


@store_app.command("show")
def store_show(
    store: StoreArgument,
    message: MessageArgument,
    output: OutputOption = "table",
    remote: RemoteOption = None,
) -> None:
    """One stored message with its headers, variables and payload."""
    check_output(output)
    answer = request(remote, _STORES, "GET", f"/stores/{store}/messages/{message}")

    def render() -> None:
        fields_table({key: value for key, value in answer.items() if key not in ("payload", "payloadBase64")})
        if answer.get("payload") is not None:
            console().print(answer["payload"], markup=False)
        else:
            console().print(f"(binary payload, base64) {answer.get('payloadBase64', '')}", markup=False)

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
    """Move a message (from a dead-letter store, say) back into its origin store or another one; replayed
    into the store that holds it, it is replaced in place with its attempts cleared. It is never lost:
    when the target would not keep it under its id, it stays where it was (use --new-id)."""
    check_output(output)
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
    answer = request(remote, _STORES, "POST", f"/stores/{store}/messages/{message}/replay", body=body)
    replayed = answer["message"]["id"]
    show_answer(
        answer,
        output,
        lambda: console().print(f"replayed message {replayed} into {answer['store']}", markup=False),
    )


@store_app.command("delete")
def store_delete(
    store: StoreArgument,
    message: MessageArgument,
    output: OutputOption = "table",
    remote: RemoteOption = None,
) -> None:
    """Delete one stored message."""
    check_output(output)
    answer = request(remote, _STORES, "DELETE", f"/stores/{store}/messages/{message}")
    show_answer(
        answer, output, lambda: console().print(f"deleted message {message} of {store}", markup=False)
    )


@store_app.command("purge")
def store_purge(
    store: StoreArgument,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    output: OutputOption = "table",
    remote: RemoteOption = None,
) -> None:
    """Delete every message of a store (asks first unless --yes)."""
    check_output(output)
    if not yes:
        chosen, client = remote_client(remote)
        if not typer.confirm(f"delete every message of store {store} at {chosen} ({client.base_url})?"):
            raise fail("nothing was purged")
    answer = request(remote, _STORES, "POST", f"/stores/{store}/purge")
    show_answer(
        answer,
        output,
        lambda: console().print(f"purged {answer['purged']} messages of {store}", markup=False),
    )
