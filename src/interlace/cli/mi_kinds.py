"""The artifact kinds `mi ... show` lists, as WSO2 Micro Integrator's CLI lists them: the management
API path of each, its list columns (MI's headers first) and the fields of one in detail."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["MI_KINDS", "MiKind"]

Item = dict[str, Any]
Cell = Callable[[Item], object]


def _key(name: str) -> Cell:
    return lambda item: item.get(name)


def _active(item: Item) -> object:
    return "false" if item.get("deactivated") else "true"


@dataclass(frozen=True, slots=True)
class MiKind:
    """One `mi` command group: ``path`` is None for kinds Interlace does not have (always empty)."""

    command: str
    label: str
    path: str | None
    columns: tuple[tuple[str, Cell], ...]
    detail: tuple[tuple[str, Cell], ...] = ()
    switchable: bool = False

    def row(self, item: Item) -> Sequence[str]:
        return [_text(cell(item)) for _, cell in self.columns]

    def fields(self, item: Item) -> list[tuple[str, object]]:
        return [(label, cell(item)) for label, cell in self.detail]


def _text(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_NAME: tuple[str, Cell] = ("NAME", _key("name"))

MI_KINDS: tuple[MiKind, ...] = (
    MiKind(
        "api",
        "APIs",
        "/apis",
        (_NAME, ("URL", _key("url"))),
        (
            ("Name", _key("name")),
            ("Version", _key("version")),
            ("Url", _key("url")),
            ("Context", _key("context")),
            ("Project", _key("project")),
            ("Location", _key("location")),
        ),
    ),
    MiKind(
        "endpoint",
        "endpoints",
        "/endpoints",
        (_NAME, ("TYPE", _key("kind")), ("ACTIVE", _active)),
        (
            ("Name", _key("name")),
            ("Type", _key("kind")),
            ("Active", _active),
            ("State", _key("state")),
            ("Address", _key("url")),
            ("Consecutive Failures", _key("consecutiveFailures")),
        ),
        switchable=True,
    ),
    MiKind(
        "sequence",
        "sequences",
        "/sequences",
        (_NAME, ("MEDIATORS", _key("mediators"))),
        (
            ("Name", _key("name")),
            ("Mediators", _key("mediators")),
            ("On Error", _key("onError")),
            ("Location", _key("location")),
        ),
    ),
    MiKind(
        "proxyservice",
        "proxy services",
        None,
        (_NAME, ("WSDL 1.1", _key("wsdl1")), ("WSDL 2.0", _key("wsdl2"))),
    ),
    MiKind(
        "connector",
        "connectors",
        "/connectors",
        (
            _NAME,
            ("STATUS", lambda item: "enabled"),
            ("PACKAGE", _key("package")),
            ("DESCRIPTION", _key("description")),
        ),
        (
            ("Name", _key("name")),
            ("Version", _key("version")),
            ("Package", _key("package")),
            ("Description", _key("description")),
            ("Operations", lambda item: ", ".join(each["name"] for each in item.get("operations", []))),
        ),
    ),
    MiKind(
        "messagestore",
        "message stores",
        "/stores",
        (_NAME, ("TYPE", _key("kind")), ("SIZE", _key("size"))),
        (
            ("Name", _key("name")),
            ("Type", _key("kind")),
            ("Size", _key("size")),
            ("Max Messages", _key("maxMessages")),
            ("When Full", _key("whenFull")),
            ("Error", _key("error")),
        ),
    ),
    MiKind(
        "messageprocessor",
        "message processors",
        "/processors",
        (_NAME, ("TYPE", _key("kind")), ("STATUS", _key("status"))),
        (
            ("Name", _key("name")),
            ("Type", _key("kind")),
            ("Status", _key("status")),
            ("Message Store", _key("store")),
            ("Target", _key("target")),
            ("Delivered", _key("delivered")),
            ("Last Error", _key("lastError")),
        ),
        switchable=True,
    ),
    MiKind(
        "inboundendpoint",
        "inbound endpoints",
        "/inbound",
        (_NAME, ("TYPE", _key("kind"))),
        (
            ("Name", _key("name")),
            ("Type", _key("kind")),
            ("Status", _key("status")),
            ("Source", _key("source")),
            ("Target", _key("target")),
            ("Last Error", _key("lastError")),
        ),
    ),
    MiKind(
        "task",
        "tasks",
        "/tasks",
        (_NAME,),
        (
            ("Name", _key("name")),
            ("Schedule", _key("schedule")),
            ("Status", _key("status")),
            ("Target", _key("target")),
            ("Runs", _key("runs")),
            ("Next Run", _key("nextRun")),
            ("Last Error", _key("lastError")),
        ),
    ),
    MiKind("localentry", "local entries", None, (_NAME, ("TYPE", _key("type")))),
)
