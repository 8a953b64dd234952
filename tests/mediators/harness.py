"""Compile small projects written as strings and run their flows on messages built in the test."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from multidict import CIMultiDict

from interlace.compiler import Artifacts, compile_project
from interlace.endpoints import HttpClient
from interlace.mediators import SequenceMediator
from interlace.message import MessageContext, Payload
from interlace.model.load import load_project
from tests.support import write_project

__all__ = ["Flows", "main_sequence", "message"]


def main_sequence(flow: str, name: str = "Main") -> str:
    """A sequence file named ``name`` whose flow is the YAML list ``flow`` (written at column 0)."""
    return f"sequence: {name}\nflow:\n" + textwrap.indent(textwrap.dedent(flow).strip("\n"), "  ") + "\n"


def message(
    json: Any = None,
    *,
    text: str | None = None,
    content_type: str = "text/plain; charset=utf-8",
    headers: Mapping[str, str] | None = None,
    variables: dict[str, Any] | None = None,
) -> MessageContext:
    """A message with a JSON payload (or a text one), headers and variables."""
    payload = Payload.of_text(text, content_type) if text is not None else Payload.of_json(json)
    if json is None and text is None:
        payload = Payload.empty()
    return MessageContext(
        payload, headers=CIMultiDict(headers or {}), variables=variables, method="POST", path="/"
    )


@dataclass(frozen=True, slots=True)
class Flows:
    """A compiled project and a way to run its named sequences."""

    artifacts: Artifacts

    def sequence(self, name: str = "Main") -> SequenceMediator:
        return self.artifacts.sequences[name]

    async def run(self, ctx: MessageContext | None = None, name: str = "Main") -> MessageContext:
        """Run sequence ``name`` on ``ctx`` (an empty message by default) and return the context."""
        ctx = ctx if ctx is not None else message()
        await self.sequence(name).mediate(ctx)
        return ctx


def compile_files(
    root: Path, files: Mapping[str, str], client: HttpClient, configs: Mapping[str, Any] | None = None
) -> Flows:
    project = load_project(write_project(root, files, configs=configs), env={})
    return Flows(compile_project(project, client))
