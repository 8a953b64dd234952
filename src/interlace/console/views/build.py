"""Building: the catalog of step kinds (mediators and the installed connectors' operations, each with
its generated form), and an admin adding a step to a flow or changing one through that form. The
console only fills the form: the management API edits the project's file, checks the project and
redeploys it, or refuses the edit with the problems at their lines."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import orjson
from aiohttp import web

from interlace.console.context import Console, error_message
from interlace.console.forms import FIELD_PREFIX, Field, FormError, fields_of, options_of, step_of
from interlace.console.pages import flash, redirect, render, safe_back
from interlace.errors import InterlaceError
from interlace.management.errors import BadRequestError

__all__ = ["catalog", "step_editor", "step_kind", "submit_step"]


async def catalog(console: Console) -> web.StreamResponse:
    kinds = (await console.call("listStepKinds"))["items"]
    mediators = [each for each in kinds if each["connector"] is None]
    connectors: dict[str, list[dict[str, Any]]] = {}
    for each in kinds:
        if each["connector"] is not None:
            connectors.setdefault(each["connector"], []).append(each)
    return render(
        console.request, "catalog.html", console=console, mediators=mediators, connectors=connectors
    )


async def step_kind(console: Console) -> web.StreamResponse:
    """One kind's documentation and generated form (to read: a step is added from a flow's diagram)."""
    form = await console.call("getStepKind", {"kind": console.request.match_info["kind"]})
    return render(
        console.request, "step_kind.html", console=console, form=form, fields=fields_of(form["schema"])
    )


def _where(source: Any) -> tuple[str, list[str | int]]:
    """The file and the path in it that a page's query or a posted form names."""
    file = source.get("file")
    try:
        path = orjson.loads(str(source.get("path", "")))
    except orjson.JSONDecodeError:
        path = None
    if not isinstance(file, str) or not file or not isinstance(path, list) or not path:
        raise BadRequestError(
            "name the step: a file and a path in it (open the editor from a flow's diagram)"
        )
    return file, path


async def _editing(console: Console, source: Any) -> dict[str, Any]:
    """What the editor shows: where, the mode, the kind and its form, filled with the step as written
    (changing) or empty (adding)."""
    project = console.request.match_info["project"]
    file, path = _where(source)
    mode = "edit" if source.get("mode") == "edit" else "add"
    kind = str(source.get("kind") or "")
    values: dict[str, Any] = {}
    line = None
    if mode == "edit":
        query = {"file": file, "path": orjson.dumps(path).decode()}
        current = await console.call("getFlowStep", {"name": project}, query)
        line = current["line"]
        written = current["step"]
        written_kind = next(iter(written)) if isinstance(written, dict) and written else str(written)
        kind = kind or written_kind
        form = await console.call("getStepKind", {"kind": kind})
        values = options_of(written, kind, form["schema"].get("x-shorthand")) if kind == written_kind else {}
    else:
        form = await console.call("getStepKind", {"kind": kind}) if kind else None
    kinds = [each["kind"] for each in (await console.call("listStepKinds"))["items"]]
    return {
        "project": project,
        "file": file,
        "step_path": path,
        "path_json": orjson.dumps(path).decode(),
        "line": line,
        "mode": mode,
        "kind": kind,
        "kinds": kinds,
        "form": form,
        "fields": fields_of(form["schema"], values) if form is not None else [],
        "back": safe_back(source.get("back"), f"/console/projects/{quote(project, safe='')}"),
    }


async def step_editor(console: Console) -> web.StreamResponse:
    """``GET /console/projects/P/steps?file=F&path=JSON&mode=add|edit&kind=K&back=PAGE``."""
    editing = await _editing(console, console.request.query)
    return render(console.request, "step.html", console=console, problems=[], error=None, **editing)


def _posted(fields: list[Field], form: Any) -> list[Field]:
    """The fields holding what was posted (the form shown again keeps every value typed)."""
    return [
        Field(
            f.name,
            f.widget,
            f.required,
            f.description,
            f.choices,
            f.default,
            str(form.get(FIELD_PREFIX + f.name, "")),
            f.kind,
        )
        for f in fields
    ]


async def submit_step(console: Console) -> web.StreamResponse:
    """``POST /console/projects/P/steps``: add or change the step through the management API; on
    success back to the flow's page, else the form again with the problems at their lines."""
    editing = await _editing(console, console.form)
    if editing["form"] is None:
        raise BadRequestError("choose what kind of step to add")
    fields = editing["fields"] = _posted(editing["fields"], console.form)
    error, problems, status = None, [], 400
    try:
        step = step_of(editing["kind"], fields, console.form)
        body = {"file": editing["file"], "path": editing["step_path"], "step": step}
        route = "replaceFlowStep" if editing["mode"] == "edit" else "insertFlowStep"
        done = await console.call(route, {"name": editing["project"]}, body=body)
    except FormError as exc:
        error = str(exc)
    except InterlaceError as exc:  # the management API's refusal: its message, and the problems listed
        problems = exc.detail if isinstance(exc.detail, list) else []
        error = error_message(exc).split("\n", 1)[0] if problems else error_message(exc)
        status = exc.status
    else:
        verb = "changed" if editing["mode"] == "edit" else "added"
        response = redirect(editing["back"])
        flash(
            response,
            "notice",
            f"{editing['kind']} step {verb} at {done['file']}:{done['line']}; "
            f"{done['project']} {done['version']} redeployed",
        )
        return response
    return render(
        console.request, "step.html", status, console=console, problems=problems, error=error, **editing
    )
