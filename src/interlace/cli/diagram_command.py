"""`interlace diagram DIR [FLOW]`: draw an API resource's flow or a sequence as SVG, optionally with a
message trace laid over it; without FLOW, list the flows that can be drawn."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import orjson
import pydantic
import typer
from rich.console import Console

from interlace.cli.problems import print_problems

if TYPE_CHECKING:
    from interlace.observability.tracing import MessageTrace

__all__ = ["diagram"]


def diagram(
    project: Annotated[Path, typer.Argument(help="The project folder (holds interlace.toml).")],
    flow: Annotated[
        str | None,
        typer.Argument(
            help="The flow: API (one resource), API/URI-TEMPLATE, 'METHOD API/URI-TEMPLATE' or sequence:NAME."
            " Without it, list the project's flows."
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the SVG to this file (default: print it).")
    ] = None,
    trace: Annotated[
        Path | None,
        typer.Option(
            "--trace",
            help="Mark the path of this message trace: a JSON file as `interlace trace show KIND NAME"
            " -o json` writes it (of a list of traces, the first: the newest).",
        ),
    ] = None,
    profile: Annotated[
        str | None,
        typer.Option("--profile", "-p", envvar="INTERLACE_PROFILE", help="Configuration profile to use."),
    ] = None,
) -> None:
    """Draw a flow as an SVG diagram: its mediators with their file:line, branches side by side, calls
    with their endpoint or connection, the on-error flow; with --trace, the path one message took."""
    from interlace.diagrams import UnknownFlowError, diagram_svg, flow_references
    from interlace.model.load import load_project

    out = Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    loaded = load_project(project, profile)
    if loaded.problems:
        print_problems(loaded.problems)
        raise typer.Exit(1)
    if flow is None:
        for reference in flow_references(loaded):
            out.print(reference, markup=False)
        return
    message_trace = _read_trace(trace, err) if trace is not None else None
    try:
        svg = diagram_svg(loaded, flow, message_trace)
    except UnknownFlowError as exc:
        err.print(f"{project}: {exc.message}", style="bold red", markup=False)
        raise typer.Exit(1) from None
    if output is None:
        typer.echo(svg, nl=False)
        return
    output.write_text(svg, encoding="utf-8")
    out.print(f"wrote {output}", markup=False)


def _read_trace(path: Path, err: Console) -> MessageTrace:
    """The message trace in ``path``: one trace, or the first of a list; exit 1 saying what is wrong."""
    from interlace.observability.tracing import MessageTrace

    hint = "write one with: interlace trace show KIND NAME --limit 1 -o json"
    try:
        data = orjson.loads(path.read_bytes())
        if isinstance(data, list):
            if not data:
                raise ValueError("the list holds no trace")
            data = data[0]
        return MessageTrace.model_validate(data)
    except OSError as exc:
        problem = f"cannot read the trace {path}: {exc.strerror or exc}"
    except orjson.JSONDecodeError as exc:
        problem = f"{path} is not JSON ({exc}); {hint}"
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(map(str, first["loc"])) or "the document"
        problem = f"{path} is not a message trace ({where}: {first['msg']}); {hint}"
    except ValueError as exc:
        problem = f"{path} is not a message trace ({exc}); {hint}"
    err.print(problem, style="bold red", markup=False)
    raise typer.Exit(1)
